// Package export writes essays in the plain download formats: Markdown with
// front matter ("md"), wrapped plain text ("txt") and Word documents
// ("docx"). Each is an ibid.Exporter; the PDF lives in package pdf.
//
// Output depends only on the essay and the Options, so that the web server
// can cache it by the essay's content hash; with a fixed Now it is byte for
// byte reproducible.
package export

import (
	"fmt"
	"strings"
	"time"

	"github.com/ibid-dev/ibid"
	"github.com/ibid-dev/ibid/text"
)

// Options configures the exporters. The zero value is usable.
type Options struct {
	// SiteName is the library's name, written into the documents' front
	// matter and properties.
	SiteName string
	// BaseURL is the library's public address; the essay's address is
	// BaseURL + "/essays/" + slug. Empty means the documents carry none.
	BaseURL string
	// WordsPerPage is the page convention of the plain-text meta line (0
	// means text.DefaultWordsPerPage); Word documents print no estimate.
	WordsPerPage int
	// PageSize is the paper of Word documents: "A4" (the default) or
	// "Letter".
	PageSize string
	// Now is the creation time written into Word documents; nil means
	// time.Now. Tests fix it.
	Now func() time.Time
}

func (o Options) now() time.Time {
	if o.Now == nil {
		return time.Now()
	}
	return o.Now()
}

// All returns the exporters of this package: md, txt and docx.
func All(opt Options) []ibid.Exporter {
	return []ibid.Exporter{NewMarkdown(opt), NewText(opt), NewDOCX(opt)}
}

// essayURL is the public address of e, or "" without a BaseURL.
func (o Options) essayURL(e *ibid.Essay) string {
	base := strings.TrimRight(o.BaseURL, "/")
	if base == "" {
		return ""
	}
	slug := e.Slug
	if slug == "" {
		slug = text.Slugify(e.Title)
	}
	if slug == "" {
		return base + "/"
	}
	return base + "/essays/" + slug
}

// metaLine is "3,836 words · 8 pages · 16 min read · Published 17 Sep 2020",
// as on the essay page. Without pages it leaves out "8 pages", the site's
// estimate at WordsPerPage words a page: a Word document has as many pages
// as the word processor lays out (LibreOffice makes 10 of ibid's 8-page,
// 3,897-word DOCX export), and a line saying 8 would contradict it.
func (o Options) metaLine(e *ibid.Essay, pages bool) string {
	words := e.Words
	if words <= 0 {
		t := e.Text
		if t == "" {
			t = ibid.CanonicalText(e.Blocks)
		}
		words = text.Words(t)
	}
	parts := []string{count(words, "word", "words")}
	if pages {
		parts = append(parts, count(text.Pages(words, o.WordsPerPage), "page", "pages"))
	}
	parts = append(parts, thousands(text.ReadingMinutes(words))+" min read")
	if !e.Published.IsZero() {
		parts = append(parts, "Published "+e.Published.Format("2 Jan 2006"))
	}
	return strings.Join(parts, " · ")
}

func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return thousands(n) + " " + many
}

// thousands formats n with comma separators: 3836 → "3,836".
func thousands(n int) string {
	if n < 0 {
		return "-" + thousands(-n)
	}
	s := fmt.Sprint(n)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// title is the essay's title, normalised, or "Untitled".
func title(e *ibid.Essay) string {
	if t := text.Normalize(e.Title); t != "" {
		return t
	}
	return "Untitled"
}

// blocks returns e's blocks with their text normalised (one line each) and
// empty ones dropped, so that no writer has to fear a stray newline breaking
// its format's structure.
func blocks(e *ibid.Essay) []ibid.Block {
	var out []ibid.Block
	for _, b := range e.Blocks {
		if b.Type == ibid.List {
			var items []string
			for _, it := range b.Items {
				if it = text.Normalize(it); it != "" {
					items = append(items, it)
				}
			}
			if len(items) > 0 {
				out = append(out, ibid.Block{Type: ibid.List, Items: items, Ordered: b.Ordered})
			}
			continue
		}
		t := text.Normalize(b.Text)
		if t == "" {
			continue
		}
		switch b.Type {
		case ibid.Heading:
			out = append(out, ibid.Block{Type: ibid.Heading, Level: min(max(b.Level, 1), 3), Text: t})
		case ibid.Quote:
			out = append(out, ibid.Block{Type: ibid.Quote, Text: t})
		default:
			out = append(out, ibid.Block{Type: ibid.Paragraph, Text: t})
		}
	}
	return out
}

func topics(e *ibid.Essay) []string {
	var out []string
	for _, t := range e.Topics {
		if t = text.Normalize(t); t != "" {
			out = append(out, t)
		}
	}
	return out
}

// errWrite wraps a failed write: the client went away or the disk is full.
func errWrite(format string, err error) error {
	return fmt.Errorf("export %s: %w", format, err)
}
