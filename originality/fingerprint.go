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
	// The n-grams are hashed as the words come, from the last verbatimN
	// words and the last paraN content words, so that the words
	// themselves are never stored (appendVerbatimGrams and
	// appendParaGrams give the same hashes from stored words).
	g := gramStream{vh: sc.vh[:0], voff: sc.voff[:0], ph: sc.ph[:0], poff: sc.poff[:0]}
	text.ScanWords(s, func(w string, off, _ int) {
		info := normalizeWord(w)
		g.add(info.stem, off, info.stop)
	})
	sc.vh, sc.voff, sc.ph, sc.poff = g.vh, g.voff, g.ph, g.poff
	return sc.winnowAll()
}

// gramStream hashes the n-grams of a text's words as they come.
type gramStream struct {
	v      [verbatimN]uint64 // the stems of the last verbatimN words, oldest first
	voffs  [verbatimN]int    // and their offsets
	p      [paraN]uint64     // the stems of the last paraN content words
	poffs  [paraN]int
	nv, np int // words and content words so far
	vh, ph []uint64
	voff   []int
	poff   []int
}

// add takes the next word: its stem, offset and whether it is a stop word.
func (g *gramStream) add(stem uint64, off int, stop bool) {
	g.v[0], g.v[1], g.v[2], g.v[3] = g.v[1], g.v[2], g.v[3], stem
	g.voffs[0], g.voffs[1], g.voffs[2], g.voffs[3] = g.voffs[1], g.voffs[2], g.voffs[3], off
	if g.nv++; g.nv >= verbatimN {
		g.vh = append(g.vh, verbatimHash(g.v[0], g.v[1], g.v[2], g.v[3]))
		g.voff = append(g.voff, g.voffs[0])
	}
	if stop {
		return
	}
	g.p[0], g.p[1], g.p[2] = g.p[1], g.p[2], stem
	g.poffs[0], g.poffs[1], g.poffs[2] = g.poffs[1], g.poffs[2], off
	if g.np++; g.np >= paraN {
		g.ph = append(g.ph, paraHash(sort3(g.p[0], g.p[1], g.p[2])))
		g.poff = append(g.poff, g.poffs[0])
	}
}

// sort3 returns a, b and c in ascending order (a sorting network: this
// runs per word; the constants by paraN stop the build if paraN changes).
func sort3(a, b, c uint64) (uint64, uint64, uint64) {
	if a > b {
		a, b = b, a
	}
	if b > c {
		b, c = c, b
	}
	if a > b {
		a, b = b, a
	}
	return a, b, c
}

func fingerprint(p *prepared) []ibid.Print {
	sc := getScratch()
	defer putScratch(sc)
	return sc.fingerprint(p.words)
}

// gramScratch holds the working buffers of a fingerprint, pooled.
type gramScratch struct {
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
	if cap(sc.vh) > 1<<20 || cap(sc.ph) > 1<<20 {
		return
	}
	scratchPool.Put(sc)
}

// fingerprint returns the prints of the words of a text.
func (sc *gramScratch) fingerprint(words []word) []ibid.Print {
	sc.vh, sc.voff = appendVerbatimGrams(words, sc.vh[:0], sc.voff[:0])
	sc.content, sc.ph, sc.poff = appendParaGrams(words, sc.content[:0], sc.ph[:0], sc.poff[:0])
	return sc.winnowAll()
}

// winnowAll returns the prints of the n-gram hashes in sc.
func (sc *gramScratch) winnowAll() []ibid.Print {
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
	for k := 0; k+paraN <= len(content); k++ {
		a, b, c := sort3(words[content[k]].stem, words[content[k+1]].stem, words[content[k+2]].stem)
		hs = append(hs, paraHash(a, b, c))
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
