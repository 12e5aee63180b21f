package audit

import (
	"context"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/ibid-dev/ibid"
)

// Pair is two library essays where one copies or paraphrases the other. A
// is the older one (stored first), B the newer; each side's Share is the
// share of its words in the passages the two share.
type Pair struct {
	Similarity float64 `json:"similarity"` // the larger share
	A          Side    `json:"a"`
	B          Side    `json:"b"`
	Passages   int     `json:"passages"`
}

// Side is one essay of a Pair.
type Side struct {
	ID    int64   `json:"-"`
	Slug  string  `json:"slug"`
	Title string  `json:"title"`
	Share float64 `json:"share"`
}

// Options tune a library audit.
type Options struct {
	// Min is the smallest similarity reported; 0 means DefaultMin.
	Min float64
	// Progress, when set, is called as the audit goes: stage "index" while
	// the fingerprint index is read (done counts prints, total is 0), then
	// "aligning" with the candidate pairs aligned so far and their number.
	Progress func(stage string, done, total int)
	// Workers is the number of pairs aligned at once; 0 means GOMAXPROCS.
	Workers int
}

// Stats say how much work an audit did.
type Stats struct {
	Essays     int // essays with prints
	Prints     int // distinct (print, essay) postings read
	Candidates int // pairs aligned
}

// Library lists every pair of essays of the library where one copies or
// paraphrases the other with a similarity of at least opt.Min, most similar
// first. It reads the fingerprint index once (ibid.Store.PrintGroups),
// counts the prints each pair of essays shares, and aligns only the pairs
// sharing enough of them: the work grows with the pairs that share text,
// not with the square of the library.
func Library(ctx context.Context, st ibid.Store, opt Options) ([]Pair, Stats, error) {
	minSim := opt.Min
	if minSim <= 0 {
		minSim = DefaultMin
	}
	progress := opt.Progress
	if progress == nil {
		progress = func(string, int, int) {}
	}
	var stats Stats
	prints := map[int64]int{}    // distinct prints per essay
	shared := map[[2]int64]int{} // prints shared per pair, lower ID first
	err := st.PrintGroups(ctx, func(_ uint64, ids []int64) error {
		for _, id := range ids {
			prints[id]++
		}
		stats.Prints += len(ids)
		if stats.Prints%(1<<18) < len(ids) {
			if err := ctx.Err(); err != nil {
				return err
			}
			progress("index", stats.Prints, 0)
		}
		if len(ids) < 2 || len(ids) > maxGroup {
			return nil
		}
		for x, a := range ids {
			for _, b := range ids[x+1:] {
				shared[[2]int64{a, b}]++
			}
		}
		return nil
	})
	if err != nil {
		return nil, stats, err
	}
	stats.Essays = len(prints)
	progress("index", stats.Prints, 0)

	var cands [][2]int64
	for k, n := range shared {
		if enough(n, min(prints[k[0]], prints[k[1]]), minSim) {
			cands = append(cands, k)
		}
	}
	shared = nil
	sort.Slice(cands, func(i, j int) bool {
		if cands[i][0] != cands[j][0] {
			return cands[i][0] < cands[j][0]
		}
		return cands[i][1] < cands[j][1]
	})
	stats.Candidates = len(cands)
	pairs, err := alignPairs(ctx, st, cands, minSim, opt.Workers, func(done int) { progress("aligning", done, len(cands)) })
	if err != nil {
		return nil, stats, err
	}
	sort.Slice(pairs, func(i, j int) bool {
		if pairs[i].Similarity != pairs[j].Similarity {
			return pairs[i].Similarity > pairs[j].Similarity
		}
		if pairs[i].A.ID != pairs[j].A.ID {
			return pairs[i].A.ID < pairs[j].A.ID
		}
		return pairs[i].B.ID < pairs[j].B.ID
	})
	return pairs, stats, nil
}

// alignPairs aligns the candidate pairs (sorted by their first essay) in
// parallel. Each essay is read and prepared once and dropped when its last
// pair is aligned, so memory holds the essays of the pairs in flight rather
// than every essay that has a candidate.
func alignPairs(ctx context.Context, st ibid.Store, cands [][2]int64, minSim float64, workers int, done func(int)) ([]Pair, error) {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	c := &essayCache{st: st, left: map[int64]int{}, items: map[int64]*cacheItem{}}
	for _, k := range cands {
		c.left[k[0]]++
		c.left[k[1]]++
	}
	results := make([]*Pair, len(cands))
	errs := make([]error, workers)
	var next, finished atomic.Int64
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(cands) || ctx.Err() != nil {
					return
				}
				a, b := cands[i][0], cands[i][1]
				pa, err := c.get(ctx, a)
				if err == nil {
					var pb *prepared
					pb, err = c.get(ctx, b)
					if err == nil && pa != nil && pb != nil {
						// The newer essay is the submitted side, as if
						// it had been checked against the older.
						sb, sa, n := compare(pb, pa)
						if s := max(sa, sb); n > 0 && s >= minSim {
							results[i] = &Pair{Similarity: s, Passages: n,
								A: Side{ID: pa.id, Slug: pa.slug, Title: pa.title, Share: sa},
								B: Side{ID: pb.id, Slug: pb.slug, Title: pb.title, Share: sb}}
						}
					}
				}
				c.release(a)
				c.release(b)
				if err != nil {
					errs[w] = err
					return
				}
				done(int(finished.Add(1)))
			}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	var out []Pair
	for _, p := range results {
		if p != nil {
			out = append(out, *p)
		}
	}
	return out, nil
}

// essayCache holds prepared essays while pairs still need them.
type essayCache struct {
	st    ibid.Store
	mu    sync.Mutex
	left  map[int64]int // pairs not yet aligned, per essay
	items map[int64]*cacheItem
}

type cacheItem struct {
	once sync.Once
	p    *prepared // nil when the essay was deleted meanwhile
	err  error
}

func (c *essayCache) get(ctx context.Context, id int64) (*prepared, error) {
	c.mu.Lock()
	it, ok := c.items[id]
	if !ok {
		it = &cacheItem{}
		c.items[id] = it
	}
	c.mu.Unlock()
	it.once.Do(func() {
		it.p, it.err = essay(ctx, c.st, id)
		if ibid.ErrorCode(it.err) == ibid.ENOTFOUND {
			it.p, it.err = nil, nil
		}
	})
	return it.p, it.err
}

func (c *essayCache) release(id int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.left[id]--
	if c.left[id] == 0 {
		delete(c.items, id)
		delete(c.left, id)
	}
}
