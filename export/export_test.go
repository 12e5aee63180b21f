package export

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ibid-dev/ibid"
)

var (
	update = flag.Bool("update", false, "rewrite the golden files in testdata")
	outDir = flag.String("out", "", "also write the documents to this directory, to look at them")
)

func fixedNow() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }

var testOpts = Options{SiteName: "ibid library", BaseURL: "https://essays.example.org/", Now: fixedNow}

// loadEssay reads testdata/essay.json, an essay written to trip every
// format: Markdown's special characters, lists that follow lists, long
// numbered lists, curly quotes, dashes, Cyrillic, polytonic Greek, Japanese.
func loadEssay(t testing.TB) *ibid.Essay {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "essay.json"))
	if err != nil {
		t.Fatal(err)
	}
	var e ibid.Essay
	if err := json.Unmarshal(b, &e); err != nil {
		t.Fatal(err)
	}
	e.Text = ibid.CanonicalText(e.Blocks)
	return &e
}

func exportBytes(t testing.TB, x ibid.Exporter, e *ibid.Essay) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := x.Export(&buf, e); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file; got:\n%s", name, got)
	}
}

func TestFormats(t *testing.T) {
	want := map[string][2]string{
		"md":   {"Markdown", "text/markdown; charset=utf-8"},
		"txt":  {"Plain text", "text/plain; charset=utf-8"},
		"docx": {"Word", DOCXType},
	}
	for _, x := range All(Options{}) {
		ext, label, ct := x.Format()
		if w, ok := want[ext]; !ok || w[0] != label || w[1] != ct {
			t.Errorf("Format() = %q, %q, %q", ext, label, ct)
		}
		delete(want, ext)
		if err := x.Export(&bytes.Buffer{}, nil); ibid.ErrorCode(err) != ibid.EINVALID {
			t.Errorf("%s: nil essay gives %v, want EINVALID", ext, err)
		}
	}
	if len(want) > 0 {
		t.Errorf("missing exporters: %v", want)
	}
}

// TestBadInput exports essays no one should write: nothing may panic and
// every format must give output.
func TestBadInput(t *testing.T) {
	long := bytes.Repeat([]byte("x"), 2000)
	cases := map[string]*ibid.Essay{
		"empty":   {},
		"no body": {Title: "Only a title"},
		"control": {Title: "Bell\x07\x00", Blocks: []ibid.Block{{Type: ibid.Paragraph, Text: "esc \x1b[0m \x7f \ufffe \U0001F600 \xff"}}},
		"odd blocks": {Title: "Odd", Blocks: []ibid.Block{
			{Type: ibid.Heading, Level: 0, Text: "zero"}, {Type: ibid.Heading, Level: 7, Text: "seven"},
			{Type: "table", Text: "unknown"}, {Type: ibid.List}, {Type: ibid.List, Items: []string{"", " "}},
			{Type: ibid.Paragraph, Text: string(long)}, {Type: ibid.Quote, Text: "שלום עולם مرحبا"},
		}},
	}
	for name, e := range cases {
		for _, x := range All(testOpts) {
			if out := exportBytes(t, x, e); len(out) == 0 {
				ext, _, _ := x.Format()
				t.Errorf("%s: %s is empty", name, ext)
			}
		}
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, os.ErrClosed }

func TestWriteError(t *testing.T) {
	e := loadEssay(t)
	for _, x := range All(testOpts) {
		if err := x.Export(failWriter{}, e); err == nil {
			ext, _, _ := x.Format()
			t.Errorf("%s: a failing writer gives no error", ext)
		}
	}
}
