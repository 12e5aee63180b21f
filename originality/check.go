package originality

import (
	"cmp"
	"context"
	"fmt"
	"runtime"
	"slices"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/ibid-dev/ibid"
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
	toks := text.Tokens(txt)
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
	if ps, ok := src.(preparedSource); ok {
		if err := ps.forgetStale(ctx, cands); err != nil {
			return nil, fmt.Errorf("originality: essay hashes: %w", err)
		}
	}
	// Coverage of the submitted text's words, overall and per source.
	words := sub.p.words
	all := make([]bool, len(words))
	// Candidates are aligned in parallel (a check's latency is what its
	// user waits for) and reported in candidate order, so the report stays
	// deterministic.
	type aligned struct {
		slug, title string
		als         []Alignment
		err         error
	}
	results := make([]aligned, len(cands))
	texts := make([]*Text, len(cands))
	workers := min(runtime.GOMAXPROCS(0), len(cands))
	// each runs do(0) … do(n-1) on the workers.
	each := func(n int, do func(k int)) {
		var next atomic.Int64
		var wg sync.WaitGroup
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					k := int(next.Add(1) - 1)
					if k >= n || ctx.Err() != nil {
						return
					}
					do(k)
				}
			}()
		}
		wg.Wait()
	}
	each(len(cands), func(i int) {
		r := &results[i]
		r.slug, r.title, texts[i], r.err = sourceText(ctx, src, cands[i])
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
	each(len(order), func(k int) {
		if i := order[k]; results[i].err == nil {
			results[i].als = alignTexts(sub, texts[i], opt, i < spinCandidates)
		}
	})
	if err := ctx.Err(); err != nil {
		return nil, err
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
// keeps one.
func sourceText(ctx context.Context, src Source, id int64) (string, string, *Text, error) {
	if ps, ok := src.(preparedSource); ok {
		return ps.preparedText(ctx, id)
	}
	slug, title, text, err := src.SourceText(ctx, id)
	if err != nil {
		return "", "", nil, err
	}
	return slug, title, Prepare(text, Options{}), nil
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
	// weight sums 1/n over the shared prints, n being how many essays hold
	// the print: a print found in one essay is strong evidence, one found
	// in many is a common phrase.
	weight := make(map[int64]float64)
	for _, p := range posts {
		if excluded[p.EssayID] || perHash[p.Hash] > maxPostings || seen[key{p.EssayID, p.Hash}] {
			continue
		}
		seen[key{p.EssayID, p.Hash}] = true
		shared[p.EssayID]++
		weight[p.EssayID] += 1 / float64(perHash[p.Hash])
	}
	ids := make([]int64, 0, len(shared))
	for id, n := range shared {
		if n >= need {
			ids = append(ids, id)
		}
	}
	sort.Slice(ids, func(i, j int) bool {
		if weight[ids[i]] != weight[ids[j]] {
			return weight[ids[i]] > weight[ids[j]]
		}
		return ids[i] < ids[j]
	})
	if len(ids) > opt.MaxSources {
		ids = ids[:opt.MaxSources]
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
