package pdf

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/ibid-dev/ibid"
	"time"
)

var outDir = flag.String("out", "", "write the test PDFs to this directory to look at them")

func fixedNow() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }

func export(t testing.TB, opt Options, e *ibid.Essay) []byte {
	t.Helper()
	if opt.Now == nil {
		opt.Now = fixedNow
	}
	x, err := New(opt)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := x.Export(&buf, e); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func save(t *testing.T, name string, b []byte) {
	if *outDir == "" {
		return
	}
	if err := os.WriteFile(filepath.Join(*outDir, name), b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestSample(t *testing.T) {
	e := sampleEssay(3836)
	b := export(t, Options{SiteName: "ibid library", BaseURL: "https://essays.example.org", Fallback: SystemFallbacks()}, e)
	save(t, "sample.pdf", b)
	t.Logf("%d bytes", len(b))
}
