package pdf

import (
	"io"
	"testing"
)

// BenchmarkPDF8Pages typesets a 3,836-word essay ("8 pages"); the target is
// 30 ms or less per essay.
func BenchmarkPDF8Pages(b *testing.B) {
	e := sampleEssay(3836)
	x := newExporter(b, Options{SiteName: "ibid library", BaseURL: "https://essays.example.org"})
	n := 0
	b.ReportAllocs()
	for b.Loop() {
		w := &countWriter{}
		if err := x.Export(w, e); err != nil {
			b.Fatal(err)
		}
		n = w.n
	}
	b.ReportMetric(float64(n), "bytes/pdf")
}

// BenchmarkPDF8PagesSerif is BenchmarkPDF8Pages in DejaVu Serif, a larger
// font than Go's, with the DejaVu fallbacks.
func BenchmarkPDF8PagesSerif(b *testing.B) {
	fs := SystemSerif()
	if fs == (Fonts{}) {
		b.Skip("DejaVu Serif is not installed")
	}
	e := sampleEssay(3836)
	x := newExporter(b, Options{Fonts: fs, Fallback: SystemFallbacks(), SiteName: "ibid library", BaseURL: "https://essays.example.org"})
	n := 0
	b.ReportAllocs()
	for b.Loop() {
		w := &countWriter{}
		if err := x.Export(w, e); err != nil {
			b.Fatal(err)
		}
		n = w.n
	}
	b.ReportMetric(float64(n), "bytes/pdf")
}

// BenchmarkPDF200Pages typesets a 100,000-word essay.
func BenchmarkPDF200Pages(b *testing.B) {
	e := sampleEssay(100_000)
	x := newExporter(b, Options{SiteName: "ibid library", BaseURL: "https://essays.example.org"})
	n := 0
	b.ReportAllocs()
	for b.Loop() {
		w := &countWriter{}
		if err := x.Export(w, e); err != nil {
			b.Fatal(err)
		}
		n = w.n
	}
	b.ReportMetric(float64(n), "bytes/pdf")
}

// BenchmarkNew measures the one-time cost of parsing the fonts.
func BenchmarkNew(b *testing.B) {
	for b.Loop() {
		if _, err := New(Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

type countWriter struct{ n int }

func (c *countWriter) Write(p []byte) (int, error) { c.n += len(p); return len(p), nil }

var _ io.Writer = (*countWriter)(nil)

// BenchmarkNewSerif measures parsing DejaVu Serif's four styles and the two
// fallbacks, what the export command and the server do once at start.
func BenchmarkNewSerif(b *testing.B) {
	fs := SystemSerif()
	if fs == (Fonts{}) {
		b.Skip("DejaVu Serif is not installed")
	}
	for b.Loop() {
		if _, err := New(Options{Fonts: fs, Fallback: SystemFallbacks()}); err != nil {
			b.Fatal(err)
		}
	}
}
