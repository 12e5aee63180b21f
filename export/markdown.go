package export

import (
	"bufio"
	"io"
	"regexp"
	"strconv"
	"strings"

	"github.com/ibid-dev/ibid"
	"github.com/ibid-dev/ibid/text"
)

// Markdown writes an essay as CommonMark with front matter:
//
//	---
//	title: "The Title"
//	author: "Ana Novák"
//	subject: "History"
//	topics:
//	  - "Diplomacy"
//	date: 2020-09-17
//	licence: "CC BY 4.0"
//	url: "https://…/essays/the-title"
//	---
//
//	# The Title
//
// then one line per block: "##", "###" and "####" headings for levels 1–3,
// "- " and "1. " list items, "> " quotes. Characters that Markdown would
// read as markup are escaped, so the file imports back to the same blocks.
type Markdown struct{ opt Options }

// NewMarkdown returns the "md" exporter.
func NewMarkdown(opt Options) *Markdown { return &Markdown{opt} }

// Format implements ibid.Exporter.
func (m *Markdown) Format() (ext, label, contentType string) {
	return "md", "Markdown", "text/markdown; charset=utf-8"
}

// Export implements ibid.Exporter.
func (m *Markdown) Export(w io.Writer, e *ibid.Essay) error {
	if e == nil {
		return ibid.Errorf(ibid.EINVALID, "no essay to export")
	}
	bw := bufio.NewWriter(w)
	t := title(e)
	bw.WriteString("---\n")
	field := func(k, v string) {
		if v = text.Normalize(v); v != "" {
			bw.WriteString(k + ": " + yamlString(v) + "\n")
		}
	}
	field("title", t)
	field("author", e.Author)
	field("subject", e.Subject)
	if ts := topics(e); len(ts) > 0 {
		bw.WriteString("topics:\n")
		for _, tp := range ts {
			bw.WriteString("  - " + yamlString(tp) + "\n")
		}
	}
	if !e.Published.IsZero() {
		bw.WriteString("date: " + e.Published.Format("2006-01-02") + "\n")
	}
	field("licence", e.License)
	field("url", m.opt.essayURL(e))
	bw.WriteString("---\n\n# " + escapeHeading(t) + "\n")

	prevList := -1 // index in bs of the previous block when it was a list
	alt := false   // whether that list used the alternative marker
	bs := blocks(e)
	for i, b := range bs {
		bw.WriteByte('\n')
		switch b.Type {
		case ibid.Heading:
			bw.WriteString(strings.Repeat("#", b.Level+1) + " " + escapeHeading(b.Text) + "\n")
		case ibid.Quote:
			bw.WriteString("> " + escapeLine(b.Text) + "\n")
		case ibid.List:
			// Two lists in a row would merge into one; CommonMark
			// starts a new list when the bullet ("-", "*") or the
			// delimiter ("1.", "1)") changes.
			useAlt := prevList == i-1 && bs[i-1].Ordered == b.Ordered && !alt
			for n, it := range b.Items {
				marker := "- "
				switch {
				case b.Ordered && useAlt:
					marker = strconv.Itoa(n+1) + ") "
				case b.Ordered:
					marker = strconv.Itoa(n+1) + ". "
				case useAlt:
					marker = "* "
				}
				bw.WriteString(marker + escapeLine(it) + "\n")
			}
			prevList, alt = i, useAlt
		default:
			bw.WriteString(escapeLine(b.Text) + "\n")
		}
	}
	if err := bw.Flush(); err != nil {
		return errWrite("md", err)
	}
	return nil
}

// yamlString quotes a front-matter value. Double quotes take \" for a
// quote; a value with a backslash is single-quoted instead, where nothing is
// an escape but a doubled quote, so that simple readers that only strip the
// quotes read it back unchanged.
func yamlString(s string) string {
	if strings.Contains(s, `\`) {
		return "'" + strings.ReplaceAll(s, "'", "''") + "'"
	}
	return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"`
}

// entityLike matches what CommonMark would decode as a character
// reference: "&amp;", "&#38;", "&#x26;".
var entityLike = regexp.MustCompile(`^&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});`)

// escapeInline escapes the characters that start inline markup anywhere in
// a line: emphasis, code, links, images, autolinks, raw HTML, backslash
// escapes and character references.
func escapeInline(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '\\', '`', '*', '_', '[', ']', '<':
			b.WriteByte('\\')
		case '&':
			// "&amp;" stays "&amp;" only if its ampersand is itself
			// written as a reference.
			if entityLike.MatchString(s[i:]) {
				b.WriteString("&amp;")
				continue
			}
		}
		b.WriteByte(c)
	}
	return b.String()
}

// orderedStart matches a line that CommonMark reads as a numbered item.
var orderedStart = regexp.MustCompile(`^[0-9]{1,9}[.)]`)

// escapeLine escapes a block's text for the start of a line, where "#",
// ">", "-", "+", "=", "~", "|" and "1." begin blocks.
func escapeLine(s string) string {
	s = escapeInline(s)
	if loc := orderedStart.FindStringIndex(s); loc != nil {
		return s[:loc[1]-1] + `\` + s[loc[1]-1:]
	}
	if s != "" && strings.IndexByte("#>-+=~|", s[0]) >= 0 {
		return `\` + s
	}
	return s
}

// escapeHeading escapes the text of a heading. Its content is inline, so
// line starts do not matter, but every "#" is escaped so that none ends it
// as a closing sequence.
func escapeHeading(s string) string {
	return strings.ReplaceAll(escapeInline(s), "#", `\#`)
}
