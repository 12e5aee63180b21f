package printindex

import (
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

// targetBlock is the number of postings a block holds on average when its
// run's prefix length is chosen by prefixBits: between half of it and all
// of it. A lookup decodes whole blocks, so smaller blocks cost fewer bytes
// read per hash looked up, and larger ones less row overhead per posting
// (with ~9 bytes a posting, 128 postings keep a block under PostgreSQL's
// 2 kB inline limit).
const targetBlock = 128

// maxBits bounds a run's prefix length: a block key is run<<32 | prefix.
const maxBits = 32

// prefixBits returns the number of leading hash bits that name a block of a
// run of n postings.
func prefixBits(n int64) int {
	if n <= targetBlock {
		return 0
	}
	return min(bits.Len64(uint64((n-1)/targetBlock)), maxBits)
}

// prefixOf returns the block prefix of h in a run with the given prefix
// length (Go shifts by 64 give 0, so a run of one block has prefix 0).
func prefixOf(h uint64, nbits int) uint64 {
	return h >> (64 - nbits)
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

// blockStart is the smallest hash a block of the given prefix can hold.
func blockStart(prefix uint64, nbits int) uint64 {
	if nbits == 0 {
		return 0
	}
	return prefix << (64 - nbits)
}
