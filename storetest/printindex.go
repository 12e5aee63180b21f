package storetest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/ibid-dev/ibid"
)

// optimizer is implemented by stores whose fingerprint index can be merged
// into one piece (after a bulk import).
type optimizer interface {
	OptimizePrints(ctx context.Context) error
}

// testPrintIndexModel writes many essays (enough for the index to merge
// pieces of it), updates and deletes some, and after every step compares
// PrintGroups and Postings with a map of what each live essay holds: an
// update shows only the new prints, a delete none, whether the old ones sit
// in a piece of the index written before or merged since.
func testPrintIndexModel(t *testing.T, s ibid.Store) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(14, 2))
	// A pool of hashes that essays share, across the whole uint64 range
	// (the top bit included), and hashes of one essay each.
	pool := make([]uint64, 400)
	for i := range pool {
		pool[i] = rng.Uint64()
	}
	model := map[int64][]uint64{}
	prints := func() []ibid.Print {
		n := 50 + rng.IntN(250)
		ps := make([]ibid.Print, n)
		for i := range ps {
			h := rng.Uint64()
			if rng.IntN(2) == 0 {
				h = pool[rng.IntN(len(pool))]
			}
			ps[i] = ibid.Print{Hash: h, Offset: i}
		}
		return ps
	}
	hashesOf := func(ps []ibid.Print) []uint64 {
		var hs []uint64
		for _, p := range ps {
			hs = append(hs, p.Hash)
		}
		slices.Sort(hs)
		return slices.Compact(hs)
	}
	check := func(step string) {
		t.Helper()
		want := map[uint64][]int64{}
		var all []uint64
		for id, hs := range model {
			for _, h := range hs {
				want[h] = append(want[h], id)
			}
		}
		for h, ids := range want {
			slices.Sort(ids)
			all = append(all, h)
		}
		slices.Sort(all)
		var wantWalk []string
		for _, h := range all {
			wantWalk = append(wantWalk, fmt.Sprintf("%d:%v", h, want[h]))
		}
		var gotWalk []string
		if err := s.PrintGroups(ctx, func(h uint64, ids []int64) error {
			gotWalk = append(gotWalk, fmt.Sprintf("%d:%v", h, ids))
			return nil
		}); err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		if g, w := strings.Join(gotWalk, " "), strings.Join(wantWalk, " "); g != w {
			t.Fatalf("%s: PrintGroups gives %d hashes, want %d (first difference at %d)", step, len(gotWalk), len(wantWalk), firstDiff(gotWalk, wantWalk))
		}
		// Every pool hash and some that no essay holds.
		ask := append(slices.Clone(pool), 1, 2, 1<<63)
		ps, err := s.Postings(ctx, ask)
		if err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		got := map[uint64][]int64{}
		for _, p := range ps {
			got[p.Hash] = append(got[p.Hash], p.EssayID)
		}
		for _, h := range ask {
			g := slices.Clone(got[h])
			slices.Sort(g)
			if fmt.Sprint(g) != fmt.Sprint(want[h]) {
				t.Fatalf("%s: Postings(%d) = %v, want %v", step, h, got[h], want[h])
			}
		}
		if n := len(ps); n != countPostings(want, ask) {
			t.Fatalf("%s: %d postings, want %d (each hash and essay once)", step, n, countPostings(want, ask))
		}
	}
	var ids []int64
	for i := range 40 {
		e := NewEssay(fmt.Sprintf("Model %d", i), "", nil, fmt.Sprintf("Model essay number %d.", i))
		e.Prints = prints()
		mustCreate(t, s, e)
		model[e.ID] = hashesOf(e.Prints)
		ids = append(ids, e.ID)
	}
	check("after 40 creates")
	for i, id := range ids[:20] {
		switch i % 3 {
		case 0:
			if err := s.DeleteEssay(ctx, id); err != nil {
				t.Fatal(err)
			}
			delete(model, id)
		default:
			e := NewEssay(fmt.Sprintf("Model %d", i), "", nil, fmt.Sprintf("Model essay number %d, revised.", i))
			e.ID = id
			e.Prints = prints()
			if err := s.UpdateEssay(ctx, e); err != nil {
				t.Fatal(err)
			}
			model[id] = hashesOf(e.Prints)
		}
		if i%5 == 4 {
			check(fmt.Sprintf("after %d updates and deletes", i+1))
		}
	}
	// An essay updated twice, the second time with no prints at all.
	e := NewEssay("Model twice", "", nil, "Written, then rewritten twice.")
	e.Prints = prints()
	mustCreate(t, s, e)
	for i, ps := range [][]ibid.Print{prints(), nil} {
		upd := NewEssay("Model twice", "", nil, fmt.Sprintf("Rewritten, time %d.", i))
		upd.ID, upd.Prints = e.ID, ps
		if err := s.UpdateEssay(ctx, upd); err != nil {
			t.Fatal(err)
		}
		model[e.ID] = hashesOf(ps)
	}
	delete(model, e.ID)
	check("after updating one essay twice")
	if bc, ok := s.(ibid.BatchCreator); ok {
		var batch []*ibid.Essay
		for i := range 30 {
			e := NewEssay(fmt.Sprintf("Batch model %d", i), "", nil, fmt.Sprintf("Batch model essay %d.", i))
			e.Prints = prints()
			batch = append(batch, e)
		}
		for i, err := range bc.CreateEssays(ctx, batch) {
			if err != nil {
				t.Fatal(err)
			}
			model[batch[i].ID] = hashesOf(batch[i].Prints)
		}
		check("after a batch")
	}
	if o, ok := s.(optimizer); ok {
		if err := o.OptimizePrints(ctx); err != nil {
			t.Fatal(err)
		}
		check("after optimizing")
		// Deleting after the merge into one piece.
		for id := range model {
			if err := s.DeleteEssay(ctx, id); err != nil {
				t.Fatal(err)
			}
			delete(model, id)
			break
		}
		check("after a delete in the optimized index")
		if err := o.OptimizePrints(ctx); err != nil {
			t.Fatal(err)
		}
		check("after optimizing again")
	}
}

func countPostings(want map[uint64][]int64, ask []uint64) int {
	n := 0
	seen := map[uint64]bool{}
	for _, h := range ask {
		if !seen[h] {
			seen[h] = true
			n += len(want[h])
		}
	}
	return n
}

func firstDiff(a, b []string) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// WantPrints checks that the fingerprint index of s holds exactly want
// (hash → the IDs of the essays holding it, ascending): one walk of
// PrintGroups, and Postings of the first 100 hashes. The stores' migration
// tests call it on a library they filled before the migration.
func WantPrints(t *testing.T, s ibid.Store, want map[uint64][]int64) {
	t.Helper()
	var hashes []uint64
	for h := range want {
		hashes = append(hashes, h)
	}
	slices.Sort(hashes)
	var wantWalk, gotWalk []string
	for _, h := range hashes {
		wantWalk = append(wantWalk, fmt.Sprintf("%d:%v", h, want[h]))
	}
	if err := s.PrintGroups(t.Context(), func(h uint64, ids []int64) error {
		gotWalk = append(gotWalk, fmt.Sprintf("%d:%v", h, ids))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(gotWalk) != len(wantWalk) || strings.Join(gotWalk, " ") != strings.Join(wantWalk, " ") {
		t.Errorf("after the migration: %d hashes, want %d", len(gotWalk), len(wantWalk))
	}
	ask := hashes[:min(100, len(hashes))]
	ps, err := s.Postings(t.Context(), ask)
	if err != nil {
		t.Fatal(err)
	}
	if n := countPostings(want, ask); len(ps) != n {
		t.Errorf("postings of %d hashes: %d, want %d", len(ask), len(ps), n)
	}
}
