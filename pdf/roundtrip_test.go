package pdf

import (
	"bytes"
	"io/fs"
	"math"
	"os/exec"
	"strings"
	"testing"

	"github.com/ibid-dev/ibid"
	"github.com/ibid-dev/ibid/demo"
	"github.com/ibid-dev/ibid/extract"
	"github.com/ibid-dev/ibid/text"
)

// TestRoundTrip exports every demo essay as a PDF, in both paper sizes,
// and imports it again with the library's own extractor (through
// pdftotext, as an import does when poppler is installed): the running
// header, the "N / M" footers, the breadcrumb, byline and meta line and
// the cite box must not come back as text, and the title, author, date,
// headings (with their levels) and list items must, with the word count
// within 0.5 %.
func TestRoundTrip(t *testing.T) {
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext (poppler-utils) is not on PATH")
	}
	names, err := fs.Glob(demo.FS(), "*.md")
	if err != nil || len(names) == 0 {
		t.Fatalf("no demo essays: %v", err)
	}
	cite := func(e *ibid.Essay) []CiteEntry {
		return []CiteEntry{
			{Style: "APA", Text: e.Author + " (2023). <i>" + e.Title + "</i>. ibid. https://essays.example.org/essays/x"},
			{Style: "MLA", Text: e.Author + ". “" + e.Title + ".” <i>ibid</i>, 2023, essays.example.org/essays/x."},
		}
	}
	for _, size := range []string{"A4", "Letter"} {
		x := newExporter(t, Options{PageSize: size, SiteName: "ibid", BaseURL: "https://essays.example.org", Cite: cite})
		for _, name := range names {
			t.Run(size+"/"+name, func(t *testing.T) {
				src, err := fs.ReadFile(demo.FS(), name)
				if err != nil {
					t.Fatal(err)
				}
				doc, err := extract.Markdown(name, src, extract.Options{})
				if err != nil {
					t.Fatal(err)
				}
				e := &ibid.Essay{Title: doc.Title, Author: doc.Author, Subject: doc.Subject, Topics: doc.Topics,
					Published: doc.Published, License: doc.License, Blocks: doc.Blocks, Slug: text.Slugify(doc.Title)}
				e.Text = ibid.CanonicalText(e.Blocks)
				e.Words = text.Words(e.Text)
				var buf bytes.Buffer
				if err := x.Export(&buf, e); err != nil {
					t.Fatal(err)
				}
				got, err := extract.PDF(name+".pdf", buf.Bytes(), extract.Options{})
				if err != nil {
					t.Fatal(err)
				}
				if got.Title != e.Title || got.Author != e.Author || !got.Published.Equal(e.Published) {
					t.Errorf("title %q by %q on %v, want %q by %q on %v", got.Title, got.Author, got.Published, e.Title, e.Author, e.Published)
				}
				if g, w := outline(got.Blocks), outline(e.Blocks); g != w {
					for _, b := range got.Blocks {
						t.Logf("%s %q %.60q", b.Type, b.Items, b.Text)
					}
					t.Errorf("outline\n%s\nwant\n%s", g, w)
				}
				words := text.Words(got.Text())
				t.Logf("%d words imported, the essay has %d", words, e.Words)
				if math.Abs(float64(words-e.Words)) > 0.005*float64(e.Words) {
					t.Errorf("%d words, want %d (±0.5 %%)", words, e.Words)
				}
				for _, junk := range []string{"Cite this essay", " / "} {
					if strings.Contains(got.Text(), junk) && !strings.Contains(e.Text, junk) {
						t.Errorf("the import keeps %q", junk)
					}
				}
			})
		}
	}
}

// outline lists the headings with their levels and the list items' count.
func outline(blocks []ibid.Block) string {
	var b strings.Builder
	items := 0
	for _, bl := range blocks {
		switch bl.Type {
		case ibid.Heading:
			b.WriteString(strings.Repeat("#", bl.Level) + " " + bl.Text + "\n")
		case ibid.List:
			items += len(bl.Items)
		}
	}
	b.WriteString(strings.Repeat("•", items))
	return b.String()
}
