package originality

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/ibid-dev/ibid"
	"github.com/ibid-dev/ibid/text"
)

func testLibrary(t testing.TB) *MemoryIndex {
	m := NewMemoryIndex()
	m.Add(1, "bees", "Bees", readTestdata(t, "unrelated.txt"))
	m.Add(2, "erie-canal", "The Erie Canal", readTestdata(t, "source.txt"))
	m.Add(3, "noise", "Noise", generated(rand.New(rand.NewSource(3)), 400))
	return m
}

func TestCheck(t *testing.T) {
	ctx := context.Background()
	lib := testLibrary(t)
	src := readTestdata(t, "source.txt")
	own := generated(rand.New(rand.NewSource(7)), 150)
	sub := own + "\n\n" + paragraph(src, 2) + "\n\n" + paragraph(src, 4)

	rep, err := Check(ctx, sub, lib, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Words != text.Words(sub) {
		t.Errorf("Words = %d, want %d", rep.Words, text.Words(sub))
	}
	if len(rep.Sources) != 1 || rep.Sources[0].Slug != "erie-canal" || rep.Sources[0].Title != "The Erie Canal" {
		t.Fatalf("sources = %+v, want the Erie Canal only", rep.Sources)
	}
	copiedWords := text.Words(paragraph(src, 2)) + text.Words(paragraph(src, 4))
	want := float64(copiedWords) / float64(rep.Words)
	if d := rep.Similarity - want; d < -0.02 || d > 0.02 {
		t.Errorf("Similarity = %.3f, want about %.3f", rep.Similarity, want)
	}
	if rep.Sources[0].Similarity != rep.Similarity {
		t.Errorf("one source: its similarity %.3f differs from the report's %.3f", rep.Sources[0].Similarity, rep.Similarity)
	}
	for _, p := range rep.Sources[0].Passages {
		if got, want := runeSlice(sub, p.Submitted), runeSlice(src, p.Source); got != want || p.Kind != ibid.Identical {
			t.Errorf("passage %+v: %q vs %q", p, got, want)
		}
	}

	// Excluding the source leaves nothing.
	rep2, err := Check(ctx, sub, lib, Options{ExcludeSources: []int64{2}})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep2.Sources) != 0 || rep2.Similarity != 0 {
		t.Errorf("excluded source still reported: %+v", rep2)
	}

	// The same check gives the same report, byte for byte.
	a, _ := json.Marshal(rep)
	rep3, err := Check(ctx, sub, lib, Options{})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(rep3)
	if string(a) != string(b) {
		t.Errorf("reports differ:\n%s\n%s", a, b)
	}
}

func TestCheckEmptyAndOriginal(t *testing.T) {
	lib := testLibrary(t)
	for _, s := range []string{"", "   ", generated(rand.New(rand.NewSource(11)), 300)} {
		rep, err := Check(context.Background(), s, lib, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Similarity != 0 || len(rep.Sources) != 0 || rep.Sources == nil {
			t.Errorf("%.20q: got %+v, want an empty report with an empty source list", s, rep)
		}
		if rep.Spin == nil || rep.Spin.Phrases == nil {
			t.Errorf("%.20q: spin %+v, want a spin section with a phrase list", s, rep.Spin)
		}
	}
}

// TestCheckCarriesSpin: a report has the spin flags of the submitted text
// whether or not the library matches it.
func TestCheckCarriesSpin(t *testing.T) {
	lib := testLibrary(t)
	txt := "Nothing in the library says that our laboratory studies unreal intelligence."
	rep, err := Check(context.Background(), txt, lib, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Spin == nil || len(rep.Spin.Phrases) != 1 || rep.Spin.Phrases[0].Likely != "artificial intelligence" {
		t.Fatalf("spin = %+v, want the phrase \"unreal intelligence\"", rep.Spin)
	}
	if p := rep.Spin.Phrases[0]; string([]rune(txt)[p.Offset:p.Offset+p.Length]) != "unreal intelligence" {
		t.Errorf("phrase at %d+%d is not where the text has it", p.Offset, p.Length)
	}
}

func TestReportJSON(t *testing.T) {
	rep := ibid.Report{Similarity: 0.25, Words: 40, Sources: []ibid.SourceMatch{{
		EssayID: 9, Slug: "s", Title: "T", Similarity: 0.25,
		Passages: []ibid.Passage{{Kind: ibid.MinorChanges, Submitted: ibid.Span{Offset: 1, Length: 2}, Source: ibid.Span{Offset: 3, Length: 4}}},
	}}, Spin: &ibid.SpinReport{Score: 0.75, Flagged: true, Phrases: []ibid.SpinPhrase{
		{Offset: 5, Length: 19, Text: "unreal intelligence", Likely: "artificial intelligence"},
	}}}
	b, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"similarity":0.25,"words":40,"sources":[{"slug":"s","title":"T","similarity":0.25,"passages":[{"kind":"minor_changes","submitted":{"offset":1,"length":2},"source":{"offset":3,"length":4}}]}],` +
		`"spin":{"score":0.75,"flagged":true,"phrases":[{"offset":5,"length":19,"text":"unreal intelligence","likely":"artificial intelligence"}]}}`
	if string(b) != want {
		t.Errorf("JSON\n got %s\nwant %s", b, want)
	}
}

func TestFingerprint(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	// density on English prose, where about half the words are stop words
	a := readTestdata(t, "source.txt") + "\n\n" + readTestdata(t, "unrelated.txt")
	prints := Fingerprint(a)
	words := text.Words(a)
	if density := float64(len(prints)) / float64(words); density > 0.5 || density < 0.2 {
		t.Errorf("%d prints for %d words (%.2f a word), want between 0.2 and 0.5", len(prints), words, density)
	}
	starts := map[int]bool{}
	for _, tok := range text.Tokens(a) {
		starts[tok.Offset] = true
	}
	for _, p := range prints {
		if !starts[p.Offset] {
			t.Fatalf("print offset %d is not the start of a word", p.Offset)
		}
	}
	if !reflect.DeepEqual(prints, Fingerprint(a)) {
		t.Error("Fingerprint is not deterministic")
	}
	// Any shared run of 8 words gives a shared print, wherever it sits.
	b := generated(r, 2000)
	bw := strings.Fields(b)
	for k := 0; k < 20; k++ {
		aw := strings.Fields(generated(r, 300))
		at := r.Intn(len(aw) - 8)
		run := aw[at : at+8]
		c := strings.Join(bw[:1000], " ") + " " + strings.Join(run, " ") + " " + strings.Join(bw[1000:], " ")
		if shared(Fingerprint(strings.Join(aw, " ")), Fingerprint(c)) == 0 {
			t.Fatalf("8-word run %q: no shared print", strings.Join(run, " "))
		}
	}
}

func shared(a, b []ibid.Print) int {
	set := map[uint64]bool{}
	for _, p := range a {
		set[p.Hash] = true
	}
	n := 0
	for _, p := range b {
		if set[p.Hash] {
			n++
		}
	}
	return n
}

// generated returns n words of random text over a vocabulary large enough
// that two generated texts share no long runs.
func generated(r *rand.Rand, n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		if i > 0 {
			if i%15 == 0 {
				b.WriteString(". ")
			} else {
				b.WriteByte(' ')
			}
		}
		l := 3 + r.Intn(7)
		for j := 0; j < l; j++ {
			b.WriteByte(byte('a' + r.Intn(26)))
		}
	}
	b.WriteByte('.')
	return b.String()
}

// panSources returns the source documents of the PAN13 training corpus when
// present (up to n of them), else nil.
func panSources(tb testing.TB, n int) []string {
	dir := filepath.Join("..", "..", "shared", "corpora", "pan13-train", "src")
	names, err := filepath.Glob(filepath.Join(dir, "*.txt"))
	if err != nil || len(names) == 0 {
		return nil
	}
	sort.Strings(names)
	if len(names) > n {
		names = names[:n]
	}
	out := make([]string, 0, len(names))
	for _, name := range names {
		b, err := os.ReadFile(name)
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, string(b))
	}
	return out
}

// benchLibrary builds a library from the PAN13 source documents when present,
// from generated text otherwise, and a 4,000-word query that copies from
// three of its texts.
func benchLibrary(b *testing.B) (*MemoryIndex, string) {
	r := rand.New(rand.NewSource(42))
	texts := panSources(b, 5000)
	if texts == nil {
		b.Log("PAN13 corpus absent: library of generated text")
		for i := 0; i < 3000; i++ {
			texts = append(texts, generated(r, 1500))
		}
	}
	lib := NewMemoryIndex()
	for i, s := range texts {
		lib.Add(int64(i+1), fmt.Sprintf("doc-%d", i+1), "", s)
	}
	// 2,200 new words and 600 of each of three library texts: 4,000 words,
	// so that the cut below keeps all three passages.
	var q []string
	q = append(q, strings.Fields(generated(r, 2200))...)
	for _, k := range []int{10, 200, 400} {
		w := strings.Fields(texts[k%len(texts)])
		q = append(q, w[:min(600, len(w))]...)
	}
	// cut at exactly 4,000 words
	s := strings.Join(q, " ")
	toks := text.Tokens(s)
	if len(toks) > 4000 {
		s = string([]rune(s)[:toks[4000].Offset])
	}
	return lib, s
}

func BenchmarkCheck(b *testing.B) {
	lib, q := benchLibrary(b)
	texts, postings := lib.Len()
	b.Logf("library: %d texts, %d postings; query %d words", texts, postings, text.Words(q))
	ctx := context.Background()
	rep, err := Check(ctx, q, lib, Options{})
	if err != nil {
		b.Fatal(err)
	}
	// the query copies 600 words from each of three library texts
	if len(rep.Sources) < 3 {
		b.Fatalf("found %d sources, want at least 3: %+v", len(rep.Sources), rep.Sources)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Check(ctx, q, lib, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFingerprint(b *testing.B) {
	s := generated(rand.New(rand.NewSource(5)), 4000)
	if texts := panSources(b, 1); texts != nil {
		s = texts[0]
	}
	b.SetBytes(int64(len(s)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		Fingerprint(s)
	}
}

func BenchmarkAlign(b *testing.B) {
	texts := panSources(b, 2)
	if len(texts) < 2 {
		r := rand.New(rand.NewSource(9))
		texts = []string{generated(r, 4000), generated(r, 4000)}
	}
	x, y := Prepare(texts[0], Options{}), Prepare(texts[1], Options{})
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		AlignTexts(x, y, Options{})
	}
}

// BenchmarkIndex measures building the in-memory index of the PAN13 source
// documents (or of generated text when the corpus is absent).
func BenchmarkIndex(b *testing.B) {
	texts := panSources(b, 5000)
	if texts == nil {
		r := rand.New(rand.NewSource(42))
		for i := 0; i < 300; i++ {
			texts = append(texts, generated(r, 1500))
		}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		lib := NewMemoryIndex()
		for k, s := range texts {
			lib.Add(int64(k+1), "", "", s)
		}
	}
}

// BenchmarkFingerprintPAN13 fingerprints every source text of the PAN13
// training corpus (../shared; skipped when absent), as its import does.
func BenchmarkFingerprintPAN13(b *testing.B) {
	texts := panSources(b, 5000)
	if texts == nil {
		b.Skip("PAN13 corpus absent (../shared/corpora/pan13-train)")
	}
	var size int64
	for _, s := range texts {
		size += int64(len(s))
	}
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		for _, s := range texts {
			Fingerprint(s)
		}
	}
}

// TestRankCandidatesOrdered checks that ranking postings in the stores'
// order (by hash, then essay) through the essays' table gives what the
// maps give on the same postings (as check ranked them before), with
// common prints (held by more than maxPostings essays), exclusions and
// ties. (Postings out of that order are ranked by the maps.)
func TestRankCandidatesOrdered(t *testing.T) {
	r := rand.New(rand.NewSource(9))
	found := 0
	for round := range 50 {
		var posts []ibid.Posting
		for h := range uint64(1 + r.Intn(300)) {
			n := 1 + r.Intn(8)
			if r.Intn(40) == 0 {
				n = maxPostings + 1 + r.Intn(3)
			}
			for _, id := range r.Perm(max(n, 1200))[:n] {
				posts = append(posts, ibid.Posting{Hash: h*7919 + 3, EssayID: int64(id % (50 + round*30))})
			}
		}
		slices.SortFunc(posts, func(x, y ibid.Posting) int {
			return cmp.Or(cmp.Compare(x.Hash, y.Hash), cmp.Compare(x.EssayID, y.EssayID))
		})
		posts = slices.Compact(posts)
		opt := Options{MaxSources: 1 + r.Intn(30)}
		if round%3 == 0 {
			opt.ExcludeSources = []int64{int64(r.Intn(50)), int64(r.Intn(50))}
		}
		need := 1 + r.Intn(3)
		got := rankCandidates(posts, need, opt)
		if want := rankCandidatesMaps(posts, need, opt); !slices.Equal(got, want) {
			t.Fatalf("round %d: the table ranks %v, the maps %v", round, got, want)
		}
		if len(got) > 0 {
			found++
		}
	}
	if found < 40 {
		t.Fatalf("candidates in %d rounds of 50: the test tests little", found)
	}
}

// TestTokensHalves checks that a long text tokenised in two halves gives
// text.Tokens' tokens, on PAN13 sources and on texts cut at awkward
// places: CRLF line ends, words of other scripts and blank lines around the
// cut, a line break only at the end, none in the second half.
func TestTokensHalves(t *testing.T) {
	texts := []string{
		strings.Repeat("Café “naïve” — l'été 2019, 3.5 % of 1,000; x_y don’t.\r\n", 200),
		strings.Repeat("word ", 4000),
		strings.Repeat("a\n", 5000),
		strings.Repeat("ab", 5000) + "\n" + strings.Repeat("cd", 5000),
		strings.Repeat("x ", 3000) + "\n\n" + strings.Repeat("日本語のテキスト。", 400) + "\n",
		strings.Repeat("line one\n", 1200) + "tail without a break " + strings.Repeat("z", 9000),
		strings.Repeat("\n", 9000),
		strings.Repeat("y", 9000) + "\n",
	}
	texts = append(texts, panSources(t, 30)...)
	cut := 0
	for _, s := range texts {
		// Cut from 8 kB, so that the short texts above are cut too.
		if len(s) >= 8<<10 && strings.Contains(s[len(s)/2:], "\n") {
			cut++
		}
		if got, want := tokensCut(s, 8<<10), text.Tokens(s); !reflect.DeepEqual(got, want) {
			t.Fatalf("%.40q: %d tokens in halves, text.Tokens gives %d", s, len(got), len(want))
		}
		if got, want := tokens(s), text.Tokens(s); !reflect.DeepEqual(got, want) {
			t.Fatalf("%.40q: %d tokens, text.Tokens gives %d", s, len(got), len(want))
		}
	}
	if cut < 6 {
		t.Fatalf("only %d texts cut in halves", cut)
	}
}
