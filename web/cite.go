package web

import (
	"context"
	"html/template"
	"strconv"
	"strings"

	"golang.org/x/net/html"

	"github.com/ibid-dev/ibid"
)

// Citation is an essay rendered in one citation style, as the cite box
// shows it. HTML fields may hold <i>, <b>, <sup>, <sub> and the CSL
// processor's display divs and spans; the page keeps only those (see
// citeHTML), so a Citer cannot inject markup.
type Citation struct {
	Style string // the style's name: "apa"
	Label string // the tab label: "APA"
	Title string // the style's full title
	Note  bool   // a note style: the citation goes in a footnote

	Text, HTML         string // the reference-list entry
	InText, InTextHTML string // the in-text citation (or the note)
}

// Citer renders an essay in the citation styles of the cite box, in the
// order of its tabs. On an error the citations it did render are still
// shown, and the error is logged.
type Citer func(ctx context.Context, e *ibid.Essay) ([]Citation, error)

// citationFormats are the download extensions listed under the cite box
// rather than in the "Download as…" menu.
var citationFormats = map[string]bool{"bib": true, "ris": true, "csl.json": true}

// citeView is one tab of the cite box.
type citeView struct {
	ID     string // unique on the page: slugs never hold "_"
	Label  string
	Title  string
	Note   bool
	Text   string
	HTML   template.HTML
	InText string
	InHTML template.HTML
}

func (s *Server) citeViews(ctx context.Context, e *ibid.Essay) []citeView {
	if s.cfg.Citer == nil {
		return nil
	}
	cs, err := s.cfg.Citer(ctx, e)
	if err != nil {
		s.log.Error("citing an essay", "slug", e.Slug, "err", err)
	}
	var out []citeView
	for _, c := range cs {
		if c.Text == "" && c.HTML == "" {
			continue
		}
		label := c.Label
		if label == "" {
			label = c.Style
		}
		out = append(out, citeView{
			ID: "cite_" + strconv.Itoa(len(out)), Label: label, Title: c.Title, Note: c.Note,
			Text: c.Text, HTML: citeHTML(c.HTML, c.Text), InText: c.InText, InHTML: citeHTML(c.InTextHTML, c.InText),
		})
	}
	return out
}

// citeHTML rebuilds a CSL processor's HTML from its tokens, keeping only
// formatting elements without attributes, small capitals and the display
// parts as classes (the CSP forbids inline styles), and escaping all text.
// Unbalanced tags are closed or dropped. Empty html falls back to text.
func citeHTML(h, text string) template.HTML {
	if h == "" {
		return template.HTML(template.HTMLEscapeString(text))
	}
	var b strings.Builder
	var stack []string // open elements, innermost last
	skip := ""         // inside an element whose content is code, not text
	z := html.NewTokenizer(strings.NewReader(h))
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			for i := len(stack) - 1; i >= 0; i-- {
				b.WriteString("</" + stack[i] + ">")
			}
			return template.HTML(b.String())
		case html.TextToken:
			if skip != "" {
				continue
			}
			b.WriteString(template.HTMLEscapeString(string(z.Text())))
		case html.StartTagToken:
			tok := z.Token()
			switch tok.Data {
			case "script", "style", "template", "textarea", "title":
				skip = tok.Data
			case "i", "b", "em", "strong", "sup", "sub":
				b.WriteString("<" + tok.Data + ">")
				stack = append(stack, tok.Data)
			case "span", "div":
				// Display divs become spans: the entry stays one
				// inline run of text that copies as one line.
				b.WriteString(`<span` + citeClass(tok) + `>`)
				stack = append(stack, "span")
			}
		case html.EndTagToken:
			name := z.Token().Data
			if name == skip {
				skip = ""
				continue
			}
			if name == "div" {
				name = "span"
			}
			// Close only the innermost open element of that name, and
			// whatever is open inside it.
			for i := len(stack) - 1; i >= 0; i-- {
				if stack[i] == name {
					for j := len(stack) - 1; j >= i; j-- {
						b.WriteString("</" + stack[j] + ">")
					}
					stack = stack[:i]
					break
				}
			}
		}
	}
}

// citeClass maps the processor's attributes to our classes.
func citeClass(tok html.Token) string {
	for _, a := range tok.Attr {
		switch {
		case a.Key == "class" && strings.HasPrefix(a.Val, "csl-"):
			switch a.Val {
			case "csl-left-margin", "csl-right-inline", "csl-block", "csl-indent":
				return ` class="` + a.Val + `"`
			}
		case a.Key == "class" && a.Val == "sc",
			a.Key == "style" && strings.Contains(a.Val, "small-caps"):
			return ` class="sc"`
		}
	}
	return ""
}
