package audit

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sort"

	"github.com/ibid-dev/ibid"
)

// Similar is an essay that a screened essay copies or paraphrases, or that
// copies it.
type Similar struct {
	// EssayID is the stored essay; 0 when the essay is Earlier.
	EssayID int64
	// Earlier, when EssayID is 0, is the index of an earlier essay of the
	// same Screen call: one of the same import, not stored yet.
	Earlier    int
	Slug       string // empty for an Earlier essay
	Title      string
	Similarity float64 // the larger of the two essays' shares
}

// Screen compares essays about to be stored (in import order, with their
// Text, Hash and Prints set) with the library and with each other, before
// any of them is stored, so that an import can report or refuse copies and
// paraphrases and still store each essay in one transaction. It returns,
// for each essay, the essays it shares passages with at a similarity of at
// least minSim (DefaultMin when 0), most similar first.
//
// An essay is compared with the earlier essays of es as if they were
// stored already, except those that will not be: the ones whose text is in
// the library or earlier in es (re-imports, which Screen never reports) and,
// when reject is set, the ones Screen reports (which the import refuses).
//
// Only candidates sharing enough prints with an essay are aligned (see the
// package documentation): one look-up of the index for the whole batch,
// then alignments only where a copy is likely, so a bulk import of
// unrelated essays pays for the look-up alone.
func Screen(ctx context.Context, st ibid.Store, es []*ibid.Essay, minSim float64, reject bool) ([][]Similar, error) {
	return ScreenAfter(ctx, st, nil, es, minSim, reject)
}

// ScreenAfter is Screen for essays that will be stored after prior, essays
// that are not in the library yet but will be (a bulk import's previous
// batch, stored while this one is screened): es are compared with prior as
// with their own earlier essays, and prior are not screened themselves.
// Similar.Earlier then counts prior first: k < len(prior) is prior[k], the
// rest es[k-len(prior)]. A prior essay that the library holds by the time
// of the look-up is found as an Earlier essay only, not twice.
func ScreenAfter(ctx context.Context, st ibid.Store, prior, es []*ibid.Essay, minSim float64, reject bool) ([][]Similar, error) {
	if minSim <= 0 {
		minSim = DefaultMin
	}
	out := make([][]Similar, len(es))
	from := len(prior)
	es = append(slices.Clip(prior), es...)
	// Each essay's distinct hashes, ascending, and all of them: sorted
	// slices rather than maps (maps of the batch's hashes were a third of
	// the screen's CPU in an import of the PAN13 sources).
	distinct := make([][]uint64, len(es))
	var all []uint64
	for i, e := range es {
		hs := make([]uint64, len(e.Prints))
		for j, p := range e.Prints {
			hs[j] = p.Hash
		}
		slices.Sort(hs)
		distinct[i] = slices.Compact(hs)
		if i < from {
			continue // compared with, never looked up
		}
		all = append(all, distinct[i]...)
	}
	if len(all) == 0 {
		return out, nil
	}
	slices.Sort(all)
	all = slices.Compact(all)
	posts, err := st.Postings(ctx, all)
	if err != nil {
		return nil, fmt.Errorf("audit: postings: %w", err)
	}
	// The essays holding each hash, each once: hashes held[k] are held
	// by ids[at[k]:at[k+1]]. Stores give postings by hash and essay.
	if !slices.IsSortedFunc(posts, cmpPosting) {
		posts = slices.Clone(posts)
		slices.SortFunc(posts, cmpPosting)
	}
	var held []uint64
	var at []int
	ids := make([]int64, 0, len(posts))
	for _, p := range posts {
		if len(held) == 0 || held[len(held)-1] != p.Hash {
			held = append(held, p.Hash)
			at = append(at, len(ids))
		} else if ids[len(ids)-1] == p.EssayID {
			continue
		}
		ids = append(ids, p.EssayID)
	}
	at = append(at, len(ids))
	stored := map[int64]*prepared{} // aligned stored essays, read once per batch
	hashes := map[string]bool{}     // texts stored or to be stored
	batch := map[uint64][]int{}     // hash -> earlier essays of prior and es to be stored
	mates := map[int]*prepared{}    // earlier essays of prior and es, prepared once
	priorHash := make(map[string]bool, len(prior))
	for _, e := range prior {
		hashes[e.Hash], priorHash[e.Hash] = true, true
	}
	for i, e := range es {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if i < from {
			for _, h := range distinct[i] {
				batch[h] = append(batch[h], i)
			}
			continue
		}
		if hashes[e.Hash] {
			continue // a re-import: stays a no-op
		}
		o := i - from // e's place in out
		n := len(distinct[i])
		sharedStored := map[int64]int{}
		sharedBatch := map[int]int{}
		pos := 0 // distinct[i] and held ascend: one walk of both
		for _, h := range distinct[i] {
			for pos < len(held) && held[pos] < h {
				pos++
			}
			if pos < len(held) && held[pos] == h {
				if hs := ids[at[pos]:at[pos+1]]; len(hs) <= maxGroup {
					for _, id := range hs {
						sharedStored[id]++
					}
				}
			}
			if ks := batch[h]; len(ks) <= maxGroup {
				for _, k := range ks {
					sharedBatch[k]++
				}
			}
		}
		var sub *prepared
		dup := false
		for id, c := range sharedStored {
			// The stored essay's print count is not at hand: the
			// threshold is on this essay's own, which errs towards
			// aligning.
			if !enough(c, n, minSim) {
				continue
			}
			p, ok := stored[id]
			if !ok {
				p, err = essay(ctx, st, id)
				if ibid.ErrorCode(err) == ibid.ENOTFOUND {
					continue // deleted since the look-up
				}
				if err != nil {
					return nil, err
				}
				stored[id] = p
			}
			if p.hash == e.Hash {
				dup = true
				break
			}
			if priorHash[p.hash] {
				continue // a prior essay stored meanwhile: compared as Earlier
			}
			if sub == nil {
				sub = prepare(0, "", e.Title, e.Hash, e.Text)
			}
			if s := similarity(sub, p); s >= minSim {
				out[o] = append(out[o], Similar{EssayID: id, Slug: p.slug, Title: p.title, Similarity: s})
			}
		}
		if dup {
			out[o] = nil
			hashes[e.Hash] = true
			continue
		}
		for k, c := range sharedBatch {
			if !enough(c, min(n, len(distinct[k])), minSim) {
				continue
			}
			if sub == nil {
				sub = prepare(0, "", e.Title, e.Hash, e.Text)
			}
			other, ok := mates[k]
			if !ok {
				other = prepare(0, "", es[k].Title, es[k].Hash, es[k].Text)
				mates[k] = other
			}
			if s := similarity(sub, other); s >= minSim {
				out[o] = append(out[o], Similar{Earlier: k, Title: es[k].Title, Similarity: s})
			}
		}
		sortSimilar(out[o])
		hashes[e.Hash] = true
		if reject && len(out[o]) > 0 {
			continue // refused: not in the library for the essays after it
		}
		for _, h := range distinct[i] {
			batch[h] = append(batch[h], i)
		}
	}
	return out, nil
}

func cmpPosting(a, b ibid.Posting) int {
	if a.Hash != b.Hash {
		if a.Hash < b.Hash {
			return -1
		}
		return 1
	}
	return cmp.Compare(a.EssayID, b.EssayID)
}

// similarity aligns two essays and returns the larger of their shares.
func similarity(a, b *prepared) float64 {
	sa, sb, _ := compare(a, b)
	return max(sa, sb)
}

func sortSimilar(s []Similar) {
	sort.Slice(s, func(i, j int) bool {
		if s[i].Similarity != s[j].Similarity {
			return s[i].Similarity > s[j].Similarity
		}
		if s[i].EssayID != s[j].EssayID {
			return s[i].EssayID < s[j].EssayID
		}
		return s[i].Earlier < s[j].Earlier
	})
}
