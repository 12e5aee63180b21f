package originality

import (
	"cmp"
	"encoding/binary"
	"slices"

	"github.com/cespare/xxhash/v2"
	"github.com/ibid-dev/ibid"
)

// The fingerprint scheme. Stores persist its output, so any change to it
// must come with a reindex of the library; SchemeVersion names it.
//
// Two kinds of prints are computed over the normalised words of a text (see
// the package documentation) and winnowed (Schleimer, Wilkerson and Aiken,
// 2003): of every window of w consecutive n-gram hashes the smallest is
// kept, the rightmost one on ties, each kept position once.
//
//   - Verbatim prints: hashes of 4 consecutive word stems, stop words
//     included, winnowed with w = 5. Any run of at least 8 words that two
//     texts share gives both the same print, so copying of 8 words or more
//     is always found. About 1 print per 3 words.
//   - Paraphrase prints: hashes of 3 consecutive content-word stems (stop
//     words dropped) sorted by hash, winnowed with w = 8. Sorting lets
//     local reordering match, dropping stop words lets inserted and deleted
//     function words match. About 1 print per 9 words of prose.
//
// A n-gram hash is xxhash64 over a one-byte kind tag followed by the 64-bit
// little-endian stem hashes (xxhash64 of the stem's UTF-8), so the two kinds
// never collide by construction. Offset is the rune offset of the n-gram's
// first word.
const SchemeVersion = 1

const (
	verbatimN  = 4
	verbatimW  = 5
	paraN      = 3
	paraW      = 8
	tagVerbat  = 'v'
	tagParaph  = 'p'
	maxGramLen = 1 + 8*verbatimN
)

// The paraphrase n-grams are sorted by a network for exactly three stems.
const (
	_ uint = paraN - 3
	_ uint = 3 - paraN
)

// Fingerprint returns the prints of s that a store keeps for candidate
// retrieval, in offset order.
func Fingerprint(s string) []ibid.Print {
	return fingerprint(prepare(s, nil))
}

func fingerprint(p *prepared) []ibid.Print {
	var out []ibid.Print
	hs, offs := verbatimGrams(p)
	out = winnow(out, hs, offs, verbatimW)
	hs, offs = paraGrams(p)
	out = winnow(out, hs, offs, paraW)
	// Stable, so prints at one offset keep their order (verbatim first);
	// a generic sort, since sort.SliceStable's reflection was 40 % of the
	// fingerprint's time.
	slices.SortStableFunc(out, func(a, b ibid.Print) int { return cmp.Compare(a.Offset, b.Offset) })
	return out
}

// queryHashes returns every n-gram hash of both kinds in p, each once, not
// winnowed. A check looks them all up: a library essay's print is found
// wherever its n-gram survives in the submitted text, while winnowing the
// query too would keep only the surviving n-grams that happen to be the
// smallest of their windows in both texts. Heavy spin leaves few n-grams
// whole, so that matters there.
func queryHashes(p *prepared) []uint64 {
	hs, _ := verbatimGrams(p)
	ps, _ := paraGrams(p)
	hs = append(hs, ps...)
	slices.Sort(hs)
	return slices.Compact(hs)
}

// verbatimGrams returns the hashes of the verbatim n-grams of p and the
// offsets of their first words.
func verbatimGrams(p *prepared) ([]uint64, []int) {
	hs := make([]uint64, 0, len(p.words))
	offs := make([]int, 0, len(p.words))
	var buf [maxGramLen]byte
	for k := 0; k+verbatimN <= len(p.words); k++ {
		buf[0] = tagVerbat
		for x := 0; x < verbatimN; x++ {
			binary.LittleEndian.PutUint64(buf[1+8*x:], p.words[k+x].stem)
		}
		hs = append(hs, xxhash.Sum64(buf[:1+8*verbatimN]))
		offs = append(offs, p.words[k].off)
	}
	return hs, offs
}

// paraGrams returns the hashes of the paraphrase n-grams of p and the
// offsets of their first words.
func paraGrams(p *prepared) ([]uint64, []int) {
	var content []int
	for k, w := range p.words {
		if !w.stop {
			content = append(content, k)
		}
	}
	hs := make([]uint64, 0, len(content))
	offs := make([]int, 0, len(content))
	var buf [maxGramLen]byte
	var gram [paraN]uint64
	for k := 0; k+paraN <= len(content); k++ {
		for x := 0; x < paraN; x++ {
			gram[x] = p.words[content[k+x]].stem
		}
		// sort the three stems (a sorting network: this runs per word;
		// the constants below stop the build if paraN changes)
		if gram[0] > gram[1] {
			gram[0], gram[1] = gram[1], gram[0]
		}
		if gram[1] > gram[2] {
			gram[1], gram[2] = gram[2], gram[1]
		}
		if gram[0] > gram[1] {
			gram[0], gram[1] = gram[1], gram[0]
		}
		buf[0] = tagParaph
		for x := 0; x < paraN; x++ {
			binary.LittleEndian.PutUint64(buf[1+8*x:], gram[x])
		}
		hs = append(hs, xxhash.Sum64(buf[:1+8*paraN]))
		offs = append(offs, p.words[content[k]].off)
	}
	return hs, offs
}

// winnow appends the winnowed prints of hs to out. A text shorter than one
// window still yields its smallest hash, so short texts are findable.
func winnow(out []ibid.Print, hs []uint64, offs []int, w int) []ibid.Print {
	if len(hs) == 0 {
		return out
	}
	last := -1
	for start := 0; start == 0 || start+w <= len(hs); start++ {
		end := min(start+w, len(hs))
		m := start
		for k := start + 1; k < end; k++ {
			if hs[k] <= hs[m] {
				m = k
			}
		}
		if m != last {
			out = append(out, ibid.Print{Hash: hs[m], Offset: offs[m]})
			last = m
		}
	}
	return out
}
