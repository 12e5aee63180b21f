package originality

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/ibid-dev/ibid"
)

// DefaultMinWords is the default minimum length of a reported passage:
// shorter matches are usually common phrases.
const DefaultMinWords = 8

// DefaultMaxSources is the default number of candidate sources that Check
// aligns in full.
const DefaultMaxSources = 20

// Options are the settings of a check that a user may change. The zero value
// is the default check: nothing excluded, passages of at least
// DefaultMinWords words.
type Options struct {
	// MinWords drops passages with fewer submitted words; 0 means
	// DefaultMinWords. It applies to verbatim passages; a passage that is
	// not a verbatim copy needs at least 30 words in any case, since
	// paraphrase shorter than that cannot be told from a shared topic.
	MinWords int
	// ExcludeQuotes leaves text in quotation marks out of the check.
	ExcludeQuotes bool
	// ExcludeReferences leaves out everything from a heading such as
	// "References" or "Bibliography" to the end of the text.
	ExcludeReferences bool
	// Excluded are further rune spans of the submitted text to leave out,
	// e.g. the block quotes of an uploaded document (see QuoteSpans).
	Excluded []ibid.Span
	// ExcludeSources are essay IDs never reported as sources.
	ExcludeSources []int64
	// MaxSources is how many candidate sources are aligned in full; 0 means
	// DefaultMaxSources.
	MaxSources int
}

func (o Options) withDefaults() Options {
	if o.MinWords <= 0 {
		o.MinWords = DefaultMinWords
	}
	if o.MaxSources <= 0 {
		o.MaxSources = DefaultMaxSources
	}
	return o
}

// QuoteSpans returns the rune spans of the block quotes of blocks in their
// canonical text (ibid.CanonicalText), for Options.Excluded.
func QuoteSpans(blocks []ibid.Block) []ibid.Span {
	var out []ibid.Span
	off := 0
	for i, b := range blocks {
		if i > 0 {
			off += 2 // the blank line between blocks
		}
		n := 0
		if b.Type == ibid.List {
			n = utf8.RuneCountInString(strings.Join(b.Items, "\n"))
		} else {
			n = utf8.RuneCountInString(b.Text)
		}
		if b.Type == ibid.Quote && n > 0 {
			out = append(out, ibid.Span{Offset: off, Length: n})
		}
		off += n
	}
	return out
}

// exclusions returns the sorted, merged rune ranges of s that opt leaves
// out of a check.
func exclusions(s string, opt Options) []span {
	var ex []span
	for _, e := range opt.Excluded {
		if e.Length > 0 {
			ex = append(ex, span{e.Offset, e.Offset + e.Length})
		}
	}
	if opt.ExcludeQuotes {
		ex = append(ex, quoteRanges(s)...)
	}
	if opt.ExcludeReferences {
		if off, ok := referencesStart(s); ok {
			ex = append(ex, span{off, utf8.RuneCountInString(s)})
		}
	}
	if len(ex) == 0 {
		return nil
	}
	sort.Slice(ex, func(i, j int) bool { return ex[i].start < ex[j].start })
	out := ex[:1]
	for _, e := range ex[1:] {
		last := &out[len(out)-1]
		if e.start <= last.end {
			last.end = max(last.end, e.end)
			continue
		}
		out = append(out, e)
	}
	return out
}

// quoteRanges finds text in quotation marks: “…”, „…“, «…», »…«, and
// straight double quotes paired in order. A quotation never crosses a blank
// line, so that one stray mark cannot swallow the rest of a text.
func quoteRanges(s string) []span {
	var out []span
	open := -1
	var closer rune
	pos := 0
	var prev rune
	for _, r := range s {
		switch {
		case r == '\n' && prev == '\n':
			open = -1
		case open >= 0 && r == closer:
			out = append(out, span{open, pos + 1})
			open = -1
		case open < 0:
			switch r {
			case '“':
				open, closer = pos, '”'
			case '„':
				open, closer = pos, '“'
			case '«':
				open, closer = pos, '»'
			case '»':
				open, closer = pos, '«'
			case '"':
				open, closer = pos, '"'
			}
		}
		if r != '\r' {
			prev = r
		}
		pos++
	}
	return out
}

// referenceHeadings are the headings that open a list of works cited.
var referenceHeadings = map[string]bool{
	"references": true, "reference list": true, "bibliography": true, "works cited": true,
	"works consulted": true, "literature cited": true, "sources": true, "literature": true,
	"list of references": true, "cited works": true, "notes and references": true,
}

// referencesStart returns the rune offset of the last line that is a
// references heading ("References", "Bibliography:", "7. Works Cited"),
// when there is one.
func referencesStart(s string) (int, bool) {
	found, at := false, 0
	pos := 0
	for _, line := range strings.SplitAfter(s, "\n") {
		h := strings.TrimFunc(line, func(r rune) bool {
			return unicode.IsSpace(r) || unicode.IsDigit(r) || unicode.IsPunct(r)
		})
		if len(h) < 40 && referenceHeadings[strings.ToLower(h)] {
			found, at = true, pos
		}
		pos += utf8.RuneCountInString(line)
	}
	return at, found
}
