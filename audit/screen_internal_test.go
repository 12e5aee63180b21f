package audit

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"

	"github.com/ibid-dev/ibid"
)

// randomHashes are n hashes drawn from a small range when dense, so that
// they repeat.
func randomHashes(r *rand.Rand, n int, dense bool) []uint64 {
	hs := make([]uint64, n)
	for i := range hs {
		if dense {
			hs[i] = r.Uint64N(uint64(n/2 + 1))
		} else {
			hs[i] = r.Uint64()
		}
	}
	return hs
}

func TestSortHashes(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 1, 100, 1<<14 - 1, 1 << 14, 100_000} {
		for _, dense := range []bool{false, true} {
			hs := randomHashes(r, n, dense)
			want := slices.Clone(hs)
			slices.Sort(want)
			sortHashes(hs)
			if !slices.Equal(hs, want) {
				t.Errorf("n %d dense %v: not sorted as slices.Sort sorts", n, dense)
			}
		}
	}
}

func TestSeek(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{0, 1, 2, 7, 1000} {
		hs := randomHashes(r, n, true)
		slices.Sort(hs)
		for range 200 {
			pos := r.IntN(n + 1)
			h := r.Uint64N(uint64(n + 2))
			want := pos + sort.Search(n-pos, func(j int) bool { return hs[pos+j] >= h })
			if got := seek(hs, pos, h); got != want {
				t.Fatalf("n %d: seek(pos %d, %d) = %d, want %d", n, pos, h, got, want)
			}
		}
	}
}

// TestHashTable checks the table's sizes and counts against a map of the
// same essays' hashes.
func TestHashTable(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	var tab hashTable
	for _, essays := range []int{1, 10, maxGroup + 50} {
		docs := make([][]uint64, essays)
		total := 0
		for k := range docs {
			hs := randomHashes(r, 50, true) // shared across essays
			hs = append(hs, 1<<63+uint64(k), 0)
			slices.Sort(hs)
			docs[k] = slices.Compact(hs)
			total += len(docs[k])
		}
		tab.reset(total)
		model := map[uint64][]int32{}
		for k, hs := range docs {
			tab.add(hs, int32(k))
			for _, h := range hs {
				model[h] = append(model[h], int32(k))
			}
		}
		shared := make([]int32, essays)
		for _, h := range []uint64{0, 1, 7, 25, 1 << 63, 1<<63 + 3, 12345678} {
			s := tab.slot(h)
			want := model[h]
			if int(s.size) != len(want) {
				t.Errorf("%d essays, hash %d: size %d, want %d", essays, h, s.size, len(want))
			}
			touched := tab.count(s, shared, nil)
			slices.Sort(touched)
			if !slices.Equal(touched, want) {
				t.Errorf("%d essays, hash %d: counted %v, want %v", essays, h, touched, want)
			}
			for _, k := range touched {
				if shared[k] != 1 {
					t.Errorf("%d essays, hash %d: essay %d counted %d times", essays, h, k, shared[k])
				}
				shared[k] = 0
			}
		}
	}
}

// TestSortPrints: sorted by hash, the same prints, whatever bytes the
// hashes share (passes skipped, an odd number of passes made).
func TestSortPrints(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for _, n := range []int{0, 1, 63, 64, 1000} {
		for _, bits := range []uint{8, 16, 24, 64} {
			ps := make([]ibid.Print, n)
			for i := range ps {
				ps[i] = ibid.Print{Hash: r.Uint64() >> (64 - bits), Offset: i}
			}
			got := slices.Clone(ps)
			SortPrints(got)
			if !slices.IsSortedFunc(got, func(a, b ibid.Print) int { return cmp.Compare(a.Hash, b.Hash) }) {
				t.Errorf("n %d, %d-bit hashes: not sorted by hash", n, bits)
			}
			byOffset := func(a, b ibid.Print) int { return cmp.Compare(a.Offset, b.Offset) }
			slices.SortFunc(got, byOffset)
			if !slices.Equal(got, ps) {
				t.Errorf("n %d, %d-bit hashes: prints lost or changed", n, bits)
			}
		}
	}
}
