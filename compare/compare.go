// Package compare compares a batch of documents — a class's submissions —
// with each other and with the library: which pairs share passages, how
// much of each document they cover, which library essays each document
// draws on, and which documents form groups joined by what they share.
//
// It is pure: the library is an originality.Source, and the documents come
// in as texts (or as files and zip archives read in memory, see files.go).
//
// Pairs are found through fingerprints, not by aligning every pair: each
// document is prepared and fingerprinted once with the checker's scheme,
// the prints go into an in-memory index of the batch, and only pairs that
// share enough prints are aligned, with the checker's aligner and settings,
// so that a pair's passages are what a check of one against the other
// would report (identical, minor changes, paraphrased).
package compare

import (
	"context"
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/ibid-dev/ibid"
	"github.com/ibid-dev/ibid/internal/par"
	"github.com/ibid-dev/ibid/originality"
	"github.com/ibid-dev/ibid/spin"
)

// DefaultMin is the default smallest similarity of a reported pair.
const DefaultMin = 0.1

// MaxPairs bounds the pairs of one result. Past it the lowest-ranked pairs
// are counted in Result.OmittedPairs instead: a batch of thousands of
// copies of one text would otherwise list millions of pairs.
const MaxPairs = 10_000

// Document is one submission: its name (unique in the batch, usually its
// file name) and its canonical text.
type Document struct {
	Name string
	Text string
}

// Options are the settings of a comparison.
type Options struct {
	// Min is the smallest similarity (the larger of a pair's two shares)
	// a pair needs to be reported, and the smallest share a library essay
	// needs to join the documents that draw on it into a group. 0 means
	// DefaultMin; a negative value reports every pair that shares a
	// passage.
	Min float64
	// Library, when not nil, is checked for each document's sources.
	Library originality.Source
	// MinWords is the shortest verbatim passage reported; 0 means
	// originality.DefaultMinWords.
	MinWords int
	// Exclude are texts handed out to the class (the assignment's prompt,
	// a template, a reading): the passages of each document that match
	// one of them are left out, so that they join no pair and count in no
	// share, as excluded quotes are left out of a check.
	Exclude []Document
	// Progress, when not nil, hears of the work done: phase is
	// "preparing", "comparing" (pairs and library checks), and done runs
	// up to total within a phase.
	Progress func(phase string, done, total int)
}

func (o Options) min() float64 {
	switch {
	case o.Min == 0:
		return DefaultMin
	case o.Min < 0:
		return 0
	}
	return o.Min
}

// Result is a comparison's report: the same for the CLI (--json), the API
// and the web page.
type Result struct {
	Documents []DocumentResult `json:"documents"`
	// Pairs are ranked by similarity: the larger share first, then the
	// smaller, then by name.
	Pairs []Pair `json:"pairs"`
	// OmittedPairs counts the pairs left out past MaxPairs.
	OmittedPairs int `json:"omitted_pairs,omitempty"`
	// Groups are connected sets of two or more documents, largest first.
	Groups []Group `json:"groups"`
	// Skipped lists the inputs that are not in the comparison and why;
	// the readers of files and archives fill it.
	Skipped []Skip `json:"skipped,omitempty"`
}

// DocumentResult is one document of a result. Similarity is the share of
// its words covered by any reported pair's passage or library passage.
type DocumentResult struct {
	Name       string   `json:"name"`
	Words      int      `json:"words"`
	Similarity float64  `json:"similarity"`
	Sources    []Source `json:"sources"`
	// ExcludedWords are its words in passages of Options.Exclude.
	ExcludedWords int `json:"excluded_words,omitempty"`
	// Spin says whether the document itself looks machine-paraphrased, as
	// in a check's report (package spin): it needs no other document.
	Spin *ibid.SpinReport `json:"spin"`
	// Passages are its library passages, for reports that show them.
	Passages []SourcePassage `json:"-"`
}

// Source is a library essay a document draws on, with the share of the
// document's words its passages cover.
type Source struct {
	Slug       string  `json:"slug"`
	Title      string  `json:"title"`
	Similarity float64 `json:"similarity"`
}

// SourcePassage is a library passage of a document.
type SourcePassage struct {
	Slug string
	ibid.Passage
}

// Pair is two documents that share passages. A is the document aligned as
// the submitted text (the shorter one), B the other; SimilarityA and
// SimilarityB are the shares of each one's words that the passages cover.
type Pair struct {
	A           string    `json:"a"`
	B           string    `json:"b"`
	SimilarityA float64   `json:"similarity_a"`
	SimilarityB float64   `json:"similarity_b"`
	Passages    []Passage `json:"passages"`
	// IA and IB index Result.Documents.
	IA int `json:"-"`
	IB int `json:"-"`
}

// Similarity is the pair's rank: the larger of its two shares.
func (p Pair) Similarity() float64 { return max(p.SimilarityA, p.SimilarityB) }

// Passage is one passage a pair shares, as rune spans of each document.
type Passage struct {
	Kind ibid.MatchKind `json:"kind"`
	A    ibid.Span      `json:"a"`
	B    ibid.Span      `json:"b"`
}

// Group is a connected set of documents: joined by the passages they share
// with each other or with the same library essay. Sources are the library
// essays (slugs) that two or more of its documents draw on.
type Group struct {
	Documents []string `json:"documents"`
	Sources   []string `json:"sources"`
}

// Skip is an input left out of a comparison, with the reason.
type Skip struct {
	Name   string `json:"name"`
	Reason string `json:"reason"`
}

// Candidate selection. A print found in more than maxDocFreq documents
// (and more than a fifth of the batch) is a phrase of the assignment, not
// evidence of copying, and would make every pair a candidate: like MOSS's
// -m, such prints are ignored. A pair is aligned only when it shares at
// least minShared prints and, for the default Min, a small share of the
// shorter document's prints (see candidates).
const (
	maxDocFreq = 50
	minShared  = 3
)

// prepared is a distinct text of the batch and the documents that have it.
type prepared struct {
	text     *originality.Text
	prints   []uint64    // distinct hashes
	words    int         // all its words: shares are of the whole text, as in a check
	excluded []ibid.Span // passages of the handed-out texts
	exWords  int
	docs     []int // indexes of the documents with this exact text
	runes    int
}

// Compare compares docs with each other and, when opt.Library is set, with
// the library. Names must be unique. The result is deterministic for a given
// batch and library.
func Compare(ctx context.Context, docs []Document, opt Options) (*Result, error) {
	minSim := opt.min()
	aopt := originality.Options{MinWords: opt.MinWords}
	progress := opt.Progress
	if progress == nil {
		progress = func(string, int, int) {}
	}

	// Identical texts are prepared and compared once.
	var uniq []*prepared
	of := make([]int, len(docs)) // document -> index in uniq
	byText := map[string]int{}
	for i, d := range docs {
		if u, ok := byText[d.Text]; ok {
			of[i] = u
			uniq[u].docs = append(uniq[u].docs, i)
			continue
		}
		byText[d.Text] = len(uniq)
		of[i] = len(uniq)
		uniq = append(uniq, &prepared{docs: []int{i}})
	}
	byText = nil
	handout := NewHandout(opt.Exclude)
	err := parallel(ctx, len(uniq), func(k int) {
		u := uniq[k]
		txt := docs[u.docs[0]].Text
		u.text, u.words, u.excluded, u.exWords = handout.Prepare(txt, aopt)
		u.runes = utf8.RuneCountInString(txt)
		u.prints = originality.DistinctHashes(u.text.Prints())
	}, func(done int) { progress("preparing", done, len(uniq)) })
	if err != nil {
		return nil, err
	}

	cands := candidates(uniq, minSim)
	lib := 0
	if opt.Library != nil {
		lib = len(uniq)
	}
	total := len(cands) + lib
	type aligned struct {
		sa, sb   float64
		passages []Passage
	}
	pairs := make([]aligned, len(cands))
	type libResult struct {
		rep *ibid.Report
		err error
	}
	libs := make([]libResult, lib)
	err = parallel(ctx, total, func(k int) {
		if k >= len(cands) {
			u := k - len(cands)
			copt := aopt
			copt.Excluded = uniq[u].excluded
			rep, err := originality.Check(ctx, docs[uniq[u].docs[0]].Text, opt.Library, copt)
			libs[u] = libResult{rep, err}
			return
		}
		c := cands[k]
		a, b := uniq[c.a], uniq[c.b]
		als := originality.AlignTexts(a.text, b.text, aopt)
		if len(als) == 0 {
			return
		}
		sa := make([]ibid.Span, len(als))
		sb := make([]ibid.Span, len(als))
		ps := make([]Passage, len(als))
		for x, al := range als {
			sa[x], sb[x] = al.Submitted, al.Source
			ps[x] = Passage{Kind: al.Kind, A: al.Submitted, B: al.Source}
		}
		pairs[k] = aligned{
			sa:       share(a.text.Covered(sa), a.words),
			sb:       share(b.text.Covered(sb), b.words),
			passages: ps,
		}
	}, func(done int) { progress("comparing", done, total) })
	if err != nil {
		return nil, err
	}
	for _, l := range libs {
		if l.err != nil {
			return nil, l.err
		}
	}

	// The pairs of distinct texts that pass Min, and the pairs of
	// documents with the same text, as classes to expand into document
	// pairs in rank order.
	type class struct {
		a, b int // indexes into uniq; a == b for copies of one text
		aligned
	}
	var classes []class
	for k, c := range cands {
		p := pairs[k]
		if len(p.passages) > 0 && max(p.sa, p.sb) >= minSim && max(p.sa, p.sb) > 0 {
			classes = append(classes, class{c.a, c.b, p})
		}
	}
	for k, u := range uniq {
		if len(u.docs) > 1 && u.words > 0 {
			// Copies share all of their text but what was handed out.
			whole := ibid.Span{Offset: 0, Length: u.runes}
			sim := share(u.text.Covered([]ibid.Span{whole}), u.words)
			if sim >= minSim && sim > 0 {
				classes = append(classes, class{k, k, aligned{sim, sim, []Passage{{Kind: ibid.Identical, A: whole, B: whole}}}})
			}
		}
	}
	res := &Result{Documents: make([]DocumentResult, len(docs)), Pairs: []Pair{}, Groups: []Group{}}
	sort.SliceStable(classes, func(i, j int) bool {
		x, y := classes[i], classes[j]
		if mx, my := max(x.sa, x.sb), max(y.sa, y.sb); mx != my {
			return mx > my
		}
		if mx, my := min(x.sa, x.sb), min(y.sa, y.sb); mx != my {
			return mx > my
		}
		return false // the names decide, below
	})
	count := 0
	for _, c := range classes {
		na, nb := len(uniq[c.a].docs), len(uniq[c.b].docs)
		n := na * nb
		if c.a == c.b {
			n = na * (na - 1) / 2
		}
		if count+n > MaxPairs {
			// Expand what fits; count the rest.
			res.OmittedPairs += count + n - MaxPairs
			n = MaxPairs - count
		}
		k := 0
	expand:
		for x, da := range uniq[c.a].docs {
			for y, db := range uniq[c.b].docs {
				if k >= n {
					break expand
				}
				if c.a == c.b && y <= x {
					continue
				}
				k++
				res.Pairs = append(res.Pairs, Pair{A: docs[da].Name, B: docs[db].Name, IA: da, IB: db,
					SimilarityA: c.sa, SimilarityB: c.sb, Passages: c.passages})
			}
		}
		count += k
	}
	// Within one similarity, pairs go by name, so the order is stable.
	sort.SliceStable(res.Pairs, func(i, j int) bool {
		x, y := res.Pairs[i], res.Pairs[j]
		if x.Similarity() != y.Similarity() {
			return x.Similarity() > y.Similarity()
		}
		if mx, my := min(x.SimilarityA, x.SimilarityB), min(y.SimilarityA, y.SimilarityB); mx != my {
			return mx > my
		}
		if x.A != y.A {
			return x.A < y.A
		}
		return x.B < y.B
	})

	// Documents: words, library sources, overall similarity.
	spans := make([][]ibid.Span, len(uniq)) // covered spans per distinct text
	for _, c := range classes {
		if c.a == c.b {
			spans[c.a] = append(spans[c.a], c.passages[0].A)
			continue
		}
		for _, p := range c.passages {
			spans[c.a] = append(spans[c.a], p.A)
			spans[c.b] = append(spans[c.b], p.B)
		}
	}
	for k, u := range uniq {
		d := DocumentResult{Words: u.words, Sources: []Source{}, ExcludedWords: u.exWords}
		if lib > 0 {
			d.Spin = libs[k].rep.Spin
		} else {
			d.Spin = spin.Detect(docs[u.docs[0]].Text)
		}
		if lib > 0 {
			for _, s := range libs[k].rep.Sources {
				d.Sources = append(d.Sources, Source{Slug: s.Slug, Title: s.Title, Similarity: s.Similarity})
				for _, p := range s.Passages {
					d.Passages = append(d.Passages, SourcePassage{Slug: s.Slug, Passage: p})
					spans[k] = append(spans[k], p.Submitted)
				}
			}
		}
		d.Similarity = share(u.text.Covered(spans[k]), u.words)
		for _, i := range u.docs {
			d.Name = docs[i].Name
			res.Documents[i] = d
		}
	}

	// Groups: documents joined by reported pairs, copies of one text, and
	// library essays they share.
	uf := newUnionFind(len(uniq))
	joined := make([]bool, len(uniq)) // in a reported pair or class of copies
	for _, c := range classes {
		uf.union(c.a, c.b)
		joined[c.a], joined[c.b] = true, true
	}
	bySource := map[string][]int{}
	for k := range uniq {
		if lib == 0 {
			break
		}
		for _, s := range libs[k].rep.Sources {
			if s.Similarity >= minSim && s.Similarity > 0 {
				bySource[s.Slug] = append(bySource[s.Slug], k)
			}
		}
	}
	for _, ks := range bySource {
		for _, k := range ks[1:] {
			uf.union(ks[0], k)
		}
		if len(ks) > 1 || len(uniq[ks[0]].docs) > 1 {
			for _, k := range ks {
				joined[k] = true
			}
		}
	}
	members := map[int][]int{} // root -> documents
	for i := range docs {
		if !joined[of[i]] {
			continue // copies of a text that joins nothing are no group
		}
		r := uf.find(of[i])
		members[r] = append(members[r], i)
	}
	for _, ds := range members {
		if len(ds) < 2 {
			continue
		}
		g := Group{Sources: []string{}}
		in := map[int]bool{}
		for _, i := range ds {
			g.Documents = append(g.Documents, docs[i].Name)
			in[of[i]] = true
		}
		sort.Strings(g.Documents)
		type shared struct {
			slug string
			n    int
		}
		var ss []shared
		for slug, ks := range bySource {
			n := 0
			for _, k := range ks {
				if in[k] {
					n += len(uniq[k].docs)
				}
			}
			if n >= 2 {
				ss = append(ss, shared{slug, n})
			}
		}
		sort.Slice(ss, func(i, j int) bool {
			if ss[i].n != ss[j].n {
				return ss[i].n > ss[j].n
			}
			return ss[i].slug < ss[j].slug
		})
		for _, s := range ss {
			g.Sources = append(g.Sources, s.slug)
		}
		res.Groups = append(res.Groups, g)
	}
	sort.Slice(res.Groups, func(i, j int) bool {
		a, b := res.Groups[i], res.Groups[j]
		if len(a.Documents) != len(b.Documents) {
			return len(a.Documents) > len(b.Documents)
		}
		return a.Documents[0] < b.Documents[0]
	})
	return res, nil
}

// Handout is the texts handed out to a class (Options.Exclude), prepared
// once for finding them in every document.
type Handout struct{ texts []*originality.Text }

// NewHandout prepares the handed-out texts docs.
func NewHandout(docs []Document) *Handout {
	h := &Handout{}
	for _, d := range docs {
		h.texts = append(h.texts, originality.Prepare(d.Text, originality.Options{}))
	}
	return h
}

// Prepare prepares txt for alignment with the passages of the handed-out
// texts left out. They are found as a check finds any source (opt gives
// the minimum passage length), and left out as a check leaves out
// quotations. It returns the prepared text, the number of all its words
// (shares are of the whole text, as in a check), the spans left out and
// their words.
func (h *Handout) Prepare(txt string, opt originality.Options) (t *originality.Text, words int, excluded []ibid.Span, exWords int) {
	t = originality.Prepare(txt, originality.Options{})
	words = t.Words()
	if h == nil {
		return t, words, nil, 0
	}
	for _, x := range h.texts {
		for _, al := range originality.AlignTexts(t, x, opt) {
			excluded = append(excluded, al.Submitted)
		}
	}
	if len(excluded) == 0 {
		return t, words, nil, 0
	}
	exWords = t.Covered(excluded)
	return originality.Prepare(txt, originality.Options{Excluded: excluded}), words, excluded, exWords
}

// candidate is a pair of distinct texts to align, a the shorter.
type candidate struct{ a, b int }

// candidates returns the pairs of distinct texts that share enough prints
// to be worth aligning, in a deterministic order. A pair's shared prints
// are counted through an inverted index of the batch: a print's posting
// list gives every pair that shares it, so the work grows with the pairs
// that do share something rather than with all pairs.
func candidates(uniq []*prepared, minSim float64) []candidate {
	index := map[uint64][]int32{}
	for k, u := range uniq {
		for _, h := range u.prints {
			index[h] = append(index[h], int32(k))
		}
	}
	maxDF := max(maxDocFreq, len(uniq)/5)
	shared := map[uint64]int32{}
	for _, ks := range index {
		if len(ks) < 2 || len(ks) > maxDF {
			continue
		}
		for x := range ks {
			for _, b := range ks[x+1:] {
				shared[uint64(ks[x])<<32|uint64(b)]++
			}
		}
	}
	// A pair that shares a passage covering minSim of the shorter text
	// shares about a third as many prints as the passage has words when
	// copied, far fewer when reworded: a tenth of minSim of the shorter
	// text's prints is a margin that keeps spun copies.
	var out []candidate
	for key, n := range shared {
		a, b := int(key>>32), int(uint32(key))
		if uniq[b].words < uniq[a].words || (uniq[b].words == uniq[a].words && b < a) {
			a, b = b, a
		}
		need := max(minShared, int(minSim/10*float64(len(uniq[a].prints))))
		if int(n) >= need {
			out = append(out, candidate{a, b})
		}
	}
	slices.SortFunc(out, func(x, y candidate) int {
		if x.a != y.a {
			return x.a - y.a
		}
		return x.b - y.b
	})
	return out
}

func share(n, total int) float64 {
	if total == 0 {
		return 0
	}
	return min(1, float64(n)/float64(total))
}

// parallel runs fn(0..n-1) on GOMAXPROCS goroutines, reporting each item
// done; it stops early when ctx ends and then returns its error.
func parallel(ctx context.Context, n int, fn func(int), done func(int)) error {
	var mu sync.Mutex
	finished := 0
	return par.Each(ctx, 0, n, func(i int) {
		fn(i)
		mu.Lock()
		finished++
		done(finished)
		mu.Unlock()
	})
}

// unionFind joins indexes into connected sets.
type unionFind struct{ parent []int }

func newUnionFind(n int) *unionFind {
	p := make([]int, n)
	for i := range p {
		p[i] = i
	}
	return &unionFind{p}
}

func (u *unionFind) find(x int) int {
	for u.parent[x] != x {
		u.parent[x] = u.parent[u.parent[x]]
		x = u.parent[x]
	}
	return x
}

func (u *unionFind) union(a, b int) {
	ra, rb := u.find(a), u.find(b)
	if ra != rb {
		// the smaller index is the root, so that roots are deterministic
		if rb < ra {
			ra, rb = rb, ra
		}
		u.parent[rb] = ra
	}
}

// UniqueNames makes names unique by numbering repeats: "essay.txt",
// "essay.txt (2)". Names are made valid UTF-8 first.
func UniqueNames(names []string) []string {
	out := make([]string, len(names))
	seen := map[string]bool{}
	for i, n := range names {
		n = strings.ToValidUTF8(n, "\uFFFD")
		if n == "" {
			n = "untitled"
		}
		base := n
		for k := 2; seen[n]; k++ {
			n = base + " (" + itoa(k) + ")"
		}
		seen[n] = true
		out[i] = n
	}
	return out
}

func itoa(n int) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			return string(b[i:])
		}
	}
}
