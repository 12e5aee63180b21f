package extract

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/ibid-dev/ibid"
)

// The fuzz targets feed arbitrary bytes to each extractor and check that
// it neither panics nor returns more than its input could hold, and that
// every failure is a one-line *ibid.Error. Seeds are the fixtures plus
// f.Add cases; the fuzzer's finds go to testdata/fuzz/FuzzXxx.

var fuzzOptions = Options{MaxBytes: 1 << 20, MaxUnpacked: 4 << 20, MaxXMLDepth: 64}

func fuzzCheck(t *testing.T, name string, data []byte, maxText int) {
	doc, err := Read(name, data, fuzzOptions)
	if err != nil {
		code := ibid.ErrorCode(err)
		if code != ibid.EINVALID && code != ibid.ETOOLARGE {
			t.Fatalf("error %v has code %q", err, code)
		}
		if msg := ibid.ErrorMessage(err); msg == "" || strings.ContainsAny(msg, "\r\n") {
			t.Fatalf("error message %q is not one line", msg)
		}
		return
	}
	if len(doc.Blocks) == 0 {
		t.Fatal("document without blocks and without error")
	}
	txt := doc.Text()
	if len(txt) > maxText {
		t.Fatalf("%d bytes of text from %d bytes of input", len(txt), len(data))
	}
	if !utf8.ValidString(txt) || !utf8.ValidString(doc.Title) {
		t.Fatal("output is not valid UTF-8")
	}
	for _, b := range doc.Blocks {
		if b.Type == ibid.Heading && (b.Level < 1 || b.Level > 3) {
			t.Fatalf("heading level %d", b.Level)
		}
		if b.Type != ibid.List && b.Text == "" || b.Type == ibid.List && len(b.Items) == 0 {
			t.Fatalf("empty block %+v", b)
		}
	}
}

// textBound allows for Windows-1252 bytes that become three UTF-8 bytes
// and for NFC's rare expansions.
func textBound(n int) int { return 8*n + 64 }

func FuzzText(f *testing.F) {
	f.Add(readFixture(f, "essay.txt"))
	f.Add(readFixture(f, "cp1252.txt"))
	f.Add([]byte("Title\n\n• a\n• b\n\n1) c\n> quote\n\f2.1 Sub"))
	f.Add([]byte("\xff\xfeH\x00i\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzCheck(t, "f.txt", data, textBound(len(data)))
	})
}

func FuzzMarkdown(f *testing.F) {
	f.Add(readFixture(f, "essay.md"))
	f.Add([]byte("---\ntitle: x\ntags:\n - a\n---\n# H\n\n> q\n\n1. a\n   - b\n\n<div>x</div>"))
	f.Add([]byte("---\n---\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzCheck(t, "f.md", data, textBound(len(data)))
	})
}

func FuzzHTML(f *testing.F) {
	f.Add(readFixture(f, "essay.html"))
	f.Add([]byte(`<ul><li>a<ol><li>b</li></ol></li></ul><blockquote><ul><li>q</li></ul></blockquote><table><tr><td><table><tr><td>x</td></tr></table></td></tr></table>`))
	f.Add([]byte(`<meta charset="shift_jis"><p>` + "\x82\xa0" + `</p>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzCheck(t, "f.html", data, textBound(len(data)))
	})
}

func FuzzDOCX(f *testing.F) {
	f.Add(testDOCX(f))
	f.Add(buildZip(f, part{"word/document.xml", wordDocument(wp("Heading1", 0, 0, "H") + wp("", 1, 1, "item"))}))
	f.Add([]byte("PK\x05\x06" + strings.Repeat("\x00", 18)))
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzCheck(t, "f.docx", data, int(fuzzOptions.MaxUnpacked))
	})
}

// FuzzPDF exercises the pure-Go reader only: running pdftotext for every
// input would make fuzzing crawl, and poppler is fuzzed by its own project.
func FuzzPDF(f *testing.F) {
	f.Add(testPDF(f))
	f.Add(buildPDF(f, nil, nil))
	f.Add(rawContentPDF(f, "BT /F1 12 Tf 0 0 Td [(a) -300 (b)] TJ T* (c) ' ET"))
	f.Fuzz(func(t *testing.T, data []byte) {
		withGoPDF(t)
		fuzzCheck(t, "f.pdf", data, 2*int(fuzzOptions.MaxUnpacked))
	})
}
