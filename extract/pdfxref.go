package extract

import (
	"bytes"
	"strconv"
)

// The pure-Go PDF reader sizes its cross-reference table from numbers in
// the file — a subsection's first object number, /Size, /Index — before
// it reads a single object, so a file of a few hundred bytes claiming
// object 888,888,880 makes it allocate tens of gigabytes, and Go cannot
// recover from running out of memory: the whole server would die. These
// numbers are checked first. A real PDF's object numbers stay below its
// size in bytes divided by eight (an object takes more than eight bytes,
// even packed in an object stream), so the bound costs honest files
// nothing and keeps the reader's table within a few times the file's size.

// maxPDFObjects is the largest object count a PDF of n bytes may declare.
func maxPDFObjects(n int) int64 { return max(100_000, int64(n)/8) }

// checkXrefBounds returns an error naming the first cross-reference number
// in data above maxPDFObjects: in classic xref subsections, /Size entries
// and /Index arrays, wherever they appear (a superset of what the reader
// will look at).
func checkXrefBounds(data []byte) error {
	limit := maxPDFObjects(len(data))
	tooMany := func(what string, v int64) error {
		return unreadablePDF(what+" declares "+strconv.FormatInt(v, 10)+" objects, too many for a file of this size", nil)
	}
	for rest := data; ; {
		i := indexKeyword(rest, "xref")
		if i < 0 {
			break
		}
		rest = rest[i+len("xref"):]
		// Subsections: "start count", then count entries of three
		// tokens, until "trailer".
		t := pdfTokens{b: rest}
		for {
			start, count, ok := t.span()
			if !ok {
				break
			}
			if !within(start, count, limit) {
				return tooMany("a cross-reference section", start+count)
			}
			for range count * 3 {
				if !t.skip() {
					break
				}
			}
		}
	}
	for rest := data; ; {
		i := bytes.Index(rest, []byte("/Size"))
		if i < 0 {
			break
		}
		rest = rest[i+len("/Size"):]
		t := pdfTokens{b: rest}
		if v, ok := t.int(); ok && v > limit {
			return tooMany("/Size", v)
		}
	}
	for rest := data; ; {
		i := bytes.Index(rest, []byte("/Index"))
		if i < 0 {
			break
		}
		rest = rest[i+len("/Index"):]
		t := pdfTokens{b: rest}
		t.space()
		if len(t.b) == 0 || t.b[0] != '[' {
			continue
		}
		t.b = t.b[1:]
		for {
			start, count, ok := t.span()
			if !ok {
				break
			}
			if !within(start, count, limit) {
				return tooMany("/Index", start+count)
			}
		}
	}
	return nil
}

// within reports whether objects start to start+count-1 stay under limit
// (checked piecewise, so that the sum cannot overflow).
func within(start, count, limit int64) bool {
	return start >= 0 && count >= 0 && start <= limit && count <= limit && start+count <= limit
}

// indexKeyword finds kw in b as a whole token (not inside "startxref").
func indexKeyword(b []byte, kw string) int {
	off := 0
	for {
		i := bytes.Index(b[off:], []byte(kw))
		if i < 0 {
			return -1
		}
		i += off
		end := i + len(kw)
		if (i == 0 || isPDFDelim(b[i-1])) && (end == len(b) || isPDFDelim(b[end])) {
			return i
		}
		off = end
	}
}

func isPDFSpace(c byte) bool {
	return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' || c == 0
}

func isPDFDelim(c byte) bool {
	return isPDFSpace(c) || bytes.IndexByte([]byte("()<>[]{}/%"), c) >= 0
}

// pdfTokens reads whitespace-separated tokens, enough for the numbers of
// cross-reference sections.
type pdfTokens struct{ b []byte }

func (t *pdfTokens) space() {
	for len(t.b) > 0 && isPDFSpace(t.b[0]) {
		t.b = t.b[1:]
	}
}

// skip passes one token; false at the end of the input.
func (t *pdfTokens) skip() bool {
	t.space()
	if len(t.b) == 0 {
		return false
	}
	n := 1
	for n < len(t.b) && !isPDFDelim(t.b[n]) {
		n++
	}
	t.b = t.b[n:]
	return true
}

// span reads the two numbers "first-object count" of a cross-reference
// subsection or an /Index pair.
func (t *pdfTokens) span() (start, count int64, ok bool) {
	start, ok1 := t.int()
	count, ok2 := t.int()
	return start, count, ok1 && ok2
}

// int reads an integer token (digits with an optional sign); on anything
// else it reads nothing and returns false. Numbers too long for int64 count
// as huge.
func (t *pdfTokens) int() (int64, bool) {
	t.space()
	n := 0
	if n < len(t.b) && (t.b[n] == '+' || t.b[n] == '-') {
		n++
	}
	digits := n
	for n < len(t.b) && t.b[n] >= '0' && t.b[n] <= '9' {
		n++
	}
	if n == digits || (n < len(t.b) && !isPDFDelim(t.b[n])) {
		return 0, false
	}
	v, err := strconv.ParseInt(string(t.b[:n]), 10, 64)
	if err != nil {
		v = 1 << 62 // over the limit whatever the file
	}
	t.b = t.b[n:]
	return v, true
}
