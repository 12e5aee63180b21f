package originality

import (
	"math/bits"
	"slices"

	"github.com/ibid-dev/ibid/thesaurus"
)

// The parts of an alignment that depend on one text only are computed once
// per text and shared, read-only, by every alignment the text takes part
// in: a check aligns its text with up to MaxSources candidates, and a
// library's texts are candidates of check after check. Both are built
// lazily, on first use, because a text that is only fingerprinted never
// needs them.

// termBag is the content stems of each sentence of a text.
type termBag struct {
	// stems are the distinct content stems in order of first appearance;
	// a stem's position there is its local term id (find).
	stems []uint64
	// df is how many sentences hold each term.
	df []int32
	// synTerms lists every (synset, term) of the leading synsets of each
	// term's first spelling, ascending, for merging with another text's.
	synTerms []synTerm
	// sentence k holds the terms tcs[start[k]:start[k+1]], ids ascending.
	tcs   []termCount
	start []int32

	// The term ids of the stems, in an open-addressing hash table: the
	// submitted text of a check is asked for every stem of each of its
	// candidates, and a map lookup was several times slower.
	tabKeys  []uint64
	tabIDs   []int32 // 1 + the term id; 0 for an empty slot
	tabShift uint
}

// find returns the term id of stem.
func (tb *termBag) find(stem uint64) (int32, bool) {
	mask := uint64(len(tb.tabKeys) - 1)
	for k := (stem * 0x9e3779b97f4a7c15) >> tb.tabShift; ; k = (k + 1) & mask {
		switch id := tb.tabIDs[k]; {
		case id == 0:
			return 0, false
		case tb.tabKeys[k] == stem:
			return id - 1, true
		}
	}
}

// makeTable makes an empty table for up to n stems (at most half full)
// and puts tb's stems in it.
func (tb *termBag) makeTable(n int) {
	size, shift := tableSize(n)
	tb.tabKeys = make([]uint64, size)
	tb.tabIDs = make([]int32, size)
	tb.tabShift = shift
	for id, stem := range tb.stems {
		tb.insert(stem, int32(id))
	}
}

// insert puts a stem that is not in the table yet.
func (tb *termBag) insert(stem uint64, id int32) {
	mask := uint64(len(tb.tabKeys) - 1)
	k := (stem * 0x9e3779b97f4a7c15) >> tb.tabShift
	for tb.tabIDs[k] != 0 {
		k = (k + 1) & mask
	}
	tb.tabKeys[k], tb.tabIDs[k] = stem, id+1
}

type termCount struct{ t, n int32 }

// synTerm says that term t has synset set among its leading senses.
type synTerm struct {
	set thesaurus.Synset
	t   int32
}

// bag returns the term bag of p, computing it on first use.
func (p *prepared) bag() *termBag {
	p.bagOnce.Do(func() { p.bagv = newTermBag(p) })
	return p.bagv
}

func newTermBag(p *prepared) *termBag {
	tb := &termBag{start: make([]int32, 1, len(p.sents)+1)}
	// A text has no more stems than content words.
	tb.makeTable(contentWords(p.words))
	var scratch []int32
	for _, s := range p.sents {
		scratch = scratch[:0]
		for _, w := range p.words[s.first:s.last] {
			if w.stop {
				continue
			}
			id, ok := tb.find(w.stem)
			if !ok {
				id = int32(len(tb.stems))
				tb.insert(w.stem, id)
				tb.stems = append(tb.stems, w.stem)
				tb.df = append(tb.df, 0)
				if syn := p.synOf(w); syn != nil {
					for _, set := range syn.sets {
						tb.synTerms = append(tb.synTerms, synTerm{set, id})
					}
				}
			}
			scratch = append(scratch, id)
		}
		slices.Sort(scratch)
		for x := 0; x < len(scratch); {
			y := x
			for y < len(scratch) && scratch[y] == scratch[x] {
				y++
			}
			tb.tcs = append(tb.tcs, termCount{t: scratch[x], n: int32(y - x)})
			tb.df[scratch[x]]++
			x = y
		}
		tb.start = append(tb.start, int32(len(tb.tcs)))
	}
	// Sorted by synset, then term, as one key each: sorting plain
	// integers is several times faster than sorting with a comparison
	// function, and this sort was a third of the bag's cost. (Synsets and
	// term ids are never negative.)
	keys := make([]uint64, len(tb.synTerms))
	for k, st := range tb.synTerms {
		keys[k] = uint64(st.set)<<32 | uint64(uint32(st.t))
	}
	slices.Sort(keys)
	for k, key := range keys {
		tb.synTerms[k] = synTerm{set: thesaurus.Synset(key >> 32), t: int32(uint32(key))}
	}
	if len(tb.tabKeys) > 4*max(len(tb.stems), 8) {
		tb.makeTable(len(tb.stems)) // most words repeat: a table to fit
	}
	return tb
}

// trigramIndex holds the places of the word trigrams of a text, for exact
// runs: every trigram's key, sorted, and for trigram keys[k] the word
// positions pos[at[k]:at[k+1]], ascending — none for a trigram found more
// than maxTrigramPlaces times.
type trigramIndex struct {
	keys []uint64
	at   []int32
	pos  []int32
	// filter has a bit set for every key (one bit of 8 or more per key):
	// most trigrams of a submitted text are in no candidate, and one bit
	// test turns most of them away without a binary search.
	filter []uint64
	shift  uint
	// The keys whose top bits are b are keys[bucket[b]:bucket[b+1]]: a
	// key is found among one or two neighbours instead of by a binary
	// search over all (a check asks each candidate's index about every
	// trigram of its text).
	bucket      []int32
	bucketShift uint
}

// bit returns the word and mask of key h in the filter.
func (ix *trigramIndex) bit(h uint64) (int, uint64) {
	b := (h * 0x9e3779b97f4a7c15) >> ix.shift
	return int(b >> 6), 1 << (b & 63)
}

// trigrams returns the trigram index of p, computing it on first use.
func (p *prepared) trigrams() *trigramIndex {
	p.triOnce.Do(func() { p.triv = newTrigramIndex(p.words) })
	return p.triv
}

// trigram is the hash of the normalised words k, k+1 and k+2 of ws.
func trigram(ws []word, k int) uint64 {
	return ws[k].norm ^ bits.RotateLeft64(ws[k+1].norm, 21) ^ bits.RotateLeft64(ws[k+2].norm, 42)
}

func newTrigramIndex(ws []word) *trigramIndex {
	ix := &trigramIndex{}
	if len(ws) < 3 {
		return ix
	}
	type place struct {
		h uint64
		y int32
	}
	places := make([]place, 0, len(ws)-2)
	for y := 0; y+3 <= len(ws); y++ {
		places = append(places, place{trigram(ws, y), int32(y)})
	}
	slices.SortFunc(places, func(a, b place) int {
		switch {
		case a.h < b.h:
			return -1
		case a.h > b.h:
			return 1
		}
		return int(a.y - b.y)
	})
	ix.pos = make([]int32, 0, len(places))
	for x := 0; x < len(places); {
		y := x
		for y < len(places) && places[y].h == places[x].h {
			y++
		}
		// A trigram found everywhere ("one of the", or a text of one word
		// repeated) starts no useful run, and following it from every
		// place would cost time quadratic in the length of the texts: it
		// is kept without places, so that exactRuns knows it is there.
		ix.keys = append(ix.keys, places[x].h)
		ix.at = append(ix.at, int32(len(ix.pos)))
		if y-x <= maxTrigramPlaces {
			for _, p := range places[x:y] {
				ix.pos = append(ix.pos, p.y)
			}
		}
		x = y
	}
	ix.at = append(ix.at, int32(len(ix.pos)))
	nbits := 64
	for nbits < 8*len(ix.keys) {
		nbits *= 2
	}
	ix.filter = make([]uint64, nbits/64)
	ix.shift = uint(64 - log2(nbits))
	for _, h := range ix.keys {
		w, m := ix.bit(h)
		ix.filter[w] |= m
	}
	nb := 1
	for nb < len(ix.keys) {
		nb *= 2
	}
	ix.bucketShift = uint(64 - log2(nb))
	ix.bucket = make([]int32, nb+1)
	for b, k := 0, 0; b <= nb; b++ {
		for k < len(ix.keys) && ix.keys[k]>>ix.bucketShift < uint64(b) {
			k++
		}
		ix.bucket[b] = int32(k)
	}
	return ix
}

// log2 returns the base-2 logarithm of a power of two.
func log2(n int) int { return bits.TrailingZeros(uint(n)) }

// places returns the word positions of trigram h, ascending (none when it
// is found more than maxTrigramPlaces times).
func (ix *trigramIndex) places(h uint64) []int32 {
	pos, _ := ix.lookup(h)
	return pos
}

// lookup returns the word positions of trigram h, ascending, and whether h
// is a trigram of the text found too often to have them listed.
func (ix *trigramIndex) lookup(h uint64) ([]int32, bool) {
	if len(ix.filter) == 0 {
		return nil, false
	}
	if w, m := ix.bit(h); ix.filter[w]&m == 0 {
		return nil, false
	}
	b := h >> ix.bucketShift
	for k := ix.bucket[b]; k < ix.bucket[b+1]; k++ {
		if ix.keys[k] == h {
			pos := ix.pos[ix.at[k]:ix.at[k+1]]
			return pos, len(pos) == 0
		}
	}
	return nil, false
}
