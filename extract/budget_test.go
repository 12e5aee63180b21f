package extract

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ibid-dev/ibid"
)

// TestWordBudget: every format refuses a document over Options.MaxWords
// with ETOOLARGE saying the budget, and reads one at the budget; PDF (both
// readers) and Word documents stop reading once over it.
func TestWordBudget(t *testing.T) {
	const budget = 1000
	// paragraphs of words, n in all, 20 to a paragraph
	paras := func(n int) []string {
		var out []string
		for i := 0; i < n; i += 20 {
			out = append(out, strings.TrimSpace(strings.Repeat("word ", min(20, n-i))))
		}
		return out
	}
	formats := []struct {
		name  string
		file  string
		build func(t *testing.T, words int) []byte
		setup func(t *testing.T)
	}{
		{"text", "a.txt", func(t *testing.T, n int) []byte { return []byte(strings.Join(paras(n), "\n\n")) }, nil},
		{"Markdown", "a.md", func(t *testing.T, n int) []byte { return []byte(strings.Join(paras(n), "\n\n")) }, nil},
		{"HTML", "a.html", func(t *testing.T, n int) []byte {
			return []byte("<html><body><article><p>" + strings.Join(paras(n), "</p><p>") + "</p></article></body></html>")
		}, nil},
		{"DOCX", "a.docx", func(t *testing.T, n int) []byte {
			var body strings.Builder
			for _, p := range paras(n) {
				body.WriteString(wp("", 0, 0, p))
			}
			return buildZip(t, part{"word/document.xml", wordDocument(body.String())})
		}, nil},
		{"PDF, pdftotext", "a.pdf", pdfOfWords, func(t *testing.T) { needPdftotext(t) }},
		{"PDF, Go reader", "a.pdf", pdfOfWords, func(t *testing.T) { withGoPDF(t) }},
	}
	for _, f := range formats {
		for _, words := range []int{budget, 5 * budget} {
			t.Run(fmt.Sprintf("%s/%d words", f.name, words), func(t *testing.T) {
				if f.setup != nil {
					f.setup(t)
				}
				doc, err := Read(f.file, f.build(t, words), Options{MaxWords: budget})
				if words <= budget {
					if err != nil {
						t.Fatalf("at the budget: %v", err)
					}
					if n := len(strings.Fields(doc.Text())); n < budget*9/10 { // a title or a running line may go
						t.Errorf("read %d words of %d", n, words)
					}
					return
				}
				if ibid.ErrorCode(err) != ibid.ETOOLARGE || !strings.Contains(ibid.ErrorMessage(err), "1,000 words") {
					t.Errorf("over the budget: %v, want ETOOLARGE saying the budget", err)
				}
			})
		}
	}
	// No budget: a negative MaxWords reads everything.
	if _, err := Read("a.txt", []byte(strings.Repeat("word ", 3*budget)), Options{MaxWords: -1}); err != nil {
		t.Errorf("without a budget: %v", err)
	}
}

// pdfOfWords is a PDF of n words, 20 to a line, 40 lines to a page.
func pdfOfWords(t *testing.T, n int) []byte {
	var pages [][]testLine
	var lines []testLine
	for i := 0; i < n; i += 20 {
		// Words that differ from line to line: lines repeated at one
		// place on every page are running headers, and left out.
		var line []string
		for j := i; j < min(i+20, n); j++ {
			line = append(line, fmt.Sprint("w", j))
		}
		lines = append(lines, testLine{size: 10, y: float64(760 - 15*len(lines)), text: strings.Join(line, " ")})
		if len(lines) == 40 {
			pages, lines = append(pages, lines), nil
		}
	}
	if len(lines) > 0 {
		pages = append(pages, lines)
	}
	return buildPDF(t, nil, pages...)
}

// TestRawWordsStopBeforeParsing: a text, Markdown or HTML file whose raw
// words are far over the budget is refused without being parsed; one
// within it is parsed.
func TestRawWordsStopBeforeParsing(t *testing.T) {
	const budget = 1000
	never := func(data []byte, opt Options) (*ibid.Document, error) {
		t.Fatal("a file far over the budget was parsed")
		return nil, nil
	}
	parsed := false
	parse := func(data []byte, opt Options) (*ibid.Document, error) {
		parsed = true
		return &ibid.Document{Blocks: []ibid.Block{{Type: ibid.Paragraph, Text: "some words"}}}, nil
	}
	tests := []struct {
		format string
		data   string
		over   bool
	}{
		{"txt", strings.Repeat("word ", 2*budget+200), true},
		{"md", strings.Repeat("- word\n", 1000), false}, // 2,000 raw words, 1,000 real: parsed
		{"md", strings.Repeat("word ", 3*budget), true},
		{"html", "<p>" + strings.Repeat(`<span class="a b c d e">word</span> `, 2*budget) + "</p>", false}, // attributes are not counted
		{"html", "<p>" + strings.Repeat("word ", 4*budget) + "</p>", true},
	}
	for _, tt := range tests {
		parsed = false
		p := parse
		if tt.over {
			p = never
		}
		_, err := run("a."+tt.format, []byte(tt.data), Options{MaxWords: budget}, tt.format, p)
		if tt.over {
			if ibid.ErrorCode(err) != ibid.ETOOLARGE {
				t.Errorf("%s over the budget: %v", tt.format, err)
			}
		} else if !parsed {
			t.Errorf("%s within twice the budget was not parsed: %v", tt.format, err)
		}
	}
}
