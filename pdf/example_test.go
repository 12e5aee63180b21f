package pdf_test

import (
	"bytes"
	"fmt"
	"log"
	"time"

	"github.com/ibid-dev/ibid"
	"github.com/ibid-dev/ibid/pdf"
)

func ExampleNew() {
	x, err := pdf.New(pdf.Options{
		PageSize: "A4",
		Fonts:    pdf.SystemSerif(), // DejaVu Serif when installed, else the Go fonts
		SiteName: "ibid library",
		BaseURL:  "https://essays.example.org",
		Fallback: pdf.SystemFallbacks(), // DejaVu, when installed, for Hebrew, Arabic, polytonic Greek
		Cite: func(e *ibid.Essay) []pdf.CiteEntry {
			return []pdf.CiteEntry{{Style: "APA", Text: e.Author + ". <i>" + e.Title + "</i>. ibid library."}}
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	e := &ibid.Essay{
		Slug: "on-essays", Title: "On Essays", Author: "Ana Novák",
		Published: time.Date(2020, 9, 17, 0, 0, 0, 0, time.UTC),
		Blocks: []ibid.Block{
			{Type: ibid.Heading, Level: 1, Text: "Beginnings"},
			{Type: ibid.Paragraph, Text: "Montaigne called them attempts."},
		},
	}
	var buf bytes.Buffer
	if err := x.Export(&buf, e); err != nil {
		log.Fatal(err)
	}
	ext, label, contentType := x.Format()
	fmt.Println(ext, label, contentType, bytes.HasPrefix(buf.Bytes(), []byte("%PDF-")))
	// Output: pdf PDF application/pdf true
}
