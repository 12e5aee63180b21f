package export

import (
	"bufio"
	"io"
	"strconv"
	"strings"

	"github.com/rivo/uniseg"

	"github.com/ibid-dev/ibid"
	"github.com/ibid-dev/ibid/text"
)

// TextWidth is the column at which Text wraps lines: the width of a
// terminal and of e-mail, where plain text is read.
const TextWidth = 72

// Text writes an essay as plain UTF-8 text wrapped at TextWidth columns
// (measured in display cells, so wide CJK characters count double; a word
// longer than a line stands alone on it, never cut):
//
//	The Title
//	=========
//
//	Author
//	3,836 words · 8 pages · 16 min read · Published 17 Sep 2020
//	Subject › Topic, Topic
//	https://…/essays/the-title
//
//	Section heading
//	---------------
//
//	Sub-section heading
//	~~~~~~~~~~~~~~~~~~~
//
//	Minor heading
//
//	Paragraphs, then lists as "• " or "1. " items with hanging indents,
//	and quotes as "> " lines.
//
// Headings are underlined in the manner of reStructuredText: "=" for the
// title, "-" for level 1, "~" for level 2; level 3 stands alone.
type Text struct{ opt Options }

// NewText returns the "txt" exporter.
func NewText(opt Options) *Text { return &Text{opt} }

// Format implements ibid.Exporter.
func (x *Text) Format() (ext, label, contentType string) {
	return "txt", "Plain text", "text/plain; charset=utf-8"
}

// Export implements ibid.Exporter.
func (x *Text) Export(w io.Writer, e *ibid.Essay) error {
	if e == nil {
		return ibid.Errorf(ibid.EINVALID, "no essay to export")
	}
	bw := bufio.NewWriter(w)
	underlined(bw, title(e), '=')
	bw.WriteByte('\n')
	if a := text.Normalize(e.Author); a != "" {
		wrap(bw, a, "", "")
	}
	wrap(bw, x.opt.metaLine(e, true), "", "")
	crumb := text.Normalize(e.Subject)
	if ts := topics(e); len(ts) > 0 {
		if crumb != "" {
			crumb += " › "
		}
		crumb += strings.Join(ts, ", ")
	}
	if crumb != "" {
		wrap(bw, crumb, "", "")
	}
	if l := text.Normalize(e.License); l != "" {
		wrap(bw, "Licence: "+l, "", "")
	}
	if u := x.opt.essayURL(e); u != "" {
		wrap(bw, u, "", "")
	}
	for _, b := range blocks(e) {
		bw.WriteByte('\n')
		switch b.Type {
		case ibid.Heading:
			switch b.Level {
			case 1:
				underlined(bw, b.Text, '-')
			case 2:
				underlined(bw, b.Text, '~')
			default:
				wrap(bw, b.Text, "", "")
			}
		case ibid.Quote:
			wrap(bw, b.Text, "> ", "> ")
		case ibid.List:
			width := 2
			if b.Ordered {
				width = len(strconv.Itoa(len(b.Items))) + 2
			}
			indent := strings.Repeat(" ", width)
			for i, it := range b.Items {
				marker := "• "
				if b.Ordered {
					// Numbers are right-aligned so that items' text
					// lines up past item 9.
					m := strconv.Itoa(i+1) + ". "
					marker = strings.Repeat(" ", width-len(m)) + m
				}
				wrap(bw, it, marker, indent)
			}
		default:
			wrap(bw, b.Text, "", "")
		}
	}
	if err := bw.Flush(); err != nil {
		return errWrite("txt", err)
	}
	return nil
}

// underlined writes s wrapped, with a line of c as long as its longest line.
func underlined(w *bufio.Writer, s string, c byte) {
	longest := 0
	for _, l := range lines(s, "", "") {
		w.WriteString(l + "\n")
		longest = max(longest, uniseg.StringWidth(l))
	}
	w.WriteString(strings.Repeat(string(c), longest) + "\n")
}

// wrap writes s wrapped at TextWidth, its first line after first and the
// others after rest.
func wrap(w *bufio.Writer, s, first, rest string) {
	for _, l := range lines(s, first, rest) {
		w.WriteString(l + "\n")
	}
}

// lines breaks s greedily into lines of at most TextWidth cells, at
// spaces only: a break after a hyphen or inside an address would change
// the words. Long runs of wide (CJK) characters, which need no spaces, may
// break between any two characters when they do not fit.
func lines(s, first, rest string) []string {
	var out []string
	var cur strings.Builder
	var curW int
	empty := true
	start := func(prefix string) {
		cur.Reset()
		cur.WriteString(prefix)
		curW = uniseg.StringWidth(prefix)
		empty = true
	}
	flush := func() {
		out = append(out, strings.TrimRight(cur.String(), " "))
	}
	start(first)
	for _, word := range strings.Fields(s) {
		ww := uniseg.StringWidth(word)
		sep := 1
		if empty {
			sep = 0
		}
		if curW+sep+ww > TextWidth && ww > TextWidth/4 && wide(word) {
			// Fill the line with as many characters as fit, then go on.
			for word != "" {
				room := TextWidth - curW - sep
				head, tail := cutWidth(word, room)
				if head == "" && !empty {
					flush()
					start(rest)
					sep = 0
					continue
				}
				if head == "" { // not even one character fits an empty line
					head, tail = cutWidth(word, uniseg.StringWidth(word))
				}
				if sep == 1 {
					cur.WriteByte(' ')
				}
				cur.WriteString(head)
				curW += sep + uniseg.StringWidth(head)
				empty = false
				word = tail
				if word != "" {
					flush()
					start(rest)
					sep = 0
				}
			}
			continue
		}
		if !empty && curW+1+ww > TextWidth {
			flush()
			start(rest)
		}
		if !empty {
			cur.WriteByte(' ')
			curW++
		}
		cur.WriteString(word)
		curW += ww
		empty = false
	}
	if !empty {
		flush()
	}
	return out
}

// wide reports whether s has a character that takes two cells.
func wide(s string) bool {
	for _, r := range s {
		if uniseg.StringWidth(string(r)) == 2 {
			return true
		}
	}
	return false
}

// cutWidth splits s after as many grapheme clusters as fit in room cells
// (at least one when room allows it).
func cutWidth(s string, room int) (head, tail string) {
	w, n := 0, 0
	state := -1
	rest := s
	for rest != "" {
		var c string
		var cw int
		c, rest, cw, state = uniseg.FirstGraphemeClusterInString(rest, state)
		if w+cw > room {
			break
		}
		w += cw
		n += len(c)
	}
	return s[:n], s[n:]
}
