package originality

import (
	"slices"
	"sync"

	"github.com/ibid-dev/ibid"
	"github.com/ibid-dev/ibid/text"
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
	verbatimN = 4
	verbatimW = 5
	paraN     = 3
	paraW     = 8
	tagVerbat = 'v'
	tagParaph = 'p'
)

// The paraphrase n-grams are sorted by a network for exactly three stems.
const (
	_ uint = paraN - 3
	_ uint = 3 - paraN
)

// Fingerprint returns the prints of s that a store keeps for candidate
// retrieval, in offset order.
//
// It is fingerprint(prepare(s, nil)) without what only alignment needs
// (sentences, synonyms, the tokens' text) and with its working buffers
// reused: an import fingerprints every essay, and these allocations were
// most of its garbage (TestFingerprintMatchesPrepared).
func Fingerprint(s string) []ibid.Print {
	sc := getScratch()
	defer putScratch(sc)
	words := sc.words[:0]
	text.ScanWords(s, func(w string, off, n int) {
		info := normalizeWord(w)
		words = append(words, word{off: off, end: off + n, norm: info.norm, stem: info.stem, stop: info.stop})
	})
	sc.words = words
	return sc.fingerprint(words)
}

func fingerprint(p *prepared) []ibid.Print {
	sc := getScratch()
	defer putScratch(sc)
	return sc.fingerprint(p.words)
}

// gramScratch holds the working buffers of a fingerprint, pooled.
type gramScratch struct {
	words          []word
	vh, ph         []uint64 // n-gram hashes, verbatim and paraphrase
	voff, poff     []int    // their offsets
	content        []int    // indexes of the content words
	verbat, paraph []ibid.Print
}

var scratchPool = sync.Pool{New: func() any { return new(gramScratch) }}

func getScratch() *gramScratch { return scratchPool.Get().(*gramScratch) }

// putScratch returns sc to the pool unless a huge text made its buffers
// huge: the pool would keep them.
func putScratch(sc *gramScratch) {
	if cap(sc.words) > 1<<20 || cap(sc.vh) > 1<<20 {
		return
	}
	scratchPool.Put(sc)
}

// fingerprint returns the prints of the words of a text.
func (sc *gramScratch) fingerprint(words []word) []ibid.Print {
	sc.vh, sc.voff = appendVerbatimGrams(words, sc.vh[:0], sc.voff[:0])
	sc.content, sc.ph, sc.poff = appendParaGrams(words, sc.content[:0], sc.ph[:0], sc.poff[:0])
	sc.verbat = winnow(sc.verbat[:0], sc.vh, sc.voff, verbatimW)
	sc.paraph = winnow(sc.paraph[:0], sc.ph, sc.poff, paraW)
	// Each kind's prints are in offset order already (the smallest hash of
	// a sliding window never moves left; word offsets grow): merge them,
	// verbatim first at one offset, as a stable sort of the two lists one
	// after the other would.
	v, p := sc.verbat, sc.paraph
	if len(v)+len(p) == 0 {
		return nil
	}
	out := make([]ibid.Print, 0, len(v)+len(p))
	for len(v) > 0 && len(p) > 0 {
		if v[0].Offset <= p[0].Offset {
			out, v = append(out, v[0]), v[1:]
		} else {
			out, p = append(out, p[0]), p[1:]
		}
	}
	out = append(out, v...)
	return append(out, p...)
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
	return appendVerbatimGrams(p.words, make([]uint64, 0, len(p.words)), make([]int, 0, len(p.words)))
}

// appendVerbatimGrams appends the hashes of the verbatim n-grams of words
// to hs and the offsets of their first words to offs.
func appendVerbatimGrams(words []word, hs []uint64, offs []int) ([]uint64, []int) {
	for k := 0; k+verbatimN <= len(words); k++ {
		g := words[k : k+verbatimN : k+verbatimN]
		hs = append(hs, verbatimHash(g[0].stem, g[1].stem, g[2].stem, g[3].stem))
		offs = append(offs, words[k].off)
	}
	return hs, offs
}

// paraGrams returns the hashes of the paraphrase n-grams of p and the
// offsets of their first words.
func paraGrams(p *prepared) ([]uint64, []int) {
	_, hs, offs := appendParaGrams(p.words, nil, nil, nil)
	return hs, offs
}

// appendParaGrams appends the hashes of the paraphrase n-grams of words to
// hs and the offsets of their first words to offs, using content for the
// indexes of the content words.
func appendParaGrams(words []word, content []int, hs []uint64, offs []int) ([]int, []uint64, []int) {
	for k, w := range words {
		if !w.stop {
			content = append(content, k)
		}
	}
	hs = slices.Grow(hs, len(content))
	offs = slices.Grow(offs, len(content))
	var gram [paraN]uint64
	for k := 0; k+paraN <= len(content); k++ {
		for x := 0; x < paraN; x++ {
			gram[x] = words[content[k+x]].stem
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
		hs = append(hs, paraHash(gram[0], gram[1], gram[2]))
		offs = append(offs, words[content[k]].off)
	}
	return content, hs, offs
}

// winnow appends the winnowed prints of hs to out. A text shorter than one
// window still yields its smallest hash, so short texts are findable.
func winnow(out []ibid.Print, hs []uint64, offs []int, w int) []ibid.Print {
	if len(hs) == 0 {
		return out
	}
	last := -1
	m := -1 // the rightmost smallest hash of the window before
	for start := 0; start == 0 || start+w <= len(hs); start++ {
		end := min(start+w, len(hs))
		if m >= start {
			// The window before had its smallest at m, still inside:
			// only the hash that came in can take its place. (A
			// window is rescanned only when its smallest leaves it,
			// one time in w for random hashes.)
			if hs[end-1] <= hs[m] {
				m = end - 1
			}
		} else {
			m = start
			for k := start + 1; k < end; k++ {
				if hs[k] <= hs[m] {
					m = k
				}
			}
		}
		if m != last {
			out = append(out, ibid.Print{Hash: hs[m], Offset: offs[m]})
			last = m
		}
	}
	return out
}
