package pan

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestDetectionsRoundTrip(t *testing.T) {
	p := Pair{Susp: "suspicious-document00005.txt", Src: "source-document01090.txt"}
	dets := []Case{
		{Susp: p.Susp, Src: p.Src, SuspOffset: 3593, SuspLength: 698, SrcOffset: 1300, SrcLength: 698},
		{Susp: p.Susp, Src: p.Src, SuspOffset: 10, SuspLength: 20, SrcOffset: 0, SrcLength: 5},
	}
	var b bytes.Buffer
	if err := WriteDetections(&b, p, dets); err != nil {
		t.Fatal(err)
	}
	got, err := ReadCases(&b)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, dets) {
		t.Errorf("round trip:\n got %+v\nwant %+v", got, dets)
	}
	if p.Name() != "suspicious-document00005-source-document01090.xml" {
		t.Errorf("Name = %q", p.Name())
	}
}

func TestReadCasesSkipsOtherFeatures(t *testing.T) {
	const doc = `<document reference="s.txt">
	<feature  name="about" authors="DUC2006" title="news" language="en" />
	<feature  name="plagiarism" obfuscation="summary" this_offset="3822" this_length="593" source_reference="r.txt" source_offset="0" source_length="5861" />
</document>`
	got, err := ReadCases(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	want := []Case{{Susp: "s.txt", Src: "r.txt", SuspOffset: 3822, SuspLength: 593, SrcOffset: 0, SrcLength: 5861, Obfuscation: "summary"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
	if _, err := ReadCases(strings.NewReader(`<document reference="s"><feature name="plagiarism" this_offset="x"/></document>`)); err == nil {
		t.Error("bad number: no error")
	}
}

func TestReadPairs(t *testing.T) {
	got, err := ReadPairs(strings.NewReader("a.txt b.txt\n\nc.txt  d.txt\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := []Pair{{"a.txt", "b.txt"}, {"c.txt", "d.txt"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if _, err := ReadPairs(strings.NewReader("a.txt\n")); err == nil {
		t.Error("one name: no error")
	}
}

func TestReadTextKeepsCodePoints(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name  string
		raw   []byte
		runes int
		want  string
	}{
		{"bom and crlf", []byte("\ufeffab\r\ncd"), 7, "\ufeffab\r\ncd"},
		{"utf8", []byte("café"), 4, "café"},
		{"windows-1252", []byte("caf\xe9 \x93q\x94"), 8, "café “q”"},
	}
	for _, tt := range tests {
		path := filepath.Join(dir, tt.name)
		if err := os.WriteFile(path, tt.raw, 0o644); err != nil {
			t.Fatal(err)
		}
		got, err := ReadText(path)
		if err != nil {
			t.Fatal(err)
		}
		if got != tt.want || utf8.RuneCountInString(got) != tt.runes {
			t.Errorf("%s: got %q (%d runes), want %q (%d)", tt.name, got, utf8.RuneCountInString(got), tt.want, tt.runes)
		}
	}
}

// corpusDir returns the shared PAN13 training corpus, skipping when absent.
func corpusDir(t testing.TB) string {
	dir := filepath.Join("..", "..", "shared", "corpora", "pan13-train")
	if _, err := os.Stat(filepath.Join(dir, "pairs")); err != nil {
		t.Skip("PAN13 corpus not present at ../shared/corpora/pan13-train")
	}
	return dir
}

func TestOpenSharedCorpus(t *testing.T) {
	c, err := Open(corpusDir(t))
	if err != nil {
		t.Fatal(err)
	}
	pairs := 0
	for _, s := range c.SubCorpora {
		pairs += len(s.Pairs)
	}
	if len(c.SubCorpora) != 5 || pairs != 5185 {
		t.Fatalf("got %d sub-corpora and %d pairs, want 5 and 5185", len(c.SubCorpora), pairs)
	}
	// Truth scored against itself is perfect; the summary sub-corpus has
	// 238 cases among its 1,185 pairs.
	sum := c.SubCorpora[4]
	truth, err := sum.Truth()
	if err != nil {
		t.Fatal(err)
	}
	if len(truth) != 238 {
		t.Errorf("summary cases = %d, want 238", len(truth))
	}
	if s := Score(truth, truth); s.Plagdet != 1 {
		t.Errorf("truth against itself: %+v", s)
	}
	// Every truth range lies inside its documents.
	for _, tc := range truth[:20] {
		src, err := ReadText(c.SrcPath(tc.Src))
		if err != nil {
			t.Fatal(err)
		}
		if n := utf8.RuneCountInString(src); tc.SrcOffset+tc.SrcLength > n {
			t.Errorf("%s: source range ends at %d beyond %d", tc.Src, tc.SrcOffset+tc.SrcLength, n)
		}
	}
}

func FuzzReadCases(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "*.xml"))
	for _, s := range seeds {
		b, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		cs, err := ReadCases(bytes.NewReader(b))
		if err != nil {
			return
		}
		for _, c := range cs {
			if c.SuspOffset < 0 || c.SuspLength < 0 || c.SrcOffset < 0 || c.SrcLength < 0 {
				t.Fatalf("negative field in %+v", c)
			}
		}
	})
}
