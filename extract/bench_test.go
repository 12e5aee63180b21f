package extract

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Benchmarks read essay-sized inputs (about 100 KB of text, some 15,000
// words) in each format; b.SetBytes makes them report MB/s of input.

func benchRead(b *testing.B, name string, data []byte) {
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Read(name, data, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkReadText(b *testing.B) {
	benchRead(b, "essay.txt", bytes.Repeat(append(readFixture(b, "essay.txt"), '\n'), 80))
}

func BenchmarkReadMarkdown(b *testing.B) {
	md := readFixture(b, "essay.md")
	_, body := splitFrontMatter(string(md))
	benchRead(b, "essay.md", []byte(string(md)+strings.Repeat(body+"\n", 60)))
}

func BenchmarkReadHTML(b *testing.B) {
	page := string(readFixture(b, "essay.html"))
	i := strings.Index(page, "<p>When Luther")
	j := strings.Index(page, "</article>")
	benchRead(b, "essay.html", []byte(page[:j]+strings.Repeat(page[i:j], 60)+page[j:]))
}

func BenchmarkReadDOCX(b *testing.B) {
	var body strings.Builder
	for i := range 600 {
		if i%10 == 0 {
			body.WriteString(wp("Heading1", 0, 0, fmt.Sprintf("Section %d", i/10)))
		}
		body.WriteString(wp("", 0, 0, "The Nile crosses eleven countries, and its waters are shared by treaty and by habit; upstream states were not parties to the agreement of 1959.|"))
		body.WriteString(wp("ListParagraph", 1, 0, "Egypt received the larger share."))
	}
	benchRead(b, "nile.docx", buildZip(b,
		part{"word/document.xml", wordDocument(body.String())},
		part{"word/styles.xml", testStyles},
		part{"word/numbering.xml", testNumbering},
		part{"docProps/core.xml", testCore}))
}

// benchPDF is a 40-page PDF of wrapped paragraphs.
func benchPDF(b testing.TB) []byte {
	var pages [][]testLine
	for range 40 {
		var lines []testLine
		for l := range 45 {
			y := 740 - float64(l)*15
			if l%9 == 8 {
				continue // a blank line between paragraphs
			}
			lines = append(lines, testLine{11, y, "For centuries goods and ideas moved along a web of routes between"})
		}
		pages = append(pages, lines)
	}
	return buildPDF(b, map[string]string{"Title": "Bench"}, pages...)
}

func BenchmarkReadPDFGo(b *testing.B) {
	withGoPDF(b)
	benchRead(b, "bench.pdf", benchPDF(b))
}

func BenchmarkReadPDFPdftotext(b *testing.B) {
	needPdftotext(b)
	benchRead(b, "bench.pdf", benchPDF(b))
}

// BenchmarkPDFTextRebuild rebuilds paragraphs from 2 MB of hyphenated
// lines over 10,000 pages: its time must grow linearly with the input.
func BenchmarkPDFTextRebuild(b *testing.B) {
	in := strings.Repeat("a line of hyphen-\nated text on a page\n\n12\n\f", 10000)
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		textBlocks(in, true)
	}
}

// BenchmarkReadPAN13 reads the PAN13 training corpus's source texts, the
// import the issue #14 measures (../shared; skipped when absent): plain
// text, so the time is decoding, structure and boilerplate removal.
func BenchmarkReadPAN13(b *testing.B) {
	names, _ := filepath.Glob(filepath.Join("..", "..", "shared", "corpora", "pan13-train", "src", "*.txt"))
	if len(names) == 0 {
		b.Skip("PAN13 corpus absent (../shared/corpora/pan13-train)")
	}
	files := make([][]byte, len(names))
	var size int64
	for i, n := range names {
		files[i] = readFile(b, n)
		size += int64(len(files[i]))
	}
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		for i, data := range files {
			// A few of the texts are refused as binary, as the import
			// refuses them: that is part of its cost.
			Read(filepath.Base(names[i]), data, Options{})
		}
	}
}

func readFile(tb testing.TB, name string) []byte {
	tb.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		tb.Fatal(err)
	}
	return data
}
