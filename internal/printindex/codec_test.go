package printindex

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestBlockRoundTrip encodes and decodes blocks whose first hash is the
// block's first possible one (a delta of 0 that is not a repeat), with
// repeated hashes, the largest hash and essay ids far from the base.
func TestBlockRoundTrip(t *testing.T) {
	tests := []struct {
		name  string
		bits  int
		base  int64
		pairs []Pair
	}{
		{"one block, from 0", 0, 1, []Pair{{0, 1}, {0, 2}, {5, 1}, {math.MaxUint64, 9}}},
		{"prefix start", 4, 100, []Pair{{0x3 << 60, 100}, {0x3<<60 + 1, 100}, {0x3<<60 + 1, 5000}, {0x3<<60 + 1, 5001}, {0x4<<60 - 1, 1 << 40}}},
		{"top prefix", 32, 7, []Pair{{math.MaxUint64 - 1, 7}, {math.MaxUint64, 7}, {math.MaxUint64, 8}}},
	}
	for _, tt := range tests {
		for _, shape := range []int{shapeBits, shapeFlatten} {
			l := layout{tt.bits, shape}
			pfx := l.prefix(tt.pairs[0].Hash)
			if shape == shapeBits {
				for _, p := range tt.pairs {
					if l.prefix(p.Hash) != pfx {
						t.Fatalf("%s: the test's pairs span prefixes", tt.name)
					}
				}
			}
			data := appendBlock(nil, tt.pairs, l.start(pfx), tt.base)
			got, err := decodeBlock(nil, data, l.start(pfx), tt.base)
			if err != nil || !slices.Equal(got, tt.pairs) {
				t.Errorf("%s, shape %d: %v %v, want %v", tt.name, shape, got, err, tt.pairs)
			}
		}
	}
}

// TestFlattenMonotone checks that the shape-1 prefix never decreases as the
// hash grows (blocks must hold consecutive hash ranges), covers the whole
// range, and spreads winnowed hashes (minimums of windows) evenly.
func TestFlattenMonotone(t *testing.T) {
	if flatten(0) > 15 || flatten(math.MaxUint64) != math.MaxUint64 {
		t.Errorf("flatten(0) = %d, flatten(max) = %d", flatten(0), flatten(math.MaxUint64))
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for range 100000 {
		a, b := rng.Uint64(), rng.Uint64()
		if a > b {
			a, b = b, a
		}
		if flatten(a) > flatten(b) || flatten(b) > flatten(b+1) && b != math.MaxUint64 {
			t.Fatalf("flatten not monotone at %d, %d", a, b)
		}
	}
	// Minimums of 5 uniform hashes (winnowing's verbatim window) over 256
	// blocks: no block may hold more than twice the average.
	l := layout{8, shapeFlatten}
	count := make([]int, 256)
	const n = 256 * 400
	for range n {
		m := uint64(math.MaxUint64)
		for range 5 {
			m = min(m, rng.Uint64())
		}
		count[l.prefix(m)]++
	}
	if mx := slices.Max(count); mx > 2*n/256 {
		t.Errorf("busiest block holds %d postings, the average is %d", mx, n/256)
	}
}

// TestPrefixBits checks that blocks hold at most the target number of
// postings on average and more than half of it, within the key's 32 bits.
func TestPrefixBits(t *testing.T) {
	for _, target := range []int{SQLite.Block, PostgreSQL.Block} {
		for _, n := range []int64{1, 31, 32, 33, 127, 128, 129, 256, 257, 1000, 800_000, 80_000_000, 1 << 50} {
			b := prefixBits(n, target)
			per := float64(n) / float64(uint64(1)<<b)
			if b < 0 || b > maxBits || (b < maxBits && per > float64(target)) || (b > 0 && per <= float64(target)/2) {
				t.Errorf("prefixBits(%d, %d) = %d: %.1f postings a block", n, target, b, per)
			}
		}
	}
}

// TestScanBlock compares scanBlock with a filter over decodeBlock, on
// random blocks with repeated hashes and random asked hashes, some held.
func TestScanBlock(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 200 {
		var ps []Pair
		h := uint64(rng.Int64N(1 << 20))
		for range 1 + rng.IntN(100) {
			if rng.IntN(4) > 0 {
				h += 1 + uint64(rng.Int64N(1<<40))
			}
			e := int64(10 + rng.IntN(1000))
			if len(ps) > 0 && ps[len(ps)-1].Hash == h && e <= ps[len(ps)-1].Essay {
				e = ps[len(ps)-1].Essay + 1
			}
			ps = append(ps, Pair{h, e})
		}
		data := appendBlock(nil, ps, 0, 10)
		var want []uint64
		for _, p := range ps {
			if rng.IntN(3) == 0 {
				want = append(want, p.Hash)
			}
		}
		for range rng.IntN(5) {
			want = append(want, rng.Uint64N(h+1))
		}
		slices.Sort(want)
		want = slices.Compact(want)
		var exp []Pair
		for _, p := range ps {
			if _, ok := slices.BinarySearch(want, p.Hash); ok {
				exp = append(exp, p)
			}
		}
		got, err := scanBlock(nil, data, 0, 10, want)
		if err != nil || !slices.Equal(got, exp) {
			t.Fatalf("scanBlock = %v %v, want %v", got, err, exp)
		}
	}
}

// TestSortPairs compares sortPairs with a comparison sort on batches like
// Add's (grouped by essay, ascending or not; small and large; hashes that
// share digits, repeats, the top bit set).
func TestSortPairs(t *testing.T) {
	gen := func(seed uint64, essays, per int, ascending bool, mask uint64) []Pair {
		r := rand.New(rand.NewPCG(seed, 1))
		ids := make([]int64, essays)
		for i := range ids {
			ids[i] = int64(i*3 + 1)
		}
		if !ascending {
			r.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
		}
		var ps []Pair
		for _, id := range ids {
			for range per {
				ps = append(ps, Pair{r.Uint64() & mask, id})
			}
		}
		return ps
	}
	tests := []struct {
		name string
		ps   []Pair
	}{
		{"empty", nil},
		{"small ascending", gen(1, 5, 20, true, math.MaxUint64)},
		{"large ascending", gen(2, 200, 50, true, math.MaxUint64)},
		{"large shuffled essays", gen(3, 200, 50, false, math.MaxUint64)},
		{"few distinct hashes (repeats)", gen(4, 300, 40, true, 0xff)},
		{"only high bits vary", gen(5, 100, 30, true, 0xffff<<48)},
		{"top bit only", gen(6, 100, 30, true, 1<<63)},
	}
	for _, tt := range tests {
		want := slices.Clone(tt.ps)
		slices.SortFunc(want, func(a, b Pair) int {
			switch {
			case less(a, b):
				return -1
			case less(b, a):
				return 1
			}
			return 0
		})
		got := sortPairs(slices.Clone(tt.ps))
		if !slices.Equal(got, want) {
			t.Errorf("%s: sortPairs differs from a comparison sort", tt.name)
		}
	}
}

// TestFilter checks that a block's filter passes every hash of the block
// (a lookup skips a kept block whose filter refuses all the asked hashes)
// and refuses most others.
func TestFilter(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, n := range []int{0, 1, 16, 32, 128} {
		var ps []Pair
		for range n {
			h := rng.Uint64()
			ps = append(ps, Pair{h, 10 + rng.Int64N(5)}, Pair{h, 20 + rng.Int64N(5)})
		}
		slices.SortFunc(ps, comparePairs)
		ps = slices.Compact(ps)
		data := appendBlock(nil, ps, 0, 10)
		f, err := filterOf(data, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range ps {
			if !f.may(p.Hash) {
				t.Fatalf("%d hashes: the filter refuses %d, which the block holds", n, p.Hash)
			}
		}
		passed := 0
		for range 10000 {
			if f.may(rng.Uint64()) {
				passed++
			}
		}
		if n <= 32 && passed > 1000 {
			t.Errorf("%d hashes: the filter passes %d of 10,000 hashes not in the block", n, passed)
		}
		if _, err := filterOf(data[:max(len(data)-1, 0)], 0); n > 0 && err == nil {
			t.Errorf("%d hashes: a block cut short gave no error", n)
		}
	}
}
