package export

import (
	"io/fs"
	"strings"
	"testing"

	"github.com/ibid-dev/ibid"
	"github.com/ibid-dev/ibid/demo"
	"github.com/ibid-dev/ibid/extract"
	"github.com/ibid-dev/ibid/text"
)

// TestRoundTripDemo exports every demo essay as Word and as plain text and
// imports the file again: title, author, date and every block must come
// back as they were (the title, byline, meta line and address under the
// title are metadata, not text).
func TestRoundTripDemo(t *testing.T) {
	names, err := fs.Glob(demo.FS(), "*.md")
	if err != nil || len(names) == 0 {
		t.Fatalf("no demo essays: %v", err)
	}
	formats := []struct {
		ext  string
		x    ibid.Exporter
		read func(name string, data []byte, opt extract.Options) (*ibid.Document, error)
	}{
		{"docx", NewDOCX(testOpts), extract.DOCX},
		{"txt", NewText(testOpts), extract.Text},
	}
	for _, f := range formats {
		for _, name := range names {
			t.Run(f.ext+"/"+name, func(t *testing.T) {
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
				got, err := f.read("essay."+f.ext, exportBytes(t, f.x, e), extract.Options{})
				if err != nil {
					t.Fatal(err)
				}
				if got.Title != e.Title || got.Author != e.Author || !got.Published.Equal(e.Published) {
					t.Errorf("%q by %q on %v, want %q by %q on %v", got.Title, got.Author, got.Published, e.Title, e.Author, e.Published)
				}
				if got.License != e.License || got.Subject != e.Subject || strings.Join(got.Topics, "|") != strings.Join(e.Topics, "|") {
					t.Errorf("licence %q, subject %q, topics %q; want %q, %q, %q", got.License, got.Subject, got.Topics, e.License, e.Subject, e.Topics)
				}
				diffBlocks(t, got.Blocks, e.Blocks)
				if w := text.Words(got.Text()); w != e.Words {
					t.Errorf("%d words, want %d", w, e.Words)
				}
			})
		}
	}
}
