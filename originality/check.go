package originality

import (
	"cmp"
	"context"
	"fmt"
	"runtime"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/ibid-dev/ibid"
	"github.com/ibid-dev/ibid/internal/par"
	"github.com/ibid-dev/ibid/spin"
	"github.com/ibid-dev/ibid/text"
)

// Source is the library as the checker sees it: the fingerprint index and
// the canonical text of each essay. Stores satisfy it with a thin adapter.
type Source interface {
	ibid.PrintIndex
	// SourceText returns the slug, title and canonical text of an essay.
	SourceText(ctx context.Context, essayID int64) (slug, title, text string, err error)
}

// maxPostings is how many postings a print may have and still count for
// candidate retrieval: a print found in very many essays is a common phrase
// and says nothing about where a text comes from.
const maxPostings = 1000

// minShared is how many distinct prints a candidate must share with the
// submitted text to be aligned at all.
const minShared = 2

// spinCandidates: how many of the best candidates get the spin pass.
const spinCandidates = 5

// shortText: texts of fewer words need only one shared print.
const shortText = 300

// Check compares text with the library and reports the passages that match
// which essay. Candidates are the essays sharing the most prints with the
// text (at most opt.MaxSources of them); each is aligned with the text in
// full. The report also carries the spin flags of package spin, which need
// no library. The report is deterministic for a given library.
func Check(ctx context.Context, txt string, src Source, opt Options) (*ibid.Report, error) {
	// Spin flags need no library: every report carries them, even one
	// from an empty library. They cost a quarter of a check's CPU and
	// depend on nothing else, so they run beside the library's part, which
	// waits on the store and seldom keeps every core busy: one user's check
	// returns sooner. The check waits for them even when it fails, so that
	// a check slot is not freed while its work still runs.
	// Both parts read the same tokens.
	toks := tokens(txt)
	spun := make(chan *ibid.SpinReport, 1)
	go func() { spun <- spin.DetectTokens(txt, toks) }()
	rep, err := check(ctx, txt, toks, src, opt)
	flags := <-spun
	if err != nil {
		return nil, err
	}
	rep.Spin = flags
	return rep, nil
}

// tokens returns text.Tokens(s). A long text is cut after a line break
// near its middle and its halves are tokenised on two cores: nothing else
// of a check can start before its tokens, and text.Tokens segments each
// line on its own (UAX #29 breaks after every line break), so the second
// half's tokens are the text's, their offsets shifted by the first half's
// runes. (TestTokensHalves holds text.Tokens to that.)
func tokens(s string) []text.Token {
	return tokensCut(s, parallelTokens)
}

// tokensCut is tokens with texts of from bytes or more cut in halves.
func tokensCut(s string, from int) []text.Token {
	if len(s) < from {
		return text.Tokens(s)
	}
	nl := strings.IndexByte(s[len(s)/2:], '\n')
	if nl < 0 {
		return text.Tokens(s)
	}
	cut := len(s)/2 + nl + 1
	var second []text.Token
	done := make(chan struct{})
	go func() {
		defer close(done)
		second = text.Tokens(s[cut:])
	}()
	first := text.Tokens(s[:cut])
	shift := utf8.RuneCountInString(s[:cut])
	<-done
	for k := range second {
		second[k].Offset += shift
	}
	if len(second) == 0 {
		return first
	}
	return append(first, second...)
}

// parallelTokens: texts of this many bytes or more (about 10,000 words)
// are tokenised in two halves at once. Half of a shorter text tokenises in
// a few tenths of a millisecond, about what it takes here to wake an idle
// core for the other half (0.1–0.3 ms, sometimes milliseconds): with the
// halves' joining on top, cutting 4,000-word texts (at 8 kB before) was a
// loss (BenchmarkCheckPAN p50, 7 alternated rounds, median 8.13 → 7.93 ms).
const parallelTokens = 64 << 10

// check is Check without the spin flags; toks are the tokens of txt.
func check(ctx context.Context, txt string, toks []text.Token, src Source, opt Options) (*ibid.Report, error) {
	opt = opt.withDefaults()
	sub := &Text{p: prepareTokens(txt, toks, exclusions(txt, opt))}
	// Every token is a word (text.Words counts them); the prepared words
	// leave the excluded ones out.
	rep := &ibid.Report{Words: len(toks), Sources: []ibid.SourceMatch{}}
	// A short text looks up every n-gram (see queryHashes); a longer one
	// has prints enough, and three times as many lookups, each fetching
	// the postings of common phrases too, would cost a large library dear.
	var hashes []uint64
	if len(sub.p.words) < shortText {
		hashes = queryHashes(sub.p)
	} else {
		hashes = DistinctHashes(fingerprint(sub.p))
	}
	if len(hashes) == 0 {
		return rep, nil
	}
	// The submitted text's term bag is the part of every alignment that
	// depends on it alone: made while the prints are looked up, it is
	// ready when the candidates are, rather than made by the first
	// alignment while the other workers wait for it. (Waited for on the
	// way out, so that no work outlives the check.)
	bagged := make(chan struct{})
	go func() {
		defer close(bagged)
		sub.p.bag()
	}()
	defer func() { <-bagged }()
	posts, err := src.Postings(ctx, hashes)
	if err != nil {
		return nil, fmt.Errorf("originality: postings: %w", err)
	}
	need := minShared
	if len(sub.p.words) < shortText {
		// A short text has few prints, and heavy spin leaves one or two
		// of them whole: one shared print makes a short text's candidate.
		need = 1
	}
	cands := rankCandidates(posts, need, opt)
	// A library's cached texts of the candidates are checked against the
	// store's current versions (one query) while the candidates are
	// aligned, not before: the query is not on the way to the report. A
	// candidate aligned in a cached form that turns out to be stale is
	// aligned again below in its current form, so the report is the one
	// of checking first. (Waited for on the way out.)
	var current map[int64]string
	var staleErr error
	staleDone := make(chan struct{})
	ps, _ := src.(preparedSource)
	if held := heldTexts(ps, cands); len(held) > 0 {
		go func() {
			defer close(staleDone)
			current, staleErr = ps.currentHashes(ctx, held)
		}()
	} else {
		close(staleDone)
	}
	defer func() { <-staleDone }()
	// Coverage of the submitted text's words, overall and per source.
	words := sub.p.words
	all := make([]bool, len(words))
	// Candidates are aligned in parallel (a check's latency is what its
	// user waits for) and reported in candidate order, so the report stays
	// deterministic.
	type aligned struct {
		slug, title string
		hash        string // of the essay's version aligned, when cached
		als         []Alignment
		err         error
	}
	results := make([]aligned, len(cands))
	texts := make([]*Text, len(cands))
	workers := min(runtime.GOMAXPROCS(0), len(cands))
	par.Each(ctx, workers, len(cands), func(i int) {
		r := &results[i]
		r.slug, r.title, texts[i], r.hash, r.err = sourceText(ctx, src, cands[i])
	})
	// The largest alignments first: candidates' sizes differ a
	// hundredfold (a book among essays), and the largest one, taken last,
	// would keep one core busy long after the other ran out of work.
	// The spin pass costs as much as the exact one: it runs for the best
	// candidates only, where the source of a spun copy ranks (it shares the
	// most of the rarest prints).
	cost := func(i int) int {
		if texts[i] == nil {
			return 0
		}
		c := len(words) + len(texts[i].p.words)
		if i < spinCandidates {
			c *= 2
		}
		return c
	}
	order := make([]int, len(cands))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(x, y int) int { return cmp.Compare(cost(y), cost(x)) })
	par.Each(ctx, workers, len(order), func(k int) {
		if i := order[k]; results[i].err == nil {
			results[i].als = alignTexts(sub, texts[i], opt, i < spinCandidates)
		}
	})
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	<-staleDone
	if staleErr != nil {
		return nil, fmt.Errorf("originality: essay hashes: %w", staleErr)
	}
	for i, id := range cands {
		r := &results[i]
		if cur, ok := current[id]; !ok || r.err != nil || r.hash == "" || cur == r.hash {
			continue // fresh: not held when asked, or as current
		}
		// Edited or deleted (cur is "") since it was prepared.
		ps.forget(id, r.hash)
		r.slug, r.title, texts[i], r.hash, r.err = sourceText(ctx, src, id)
		r.als = nil
		if r.err == nil {
			r.als = alignTexts(sub, texts[i], opt, i < spinCandidates)
		}
	}
	for i, id := range cands {
		slug, title, als, err := results[i].slug, results[i].title, results[i].als, results[i].err
		if ibid.ErrorCode(err) == ibid.ENOTFOUND {
			continue // deleted since its prints were read
		}
		if err != nil {
			return nil, fmt.Errorf("originality: source %d: %w", id, err)
		}
		if len(als) == 0 {
			continue
		}
		m := ibid.SourceMatch{EssayID: id, Slug: slug, Title: title}
		covered := 0
		for _, a := range als {
			m.Passages = append(m.Passages, ibid.Passage{Kind: a.Kind, Submitted: a.Submitted, Source: a.Source, Substitutions: a.Substitutions})
			lo := sort.Search(len(words), func(k int) bool { return words[k].off >= a.Submitted.Offset })
			for k := lo; k < len(words) && words[k].end <= a.Submitted.End(); k++ {
				covered++
				all[k] = true
			}
		}
		m.Similarity = share(covered, rep.Words)
		rep.Sources = append(rep.Sources, m)
	}
	n := 0
	for _, c := range all {
		if c {
			n++
		}
	}
	rep.Similarity = share(n, rep.Words)
	sort.SliceStable(rep.Sources, func(i, j int) bool {
		a, b := rep.Sources[i], rep.Sources[j]
		if a.Similarity != b.Similarity {
			return a.Similarity > b.Similarity
		}
		return a.EssayID < b.EssayID
	})
	return rep, nil
}

// sourceText returns a candidate's prepared text, from src's cache when it
// keeps one, with the hash of the essay's version it was prepared from
// when it comes from that cache ("" otherwise).
func sourceText(ctx context.Context, src Source, id int64) (slug, title string, t *Text, hash string, err error) {
	if ps, ok := src.(preparedSource); ok {
		return ps.preparedText(ctx, id)
	}
	slug, title, text, err := src.SourceText(ctx, id)
	if err != nil {
		return "", "", nil, "", err
	}
	return slug, title, Prepare(text, Options{}), "", nil
}

// heldTexts returns the ids among ids whose prepared texts ps holds (none
// for a nil ps).
func heldTexts(ps preparedSource, ids []int64) []int64 {
	if ps == nil {
		return nil
	}
	return ps.held(ids)
}

func share(n, total int) float64 {
	if total == 0 {
		return 0
	}
	return min(1, float64(n)/float64(total))
}

// rankCandidates counts, per essay, the distinct prints it shares with the
// query and returns the essays sharing at least need, ranked by the
// rarity of what they share, ties by ID.
func rankCandidates(posts []ibid.Posting, need int, opt Options) []int64 {
	// Stores hand postings ordered by hash then essay, each once: then
	// a print's holders are a run of the list, and a table of the essays
	// does what five maps did (it is on the path of every check, before
	// any candidate can be aligned).
	for k := 1; k < len(posts); k++ {
		if p, q := posts[k-1], posts[k]; p.Hash > q.Hash || p.Hash == q.Hash && p.EssayID >= q.EssayID {
			return rankCandidatesMaps(posts, need, opt)
		}
	}
	var t essayTable
	t.init(len(posts))
	excluded := make(map[int64]bool, len(opt.ExcludeSources))
	for _, id := range opt.ExcludeSources {
		excluded[id] = true
	}
	for x := 0; x < len(posts); {
		y := x
		for y < len(posts) && posts[y].Hash == posts[x].Hash {
			y++
		}
		// weight sums 1/n over the shared prints, n being how many
		// essays hold the print: a print found in one essay is strong
		// evidence, one found in many is a common phrase.
		if n := y - x; n <= maxPostings {
			for _, p := range posts[x:y] {
				if len(excluded) > 0 && excluded[p.EssayID] {
					continue
				}
				e := t.get(p.EssayID)
				e.shared++
				e.weight += 1 / float64(n)
			}
		}
		x = y
	}
	var ranked []essayCount
	for _, k := range t.order {
		if e := t.entries[k]; e.shared >= need {
			ranked = append(ranked, e)
		}
	}
	return rankByWeight(ranked, opt)
}

// essayTable holds the shared prints and weight of each essay, in an
// open-addressing table.
type essayTable struct {
	entries []essayCount
	used    []bool
	order   []int32 // the entries' slots in order of first use
	shift   uint
}

type essayCount struct {
	id     int64
	shared int
	weight float64
}

func (t *essayTable) init(n int) {
	size, shift := tableSize(n)
	t.entries = make([]essayCount, size)
	t.used = make([]bool, size)
	t.shift = shift
}

// get returns the entry of essay id, made if need be.
func (t *essayTable) get(id int64) *essayCount {
	mask := len(t.entries) - 1
	k := int((uint64(id) * 0x9e3779b97f4a7c15) >> t.shift)
	for t.used[k] && t.entries[k].id != id {
		k = (k + 1) & mask
	}
	if !t.used[k] {
		t.used[k], t.entries[k].id = true, id
		t.order = append(t.order, int32(k))
	}
	return &t.entries[k]
}

// rankCandidatesMaps is rankCandidates for postings in any order.
func rankCandidatesMaps(posts []ibid.Posting, need int, opt Options) []int64 {
	perHash := make(map[uint64]int)
	for _, p := range posts {
		perHash[p.Hash]++
	}
	excluded := make(map[int64]bool, len(opt.ExcludeSources))
	for _, id := range opt.ExcludeSources {
		excluded[id] = true
	}
	type key struct {
		id   int64
		hash uint64
	}
	seen := make(map[key]bool)
	shared := make(map[int64]int)
	weight := make(map[int64]float64)
	for _, p := range posts {
		if excluded[p.EssayID] || perHash[p.Hash] > maxPostings || seen[key{p.EssayID, p.Hash}] {
			continue
		}
		seen[key{p.EssayID, p.Hash}] = true
		shared[p.EssayID]++
		weight[p.EssayID] += 1 / float64(perHash[p.Hash])
	}
	var ranked []essayCount
	for id, n := range shared {
		if n >= need {
			ranked = append(ranked, essayCount{id: id, shared: n, weight: weight[id]})
		}
	}
	return rankByWeight(ranked, opt)
}

// rankByWeight returns the IDs of es by weight, the heaviest first, ties
// by ID, at most opt.MaxSources of them.
func rankByWeight(es []essayCount, opt Options) []int64 {
	slices.SortFunc(es, func(x, y essayCount) int {
		if x.weight != y.weight {
			return cmp.Compare(y.weight, x.weight)
		}
		return cmp.Compare(x.id, y.id)
	})
	ids := make([]int64, 0, min(len(es), opt.MaxSources))
	for _, e := range es[:min(len(es), opt.MaxSources)] {
		ids = append(ids, e.id)
	}
	return ids
}

// DistinctHashes returns the hashes of prints, each once, in order of first
// appearance: what a lookup in the fingerprint index needs.
func DistinctHashes(prints []ibid.Print) []uint64 {
	seen := make(map[uint64]bool, len(prints))
	out := make([]uint64, 0, len(prints))
	for _, p := range prints {
		if !seen[p.Hash] {
			seen[p.Hash] = true
			out = append(out, p.Hash)
		}
	}
	return out
}
