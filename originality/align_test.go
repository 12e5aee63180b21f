package originality

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/ibid-dev/ibid"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func readTestdata(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// runeSlice returns the runes of s in sp.
func runeSlice(s string, sp ibid.Span) string {
	r := []rune(s)
	return string(r[sp.Offset:sp.End()])
}

// paragraph returns the n-th paragraph (0-based) of s.
func paragraph(s string, n int) string {
	return strings.Split(strings.TrimSpace(s), "\n\n")[n]
}

func TestAlign(t *testing.T) {
	src := readTestdata(t, "source.txt")
	other := readTestdata(t, "unrelated.txt")
	copied := paragraph(src, 1) + " " + paragraph(src, 2)
	tests := []struct {
		name   string
		passed string // the text taken from the source, or "" for none
		kinds  []ibid.MatchKind
	}{
		{"verbatim", copied, []ibid.MatchKind{ibid.Identical}},
		{"verbatim reflowed", strings.ReplaceAll(copied, " ", "\n"), []ibid.MatchKind{ibid.Identical}},
		{"synonyms", replaceWords(copied, map[string]string{
			"suddenly": "abruptly", "distant": "faraway", "enormous": "huge", "busy": "bustling",
			"gained": "profited", "natural": "obvious", "merchants": "traders", "competed": "vied",
		}), []ibid.MatchKind{ibid.MinorChanges, ibid.Paraphrased}},
		{"reordered sentences", strings.Join(reverseSentences(copied), " "), []ibid.MatchKind{ibid.Identical, ibid.MinorChanges}},
		{"shuffled words", swapWords(copied), []ibid.MatchKind{ibid.Paraphrased, ibid.MinorChanges}},
		{"unrelated", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sub := paragraph(other, 0) + "\n\n" + tt.passed + "\n\n" + paragraph(other, 2)
			if tt.passed == "" {
				sub = other
			}
			als := Align(sub, src, Options{})
			if tt.passed == "" {
				if len(als) != 0 {
					t.Fatalf("unrelated text: got %d alignments: %+v", len(als), als)
				}
				return
			}
			if len(als) == 0 {
				t.Fatal("no alignment")
			}
			// The alignments must cover most of the passed text and little else.
			start := utf8.RuneCountInString(paragraph(other, 0) + "\n\n")
			want := ibid.Span{Offset: start, Length: utf8.RuneCountInString(tt.passed)}
			got := 0
			for _, a := range als {
				lo, hi := max(a.Submitted.Offset, want.Offset), min(a.Submitted.End(), want.End())
				got += max(0, hi-lo)
				if a.Submitted.Offset < want.Offset-1 || a.Submitted.End() > want.End()+1 {
					t.Errorf("alignment %+v reaches outside the passed text %+v", a.Submitted, want)
				}
				if !containsKind(tt.kinds, a.Kind) {
					t.Errorf("kind %q, want one of %v", a.Kind, tt.kinds)
				}
				if a.Source.Offset < 0 || a.Source.End() > utf8.RuneCountInString(src) {
					t.Errorf("source span %+v outside the source", a.Source)
				}
			}
			if float64(got) < 0.8*float64(want.Length) {
				t.Errorf("covered %d of %d runes of the passed text: %+v", got, want.Length, als)
			}
		})
	}
}

func containsKind(ks []ibid.MatchKind, k ibid.MatchKind) bool {
	for _, x := range ks {
		if x == k {
			return true
		}
	}
	return false
}

func replaceWords(s string, m map[string]string) string {
	f := strings.Fields(s)
	for i, w := range f {
		if r, ok := m[w]; ok {
			f[i] = r
		}
	}
	return strings.Join(f, " ")
}

// swapWords swaps every second word with the next, the local reordering
// that spinning tools do.
func swapWords(s string) string {
	f := strings.Fields(s)
	for i := 0; i+1 < len(f); i += 3 {
		f[i], f[i+1] = f[i+1], f[i]
	}
	return strings.Join(f, " ")
}

func reverseSentences(s string) []string {
	parts := strings.SplitAfter(s, ". ")
	for i, j := 0, len(parts)-1; i < j; i, j = i+1, j-1 {
		parts[i], parts[j] = parts[j], parts[i]
	}
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return parts
}

// Offsets are runes on both sides, whatever the bytes: accented words,
// CJK, emoji, a BOM and CRLF line ends before the copied passage.
func TestAlignRuneOffsets(t *testing.T) {
	src := readTestdata(t, "source.txt")
	copied := paragraph(src, 4)
	src = "\ufeffÉtude préliminaire — 運河 🚢\r\n\r\n" + src
	sub := "Überblick: ça, 東京 et ☕ — “les canaux” …\r\n\r\n" + copied + "\r\n\r\nFin. Ω"
	als := Align(sub, src, Options{})
	if len(als) != 1 {
		t.Fatalf("got %d alignments, want 1: %+v", len(als), als)
	}
	a := als[0]
	if got := runeSlice(sub, a.Submitted); got != copied {
		t.Errorf("submitted span %+v gives %q, want %q", a.Submitted, got, copied)
	}
	if got := runeSlice(src, a.Source); got != copied {
		t.Errorf("source span %+v gives %q, want %q", a.Source, got, copied)
	}
	if a.Kind != ibid.Identical {
		t.Errorf("kind = %q, want identical", a.Kind)
	}
}

func TestAlignExclusions(t *testing.T) {
	src := readTestdata(t, "source.txt")
	other := readTestdata(t, "unrelated.txt")
	copied := paragraph(src, 3)
	tests := []struct {
		name string
		sub  string
		opt  Options
		want int // alignments
	}{
		{"quoted, kept", other + "\n\n“" + copied + "”", Options{}, 1},
		{"quoted, excluded", other + "\n\n“" + copied + "”", Options{ExcludeQuotes: true}, 0},
		{"straight quotes, excluded", other + "\n\n\"" + copied + "\"", Options{ExcludeQuotes: true}, 0},
		{"references, kept", other + "\n\nReferences\n\n" + copied, Options{}, 1},
		{"references, excluded", other + "\n\nReferences\n\n" + copied, Options{ExcludeReferences: true}, 0},
		{"bibliography heading, excluded", other + "\n\n7. Bibliography:\n" + copied, Options{ExcludeReferences: true}, 0},
		{"span, excluded", other + "\n\n" + copied, Options{Excluded: []ibid.Span{{Offset: utf8.RuneCountInString(other), Length: utf8.RuneCountInString(copied) + 2}}}, 0},
		{"under min words", other + "\n\n" + copied, Options{MinWords: 200}, 0},
		{"at min words", other + "\n\n" + copied, Options{MinWords: 40}, 1},
	}
	for _, tt := range tests {
		if got := Align(tt.sub, src, tt.opt); len(got) != tt.want {
			t.Errorf("%s: got %d alignments, want %d: %+v", tt.name, len(got), tt.want, got)
		}
	}
}

func TestQuoteSpans(t *testing.T) {
	blocks := []ibid.Block{
		{Type: ibid.Heading, Level: 1, Text: "Título"},
		{Type: ibid.Quote, Text: "Ça ira."},
		{Type: ibid.List, Items: []string{"a", "b"}},
		{Type: ibid.Quote, Text: "x"},
	}
	text := ibid.CanonicalText(blocks)
	got := QuoteSpans(blocks)
	var texts []string
	for _, s := range got {
		texts = append(texts, runeSlice(text, s))
	}
	if want := []string{"Ça ira.", "x"}; !reflect.DeepEqual(texts, want) {
		t.Errorf("quote spans give %q, want %q", texts, want)
	}
}

func TestAlignDeterministic(t *testing.T) {
	src := readTestdata(t, "source.txt")
	sub := paragraph(src, 2) + "\n\n" + readTestdata(t, "unrelated.txt") + "\n\n" + paragraph(src, 0)
	first := Align(sub, src, Options{})
	if len(first) != 2 {
		t.Fatalf("got %d alignments, want 2: %+v", len(first), first)
	}
	for i := 0; i < 5; i++ {
		if got := Align(sub, src, Options{}); !reflect.DeepEqual(got, first) {
			t.Fatalf("run %d differs: %+v vs %+v", i, got, first)
		}
	}
}

func TestSentences(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"The first sentence has words. The second one has more words! Does the third?", []string{
			"The first sentence has words.", "The second one has more words!"}},
		// short sentences join the next; initials and titles do not end one
		{"Stop. Mr. J. Smith went to the market today. Then he rested for hours and hours.\n\nA heading line\nfollowed by another line of text here", []string{
			"Stop. Mr. J. Smith went to the market today.", "Then he rested for hours and hours.",
			"A heading line\nfollowed by another line of text here"}},
	}
	for _, tt := range tests {
		p := prepare(tt.in, nil)
		var got []string
		for _, s := range p.sents {
			got = append(got, runeSlice(tt.in, ibid.Span{Offset: s.start, Length: s.end - s.start}))
		}
		// the last sentence of the first case is short and stays alone
		if len(got) > len(tt.want) {
			got = got[:len(tt.want)]
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("sentences of %q:\n got %q\nwant %q", tt.in, got, tt.want)
		}
	}
}

func FuzzPrepare(f *testing.F) {
	for _, name := range []string{"source.txt", "unrelated.txt"} {
		f.Add(readTestdata(f, name))
	}
	f.Add("“Quoted” \"straight\" «guillemets» References\n\nÉtude 運河 🚢\r\n")
	f.Fuzz(func(t *testing.T, s string) {
		n := utf8.RuneCountInString(s)
		p := prepare(s, exclusions(s, Options{ExcludeQuotes: true, ExcludeReferences: true}))
		prev := -1
		for _, w := range p.words {
			if w.off < prev || w.end <= w.off || w.end > n {
				t.Fatalf("bad word range %d–%d (prev %d, len %d)", w.off, w.end, prev, n)
			}
			prev = w.end
		}
		last := 0
		for _, sn := range p.sents {
			if sn.first != last || sn.last <= sn.first || sn.start > sn.end || sn.end > n {
				t.Fatalf("bad sentence %+v after word %d", sn, last)
			}
			last = sn.last
		}
		if last != len(p.words) {
			t.Fatalf("sentences end at word %d of %d", last, len(p.words))
		}
		for _, pr := range fingerprint(p) {
			if pr.Offset < 0 || pr.Offset >= max(n, 1) {
				t.Fatalf("print offset %d outside %d runes", pr.Offset, n)
			}
		}
	})
}

// A summary of the source in other words: one paraphrased passage whose
// source side spans most of the source.
func TestAlignSummary(t *testing.T) {
	src := readTestdata(t, "source.txt")
	other := readTestdata(t, "unrelated.txt")
	sum := readTestdata(t, "summary.txt")
	sub := paragraph(other, 0) + "\n\n" + sum + "\n\n" + paragraph(other, 2)
	als := Align(sub, src, Options{})
	if len(als) != 1 {
		t.Fatalf("got %d alignments, want 1: %+v", len(als), als)
	}
	a := als[0]
	if got := runeSlice(sub, a.Submitted); got != strings.TrimSpace(sum) {
		t.Errorf("submitted span %q, want the whole summary", got)
	}
	if n := utf8.RuneCountInString(src); a.Source.Length < n/2 {
		t.Errorf("source span %+v covers less than half of the %d-rune source", a.Source, n)
	}
	if a.Kind != ibid.Paraphrased {
		t.Errorf("kind %q, want paraphrased", a.Kind)
	}
}

// TestAlignGolden keeps the alignments of fixed cases in a golden file, so
// that any change of the engine's output shows in review. Refresh it with
// go test -run TestAlignGolden -update.
func TestAlignGolden(t *testing.T) {
	src := readTestdata(t, "source.txt")
	other := readTestdata(t, "unrelated.txt")
	cases := map[string]string{
		"verbatim":  paragraph(other, 0) + "\n\n" + paragraph(src, 1) + "\n\n" + paragraph(other, 1),
		"shuffled":  paragraph(other, 0) + "\n\n" + swapWords(paragraph(src, 2)+" "+paragraph(src, 3)),
		"summary":   readTestdata(t, "summary.txt"),
		"unrelated": other,
	}
	got := map[string][]Alignment{}
	for name, sub := range cases {
		got[name] = Align(sub, src, Options{})
	}
	b, err := json.MarshalIndent(got, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden(t, filepath.Join("testdata", "align.golden.json"), string(b)+"\n")
}

// FuzzAlign checks that any pair of texts aligns without panicking and with
// spans inside both texts.
func FuzzAlign(f *testing.F) {
	src := readTestdata(f, "source.txt")
	f.Add(paragraph(src, 1)+"\n\n“"+paragraph(src, 2)+"”", src)
	f.Add(readTestdata(f, "summary.txt"), src)
	f.Add("a. b. c.\r\n\r\n\ufeff", "")
	f.Fuzz(func(t *testing.T, sub, src string) {
		ns, nr := utf8.RuneCountInString(sub), utf8.RuneCountInString(src)
		for _, a := range Align(sub, src, Options{ExcludeQuotes: true, MinWords: 1}) {
			if a.Submitted.Offset < 0 || a.Submitted.Length <= 0 || a.Submitted.End() > ns ||
				a.Source.Offset < 0 || a.Source.Length <= 0 || a.Source.End() > nr {
				t.Fatalf("alignment %+v outside texts of %d and %d runes", a, ns, nr)
			}
		}
	})
}

// golden compares got with the file at path, or writes it with -update.
func golden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs (rerun with -update if the change is intended):\n%s", path, got)
	}
}
