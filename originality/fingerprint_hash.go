package originality

import "math/bits"

// The n-gram hashes of the scheme, xxhash64 (seed 0) of a kind tag and the
// little-endian stem hashes (see SchemeVersion), computed here from the
// stems themselves: with xxhash.Sum64 each n-gram was first written out
// byte by byte and then hashed by a call that cannot be inlined, and an
// import hashes two n-grams a word. The arithmetic is xxhash64's for
// inputs of exactly 1+8*verbatimN and 1+8*paraN bytes, whose 8-byte words
// straddle the stems: word k is the tag or the top byte of stem k-1, then
// the low seven bytes of stem k. TestGramHashes compares them with
// xxhash.Sum64 of the bytes.

const (
	xxPrime1 = 11400714785074694791
	xxPrime2 = 14029467366897019727
	xxPrime3 = 1609587929392839161
	xxPrime4 = 9650029242287828579
	xxPrime5 = 2870177450012600261
	// the lanes' start values, which wrap around as in xxhash
	xxLane1 = uint64(xxPrime1 + xxPrime2 - 1<<64)
	xxLane4 = uint64(1<<64 - xxPrime1)
)

// The verbatim n-gram is 33 bytes: one 32-byte stripe and one byte left;
// the paraphrase n-gram is 25: three 8-byte words and one byte.
const (
	_ uint = verbatimN - 4
	_ uint = 4 - verbatimN
)

func xxRound(acc, input uint64) uint64 {
	acc += input * xxPrime2
	acc = bits.RotateLeft64(acc, 31)
	return acc * xxPrime1
}

func xxMergeRound(acc, val uint64) uint64 {
	val = xxRound(0, val)
	acc ^= val
	return acc*xxPrime1 + xxPrime4
}

// xxTail8 folds one 8-byte word of the tail into h.
func xxTail8(h, k uint64) uint64 {
	h ^= xxRound(0, k)
	return bits.RotateLeft64(h, 27)*xxPrime1 + xxPrime4
}

// xxTail1 folds one byte of the tail into h.
func xxTail1(h uint64, b byte) uint64 {
	h ^= uint64(b) * xxPrime5
	return bits.RotateLeft64(h, 11) * xxPrime1
}

func xxAvalanche(h uint64) uint64 {
	h ^= h >> 33
	h *= xxPrime2
	h ^= h >> 29
	h *= xxPrime3
	h ^= h >> 32
	return h
}

// verbatimHash is xxhash64 of tagVerbat followed by a, b, c and d
// little-endian.
func verbatimHash(a, b, c, d uint64) uint64 {
	v1 := xxRound(xxLane1, tagVerbat|a<<8)
	v2 := xxRound(xxPrime2, a>>56|b<<8)
	v3 := xxRound(0, b>>56|c<<8)
	v4 := xxRound(xxLane4, c>>56|d<<8)
	h := bits.RotateLeft64(v1, 1) + bits.RotateLeft64(v2, 7) + bits.RotateLeft64(v3, 12) + bits.RotateLeft64(v4, 18)
	h = xxMergeRound(h, v1)
	h = xxMergeRound(h, v2)
	h = xxMergeRound(h, v3)
	h = xxMergeRound(h, v4)
	h += 1 + 8*verbatimN
	h = xxTail1(h, byte(d>>56))
	return xxAvalanche(h)
}

// paraHash is xxhash64 of tagParaph followed by a, b and c little-endian.
func paraHash(a, b, c uint64) uint64 {
	h := uint64(xxPrime5 + 1 + 8*paraN)
	h = xxTail8(h, tagParaph|a<<8)
	h = xxTail8(h, a>>56|b<<8)
	h = xxTail8(h, b>>56|c<<8)
	h = xxTail1(h, byte(c>>56))
	return xxAvalanche(h)
}
