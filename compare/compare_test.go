package compare

import (
	"context"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/ibid-dev/ibid"
	"github.com/ibid-dev/ibid/internal/classset"
	"github.com/ibid-dev/ibid/originality"
	"github.com/ibid-dev/ibid/text"
)

const sourceSlug = "why-cities-plant-street-trees"

// testClass is the class of classset as documents.
type testClass struct {
	classset.Class
	docs []Document
}

func class(seed uint64) testClass {
	c := testClass{Class: classset.New(seed)}
	for _, d := range c.Docs {
		c.docs = append(c.docs, Document{Name: d.Name, Text: d.Text})
	}
	return c
}

// library is an in-memory library holding the class's source and an
// unrelated essay.
func library() *originality.MemoryIndex {
	lib := originality.NewMemoryIndex()
	lib.Add(1, sourceSlug, "Why cities plant street trees", classset.SourceText)
	lib.Add(2, "tides", "Tides", strings.Repeat("The moon pulls the oceans and the tides follow it around the coast twice a day. ", 20))
	return lib
}

func groupOf(res *Result, name string) *Group {
	for i, g := range res.Groups {
		if slices.Contains(g.Documents, name) {
			return &res.Groups[i]
		}
	}
	return nil
}

func pairOf(res *Result, a, b string) *Pair {
	for i, p := range res.Pairs {
		if p.A == a && p.B == b || p.A == b && p.B == a {
			return &res.Pairs[i]
		}
	}
	return nil
}

func docOf(res *Result, name string) *DocumentResult {
	for i, d := range res.Documents {
		if d.Name == name {
			return &res.Documents[i]
		}
	}
	return nil
}

// TestClass compares the class with and without the library: the copiers
// form one group with the source, the two who share an essay another, and
// everyone else stays out of every group and pair.
func TestClass(t *testing.T) {
	c := class(1)
	if len(c.docs) != 30 {
		t.Fatalf("class of %d", len(c.docs))
	}
	res, err := Compare(context.Background(), c.docs, Options{Library: library()})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Documents) != 30 {
		t.Fatalf("%d documents in the result", len(res.Documents))
	}
	// One group of the fifteen copiers, joined by the source.
	g := groupOf(res, c.Copied[0])
	if g == nil {
		t.Fatalf("%s is in no group; groups %v", c.Copied[0], res.Groups)
	}
	want := append([]string(nil), c.Copied...)
	sort.Strings(want)
	if !slices.Equal(g.Documents, want) {
		t.Errorf("copiers' group = %v, want %v", g.Documents, want)
	}
	if !slices.Equal(g.Sources, []string{sourceSlug}) {
		t.Errorf("copiers' group sources = %v, want [%s]", g.Sources, sourceSlug)
	}
	// The two who share an essay: a group of their own, a pair of most of each.
	g2 := groupOf(res, c.Sharing[0])
	if g2 == nil || !slices.Equal(g2.Documents, []string{c.Sharing[0], c.Sharing[1]}) || len(g2.Sources) != 0 {
		t.Errorf("sharing group = %+v", g2)
	}
	p := pairOf(res, c.Sharing[0], c.Sharing[1])
	if p == nil || p.SimilarityA < 0.6 || p.SimilarityB < 0.6 {
		t.Errorf("sharing pair = %+v", p)
	}
	if len(res.Groups) != 2 {
		t.Errorf("%d groups, want 2: %v", len(res.Groups), res.Groups)
	}
	// Independent answers: no pair, no source, similarity 0.
	for _, name := range c.Own {
		if groupOf(res, name) != nil {
			t.Errorf("%s is in a group", name)
		}
		for _, p := range res.Pairs {
			if p.A == name || p.B == name {
				t.Errorf("independent %s in pair %s–%s (%.2f/%.2f)", name, p.A, p.B, p.SimilarityA, p.SimilarityB)
			}
		}
		if d := docOf(res, name); d.Similarity != 0 || len(d.Sources) != 0 {
			t.Errorf("independent %s: similarity %.2f, sources %v", name, d.Similarity, d.Sources)
		}
	}
	// Every copier draws on the source, and a good part of it.
	for _, name := range c.Copied {
		d := docOf(res, name)
		if len(d.Sources) == 0 || d.Sources[0].Slug != sourceSlug || d.Sources[0].Similarity < 0.4 || d.Similarity < 0.4 {
			t.Errorf("%s: similarity %.2f, sources %+v", name, d.Similarity, d.Sources)
		}
	}
	// The editors copied all of the source: each pair of them is found,
	// in both directions' shares.
	e1, e2 := "edited-1.txt", "edited-2.txt"
	if p := pairOf(res, e1, e2); p == nil || p.SimilarityA < 0.7 || p.SimilarityB < 0.7 || len(p.Passages) == 0 {
		t.Errorf("editors' pair = %+v", p)
	}
	// Pairs are ranked by their larger share, and all pass Min.
	for i, p := range res.Pairs {
		if p.Similarity() < DefaultMin {
			t.Errorf("pair %s–%s below min: %.2f", p.A, p.B, p.Similarity())
		}
		if i > 0 && p.Similarity() > res.Pairs[i-1].Similarity() {
			t.Errorf("pairs out of order at %d", i)
		}
	}

	// Without the library the copiers still form one group, through the
	// passages they share with each other, and it names no source.
	res2, err := Compare(context.Background(), c.docs, Options{})
	if err != nil {
		t.Fatal(err)
	}
	g = groupOf(res2, c.Copied[0])
	if g == nil || !slices.Equal(g.Documents, want) || len(g.Sources) != 0 {
		t.Errorf("without the library, copiers' group = %+v", g)
	}
	for _, d := range res2.Documents {
		if len(d.Sources) != 0 {
			t.Errorf("%s has library sources without a library", d.Name)
		}
	}
}

// TestCopiesAndMin: exact copies under other names are a 100% pair without
// an alignment, and Min filters pairs.
func TestCopiesAndMin(t *testing.T) {
	c := class(2)
	docs := []Document{
		{Name: "a.txt", Text: classset.SourceText},
		{Name: "b.txt", Text: classset.SourceText},
		{Name: "c.txt", Text: classset.SourceText},
		{Name: "small.txt", Text: classset.Paragraphs()[1] + "\n\n" + classset.OwnAnswer(rand.New(rand.NewPCG(2, 2)), 15)},
		c.docs[21],
	}
	res, err := Compare(context.Background(), docs, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, pr := range [][2]string{{"a.txt", "b.txt"}, {"a.txt", "c.txt"}, {"b.txt", "c.txt"}} {
		p := pairOf(res, pr[0], pr[1])
		if p == nil || p.SimilarityA != 1 || p.SimilarityB != 1 || len(p.Passages) != 1 || p.Passages[0].Kind != ibid.Identical {
			t.Errorf("copies %v: %+v", pr, p)
		}
	}
	p := pairOf(res, "a.txt", "small.txt")
	if p == nil {
		t.Fatalf("a.txt–small.txt not found: %+v", res.Pairs)
	}
	if p.A != "small.txt" {
		t.Errorf("the shorter text should be A: %+v", p)
	}
	small := min(p.SimilarityA, p.SimilarityB)
	if small >= 0.3 || small <= 0 {
		t.Fatalf("a.txt's share = %.2f", small)
	}
	// A Min above both shares drops the pair, and its group.
	res, err = Compare(context.Background(), docs, Options{Min: p.Similarity() + 0.01})
	if err != nil {
		t.Fatal(err)
	}
	if pairOf(res, "a.txt", "small.txt") != nil || groupOf(res, "small.txt") != nil {
		t.Errorf("pair under Min reported: %+v", res.Pairs)
	}
	if len(res.Groups) != 1 || len(res.Groups[0].Documents) != 3 {
		t.Errorf("groups = %v", res.Groups)
	}
}

// TestManyCopies: thousands of copies of one text stay cheap and the pairs
// stop at MaxPairs, the rest counted.
func TestManyCopies(t *testing.T) {
	var docs []Document
	for i := range 200 {
		docs = append(docs, Document{Name: "copy-" + itoa(i) + ".txt", Text: classset.Paragraphs()[0]})
	}
	res, err := Compare(context.Background(), docs, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := len(res.Pairs) + res.OmittedPairs; got != 200*199/2 {
		t.Errorf("pairs %d + omitted %d, want %d", len(res.Pairs), res.OmittedPairs, 200*199/2)
	}
	if len(res.Pairs) != MaxPairs {
		t.Errorf("%d pairs listed, want MaxPairs", len(res.Pairs))
	}
	if len(res.Groups) != 1 || len(res.Groups[0].Documents) != 200 {
		t.Errorf("groups %d", len(res.Groups))
	}
}

func TestEmptyAndCancel(t *testing.T) {
	res, err := Compare(context.Background(), nil, Options{})
	if err != nil || len(res.Pairs) != 0 || len(res.Documents) != 0 || res.Groups == nil {
		t.Errorf("empty batch: %+v, %v", res, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Compare(ctx, class(3).docs, Options{}); err == nil {
		t.Error("a cancelled comparison succeeded")
	}
}

func TestUniqueNames(t *testing.T) {
	got := UniqueNames([]string{"a.txt", "a.txt", "", "b\xff.txt", "a.txt"})
	want := []string{"a.txt", "a.txt (2)", "untitled", "b\uFFFD.txt", "a.txt (3)"}
	if !slices.Equal(got, want) {
		t.Errorf("UniqueNames = %q, want %q", got, want)
	}
}

// TestExclude: an assignment whose prompt every student copies into the
// answer joins the whole class into one group, unless the prompt is
// handed to Exclude; then only the real copying remains, and the shares
// are still of each whole document.
func TestExclude(t *testing.T) {
	const prompt = "Assignment 4. Many councils now plant trees along their streets and squares. " +
		"In about four hundred words, explain why a city might do this, what it costs, and who benefits most. " +
		"Use at least one example from your own neighbourhood and say what you would change about it."
	c := class(4)
	var docs []Document
	for _, d := range c.docs {
		docs = append(docs, Document{Name: d.Name, Text: prompt + "\n\n" + d.Text})
	}
	res, err := Compare(context.Background(), docs, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Groups) != 1 || len(res.Groups[0].Documents) < 25 {
		t.Fatalf("without exclusion the prompt should join the class: %d groups", len(res.Groups))
	}
	res, err = Compare(context.Background(), docs, Options{Exclude: []Document{{Name: "prompt.txt", Text: prompt}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Groups) != 2 || len(res.Groups[0].Documents) != 15 || len(res.Groups[1].Documents) != 2 {
		t.Errorf("with the prompt left out: groups %+v", res.Groups)
	}
	for _, name := range c.Own {
		d := docOf(res, name)
		if d.Similarity != 0 || d.ExcludedWords != text.Words(prompt) {
			t.Errorf("%s: similarity %.2f, excluded %d words", name, d.Similarity, d.ExcludedWords)
		}
	}
	p := pairOf(res, c.Sharing[0], c.Sharing[1])
	if p == nil || p.SimilarityA > 0.9 || p.SimilarityA < 0.5 {
		t.Errorf("sharing pair %+v: its share should be of the whole answers, prompt included", p)
	}
	// Two copies of the bare prompt are no pair once it is left out.
	res, err = Compare(context.Background(), []Document{{Name: "a.txt", Text: prompt}, {Name: "b.txt", Text: prompt}},
		Options{Exclude: []Document{{Name: "prompt.txt", Text: prompt}}})
	if err != nil || len(res.Pairs) != 0 || len(res.Groups) != 0 {
		t.Errorf("copies of the prompt: %+v %v", res, err)
	}
}

// TestSpin: each document carries its spin flags, as a check's report
// does; copies share them.
func TestSpin(t *testing.T) {
	tortured := "Our laboratory studies unreal intelligence. " + classset.SourceText
	docs := []Document{
		{Name: "a.txt", Text: tortured},
		{Name: "b.txt", Text: tortured},
		{Name: "c.txt", Text: classset.SourceText},
	}
	res, err := Compare(context.Background(), docs, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range res.Documents {
		if d.Spin == nil {
			t.Fatalf("%s: no spin", d.Name)
		}
		want := 0
		if d.Name != "c.txt" {
			want = 1
		}
		if len(d.Spin.Phrases) != want || want == 1 && d.Spin.Phrases[0].Likely != "artificial intelligence" {
			t.Errorf("%s: spin phrases %+v, want %d", d.Name, d.Spin.Phrases, want)
		}
	}
}
