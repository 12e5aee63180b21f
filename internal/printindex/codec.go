package printindex

import (
	"cmp"
	"encoding/binary"
	"errors"
	"math/bits"
)

// Pair is one posting of the index: an essay that holds a print's hash.
// Offsets are not kept: the checker and the audit only ask which essays
// hold a hash.
type Pair struct {
	Hash  uint64
	Essay int64
}

func less(a, b Pair) bool {
	return a.Hash < b.Hash || (a.Hash == b.Hash && a.Essay < b.Essay)
}

// comparePairs orders pairs as less does, for slices.SortFunc and its kin.
func comparePairs(a, b Pair) int {
	return cmp.Or(cmp.Compare(a.Hash, b.Hash), cmp.Compare(a.Essay, b.Essay))
}

// maxBits bounds a run's prefix length: a block key is run<<32 | prefix.
const maxBits = 32

// prefixBits returns the number of leading hash bits that name a block of a
// run of n postings, for blocks of at most target postings on average (and
// more than half of it).
func prefixBits(n int64, target int) int {
	if n <= int64(target) {
		return 0
	}
	return min(bits.Len64(uint64((n-1)/int64(target))), maxBits)
}

// A run's shape says how a hash maps to its block's prefix.
//
// Shape 0 (runs written before migration 006) takes the hash's leading bits.
// But prints are winnowed: each is the smallest hash of a window of 5 or 8,
// so small hashes are far more common than large ones, and with shape 0 a
// fifth of the prefixes of a run had no posting while the busiest blocks held
// four times the average (and in PostgreSQL grew past the 2 kB that TOAST
// moves out of line). Shape 1 takes the leading bits of 1-(1-x)^4, x being
// the hash as a fraction of 2^64: the distribution of the smallest of four
// uniform values, which flattens that of prints (10,000 synth essays, 2^18
// blocks: median 31 postings a block for an average of 33, 99th percentile 69;
// shape 0: median 14, 99th percentile 131). The map is monotone, so a run's
// blocks still hold consecutive ranges of hashes in order, and computed in
// integers, so it is the same on every machine.
const (
	shapeBits    = 0
	shapeFlatten = 1
)

// layout is how a run cuts hashes into blocks.
type layout struct {
	bits  int
	shape int
}

// flatten maps h to 1-(1-x)^4 in 64-bit fixed point.
func flatten(h uint64) uint64 {
	t := ^h // 1-x
	t2, _ := bits.Mul64(t, t)
	t4, _ := bits.Mul64(t2, t2)
	return ^t4
}

// prefix returns the block prefix of h (Go shifts by 64 give 0, so a run of
// one block has prefix 0).
func (l layout) prefix(h uint64) uint64 {
	if l.shape == shapeFlatten {
		h = flatten(h)
	}
	return h >> (64 - l.bits)
}

// start is the hash a block's first delta is taken from: the block's
// smallest possible hash for shape 0; 0 for shape 1, whose first hash is
// then written whole (a few bytes a block).
func (l layout) start(prefix uint64) uint64 {
	if l.shape == shapeFlatten || l.bits == 0 {
		return 0
	}
	return prefix << (64 - l.bits)
}

// blockKey is a block's primary key: the run in the high bits, the hash
// prefix in the low 32.
func blockKey(run int64, prefix uint64) int64 {
	return run<<32 | int64(prefix)
}

// runRange returns the keys [lo, hi) of a run's blocks.
func runRange(run int64) (lo, hi int64) {
	return run << 32, (run + 1) << 32
}

// appendBlock encodes postings sorted by (hash, essay), all with the same
// prefix, as a block: for each posting the hash as a varint delta from the
// previous one (from the block's first possible hash for the first), then
// the essay: as a delta from the previous essay when the hash repeats,
// otherwise as its distance from the run's smallest essay id, base.
func appendBlock(buf []byte, ps []Pair, start uint64, base int64) []byte {
	prev := start
	var prevEssay int64
	for i, p := range ps {
		d := p.Hash - prev
		buf = binary.AppendUvarint(buf, d)
		if i > 0 && d == 0 {
			buf = binary.AppendUvarint(buf, uint64(p.Essay-prevEssay))
		} else {
			buf = binary.AppendUvarint(buf, uint64(p.Essay-base))
		}
		prev, prevEssay = p.Hash, p.Essay
	}
	return buf
}

var errCorrupt = errors.New("printindex: corrupt block")

// decodeBlock appends a block's postings to out.
func decodeBlock(out []Pair, data []byte, start uint64, base int64) ([]Pair, error) {
	prev := start
	var prevEssay int64
	for i := 0; len(data) > 0; i++ {
		d, n := binary.Uvarint(data)
		if n <= 0 {
			return out, errCorrupt
		}
		data = data[n:]
		e, n := binary.Uvarint(data)
		if n <= 0 {
			return out, errCorrupt
		}
		data = data[n:]
		h := prev + d
		var id int64
		if i > 0 && d == 0 {
			id = prevEssay + int64(e)
		} else {
			id = base + int64(e)
		}
		out = append(out, Pair{h, id})
		prev, prevEssay = h, id
	}
	return out, nil
}

// scanBlock walks a block for the sorted hashes want (all of its prefix)
// and appends their postings to out. It stops past the last of them, and
// does not decode the essays of hashes not wanted: a lookup reads a block
// for a few of its hundred hashes.
func scanBlock(out []Pair, data []byte, start uint64, base int64, want []uint64) ([]Pair, error) {
	if len(want) == 0 {
		return out, nil
	}
	last := want[len(want)-1]
	h := start
	var prevEssay int64
	w := 0
	first := true
	for len(data) > 0 {
		d, n := uvarint(data)
		if n <= 0 {
			return out, errCorrupt
		}
		data = data[n:]
		h += d
		if h > last {
			return out, nil
		}
		for want[w] < h {
			w++
		}
		if want[w] != h {
			// Skip the essay's varint.
			i := 0
			for i < len(data) && data[i] >= 0x80 {
				i++
			}
			if i == len(data) {
				return out, errCorrupt
			}
			data = data[i+1:]
			first = false
			continue
		}
		e, n := uvarint(data)
		if n <= 0 {
			return out, errCorrupt
		}
		data = data[n:]
		var id int64
		if !first && d == 0 {
			id = prevEssay + int64(e)
		} else {
			id = base + int64(e)
		}
		out = append(out, Pair{h, id})
		prevEssay = id
		first = false
	}
	return out, nil
}

// uvarint is binary.Uvarint with a fast path for one byte.
func uvarint(b []byte) (uint64, int) {
	if len(b) > 0 && b[0] < 0x80 {
		return uint64(b[0]), 1
	}
	return binary.Uvarint(b)
}

// blockHashes calls fn with each posting's hash of a block, in order
// (repeats included).
func blockHashes(data []byte, start uint64, fn func(uint64)) error {
	h := start
	for len(data) > 0 {
		d, n := uvarint(data)
		if n <= 0 {
			return errCorrupt
		}
		h += d
		fn(h)
		data = data[n:]
		i := 0
		for i < len(data) && data[i] >= 0x80 {
			i++
		}
		if i == len(data) {
			return errCorrupt
		}
		data = data[i+1:]
	}
	return nil
}
