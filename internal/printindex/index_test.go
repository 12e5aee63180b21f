package printindex

import (
	"database/sql"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"

	_ "modernc.org/sqlite"
)

// schema is the SQLite store's migrations 005 and 006, as far as the index
// goes.
const schema = `
CREATE TABLE print_runs (id INTEGER PRIMARY KEY, postings INTEGER NOT NULL, bits INTEGER NOT NULL, base INTEGER NOT NULL);
CREATE TABLE print_blocks (key INTEGER PRIMARY KEY, data BLOB NOT NULL);
CREATE TABLE print_tombstones (essay_id INTEGER PRIMARY KEY, run_limit INTEGER NOT NULL);
CREATE TABLE print_state (id INTEGER PRIMARY KEY CHECK (id = 1), next_run INTEGER NOT NULL);
INSERT INTO print_state (id, next_run) VALUES (1, 1);
ALTER TABLE print_runs ADD COLUMN shape INTEGER NOT NULL DEFAULT 0;
`

// openIndexDB opens a new SQLite database with the index's tables, closed
// when the test ends.
func openIndexDB(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "ix.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Exec(schema); err != nil {
		t.Fatal(err)
	}
	return db
}

// TestOldShapeRuns writes a run in shape 0 (as ibid did before migration
// 006), with the winnowing skew of real prints, then runs in the current
// shape, and checks lookups and walks against a model before and after the
// runs are merged.
func TestOldShapeRuns(t *testing.T) {
	db := openIndexDB(t)
	ctx := t.Context()
	ix := New(SQLite)
	var cache Cache
	rng := rand.New(rand.NewPCG(7, 8))
	skewed := func() uint64 {
		m := rng.Uint64()
		for range 4 {
			m = min(m, rng.Uint64())
		}
		return m
	}
	model := map[uint64][]int64{}
	var asked []uint64
	docs := func(first, n int) []Doc {
		var out []Doc
		for e := first; e < first+n; e++ {
			d := Doc{Essay: int64(e)}
			for range 300 {
				d.Hashes = append(d.Hashes, skewed())
			}
			slices.Sort(d.Hashes)
			d.Hashes = slices.Compact(d.Hashes)
			for _, h := range d.Hashes {
				model[h] = append(model[h], d.Essay)
			}
			asked = append(asked, d.Hashes[:20]...)
			out = append(out, d)
		}
		return out
	}
	// The old run, written as the writer wrote it before shapes.
	tx, _ := db.Begin()
	var ps []Pair
	for _, d := range docs(1, 20) {
		for _, h := range d.Hashes {
			ps = append(ps, Pair{h, d.Essay})
		}
	}
	slices.SortFunc(ps, comparePairs)
	id, err := ix.allocate(ctx, tx)
	if err != nil {
		t.Fatal(err)
	}
	w := ix.newWriter(tx, id, int64(len(ps)), 1)
	w.shape = shapeBits
	for _, p := range ps {
		if err := w.add(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.close(ctx); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if err := ix.Add(ctx, tx, docs(21+10*i, 10)); err != nil {
			t.Fatal(err)
		}
	}
	asked = append(asked, 0, 1, 1<<63, 1<<64-1)
	check := func(step string) {
		t.Helper()
		got, err := ix.Lookup(ctx, tx, &cache, asked)
		if err != nil {
			t.Fatal(err)
		}
		var want []Pair
		seen := map[uint64]bool{}
		for _, h := range asked {
			if !seen[h] {
				seen[h] = true
				for _, e := range model[h] {
					want = append(want, Pair{h, e})
				}
			}
		}
		slices.SortFunc(want, comparePairs)
		if !slices.Equal(got, want) {
			t.Fatalf("%s: lookup found %d postings, want %d", step, len(got), len(want))
		}
		n := 0
		if err := ix.Walk(ctx, tx, func(h uint64, ids []int64) error {
			if fmt.Sprint(ids) != fmt.Sprint(model[h]) {
				return fmt.Errorf("hash %d: %v, want %v", h, ids, model[h])
			}
			n++
			return nil
		}); err != nil || n != len(model) {
			t.Fatalf("%s: walk: %d hashes of %d, %v", step, n, len(model), err)
		}
	}
	check("old and new runs")
	if err := ix.Optimize(ctx, tx); err != nil {
		t.Fatal(err)
	}
	runs, _ := ix.runs(ctx, tx)
	if len(runs) != 1 || runs[0].shape != shapeFlatten {
		t.Fatalf("after optimizing: %+v", runs)
	}
	check("merged")
	tx.Rollback()
}

// TestCachedLookups checks lookups through Caches of several sizes (all of
// the index, a few blocks, none) against a model of the postings while the
// index changes under them: runs added and merged (their blocks dropped and
// their keys never used again), essays removed, everything optimized. Each
// change is committed, as the stores commit before their readers look.
func TestCachedLookups(t *testing.T) {
	db := openIndexDB(t)
	ctx := t.Context()
	ix := New(SQLite)
	caches := []struct {
		name  string
		cache *Cache
	}{
		{"default", &Cache{}},
		{"a few blocks", &Cache{MaxBytes: 3000}},
		{"none kept", &Cache{MaxBytes: -1}},
		{"no cache", nil},
	}
	rng := rand.New(rand.NewPCG(3, 4))
	model := map[uint64]map[int64]bool{}
	var known []uint64
	write := func(fn func(tx *sql.Tx) error) {
		t.Helper()
		tx, err := db.Begin()
		if err != nil {
			t.Fatal(err)
		}
		if err := fn(tx); err != nil {
			t.Fatal(err)
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	next := int64(1)
	add := func(n int) {
		var docs []Doc
		for range n {
			d := Doc{Essay: next}
			next++
			for range 200 {
				// Half the hashes are shared with earlier essays.
				h := rng.Uint64()
				if len(known) > 0 && rng.IntN(2) == 0 {
					h = known[rng.IntN(len(known))]
				} else {
					known = append(known, h)
				}
				d.Hashes = append(d.Hashes, h)
				if model[h] == nil {
					model[h] = map[int64]bool{}
				}
				model[h][d.Essay] = true
			}
			docs = append(docs, d)
		}
		write(func(tx *sql.Tx) error { return ix.Add(ctx, tx, docs) })
	}
	check := func(step string) {
		t.Helper()
		for round := range 3 {
			// Known hashes and hashes in no essay (most of a check's).
			var asked []uint64
			for range 300 {
				asked = append(asked, known[rng.IntN(len(known))], rng.Uint64())
			}
			var want []Pair
			for _, h := range asked {
				for e := range model[h] {
					want = append(want, Pair{h, e})
				}
			}
			slices.SortFunc(want, comparePairs)
			want = slices.Compact(want)
			for _, c := range caches {
				tx, err := db.Begin()
				if err != nil {
					t.Fatal(err)
				}
				got, err := ix.Lookup(ctx, tx, c.cache, asked)
				tx.Rollback()
				if err != nil {
					t.Fatalf("%s, %s: %v", step, c.name, err)
				}
				if !slices.Equal(got, want) {
					t.Fatalf("%s, round %d, %s: %d postings, want %d", step, round, c.name, len(got), len(want))
				}
			}
		}
		for _, c := range caches {
			if c.cache == nil {
				continue
			}
			c.cache.mu.RLock()
			b, n, lim := c.cache.bytes, len(c.cache.blocks), c.cache.limit()
			var sum int
			for _, d := range c.cache.blocks {
				sum += len(d.data) + blockOverhead
			}
			c.cache.mu.RUnlock()
			if b > lim || sum != b {
				t.Fatalf("%s, %s: %d blocks counted as %d bytes (%d really), limit %d", step, c.name, n, b, sum, lim)
			}
		}
	}
	add(5)
	check("one run")
	for range 2 * Fanout {
		add(1)
	}
	check("merged runs")
	write(func(tx *sql.Tx) error { return ix.Remove(ctx, tx, 2, 7) })
	for h, es := range model {
		delete(es, 2)
		delete(es, 7)
		if len(es) == 0 {
			delete(model, h)
		}
	}
	check("removed")
	write(func(tx *sql.Tx) error { return ix.Optimize(ctx, tx) })
	check("optimized")
	add(3)
	check("added after optimizing")
}
