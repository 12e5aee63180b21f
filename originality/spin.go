package originality

import (
	"math"
	"math/bits"
	"slices"
	"sort"
	"sync"

	"github.com/ibid-dev/ibid"
)

// The spin pass. A heavily spun copy keeps every sentence of its source in
// order but swaps half or more of the content words, so that few sentence
// pairs reach the seed thresholds on exact words. After the exact pass, the
// aligner runs once more with the source's words also matching their
// synonyms in the submitted text (at synWeight); with shape seeds, sentence
// pairs that keep most of their words, function words included, in order;
// and with chains, sentence pairs that are each too weak to seed a passage
// but follow one another on both sides, as a spinner's sentences follow
// their source's. What this pass finds is kept only where the exact pass
// found nothing, or where it found only reworded pieces of the passage
// (which the passage then replaces): it adds the paraphrase the exact pass
// misses and leaves its copies as they were. docs/spin.md has the figures.
const (
	// chainCos, chainDice: the least a sentence pair needs to be a link
	// of a chain.
	chainCos  float64 = 0.15
	chainDice float64 = 0.15
	// chainMin: links a chain needs to seed. Two texts on one topic have
	// weakly similar sentence pairs here and there; several in a row, in
	// the same order on both sides, is what copying leaves.
	chainMin = 3
	// chainStep: the most sentences the next link may lie ahead on each
	// side (a spinner sometimes splits or joins a sentence).
	chainStep = 2
	// spinDensity: the least share of a passage's sentences (on its
	// longer side) that must be seeds or chain links.
	spinDensity = 0.5
	// spinRatio: the most one side of a passage may outnumber the other
	// in sentences.
	spinRatio = 1.5
	// spinReplace: a passage of this pass replaces the exact pass's
	// reworded passages inside it when it is this many times longer.
	spinReplace = 1.5
	// structCos: the least cosine of a sentence pair whose shape is
	// compared (sameShape), so that only pairs that share some content
	// cost a comparison; shapeShare and shapeMinWords: see sameShape.
	structCos     float64 = 0.15
	shapeShare    float64 = 0.4
	shapeMinWords         = 8
	// spinValidCos: the summed-vector cosine a passage of this pass needs.
	// Lower than validCos: a loose spinner leaves few content words, and
	// the passage's shape (shapeShare) is the stronger test.
	spinValidCos float64 = 0.15
	// singleShare: the shape a passage of fewer seeds than a chain needs
	// must have (see sameShape; 60 % or more in three spun sentences of
	// four, about never between sentences of different texts).
	singleShare float64 = 0.6
)

// chains returns the links of every chain of at least need sentence pairs
// that advance together on both sides, as seeds.
func chains(weak []seed, need int) []seed {
	if len(weak) < need {
		return nil
	}
	sort.Slice(weak, func(x, y int) bool {
		if weak[x].i != weak[y].i {
			return weak[x].i < weak[y].i
		}
		return weak[x].j < weak[y].j
	})
	// rows[i] are the indexes in weak of the pairs of submitted sentence i
	rowStart := map[int]int{}
	rowEnd := map[int]int{}
	for k, s := range weak {
		if _, ok := rowStart[s.i]; !ok {
			rowStart[s.i] = k
		}
		rowEnd[s.i] = k + 1
	}
	length := make([]int, len(weak))
	prev := make([]int, len(weak))
	for k, s := range weak {
		length[k], prev[k] = 1, -1
		for i := s.i - chainStep; i < s.i; i++ {
			lo, ok := rowStart[i]
			if !ok {
				continue
			}
			for x := lo; x < rowEnd[i]; x++ {
				p := weak[x]
				if p.j < s.j && p.j >= s.j-chainStep && length[x]+1 > length[k] {
					length[k], prev[k] = length[x]+1, x
				}
			}
		}
	}
	used := make([]bool, len(weak))
	var out []seed
	for k := len(weak) - 1; k >= 0; k-- {
		if length[k] < need || used[k] {
			continue
		}
		for x := k; x >= 0 && !used[x]; x = prev[x] {
			used[x] = true
			out = append(out, weak[x])
		}
	}
	return out
}

// spinPass returns exact (the exact pass's alignments) with the passages
// of sub that come from src in other words added: where the exact pass found
// nothing, or where it found only reworded pieces of what this pass finds
// whole (a heavily spun copy often has one sentence pair close enough to
// seed, and the spin pass then sees the whole passage around it).
func spinPass(exactAl *aligner, exact []Alignment) []Alignment {
	sub, src := exactAl.a, exactAl.b
	al := exactAl.withSynonyms()
	defer al.release()
	if len(sub.words) < shortText {
		// A short text has few sentences to compare: compare the shape
		// of every pair that shares a word.
		al.shapeCos = 0
	}
	// A short text (a paragraph of a few sentences, often cut mid-way)
	// cannot have longer chains: half its sentences, at least two.
	need := max(2, min(chainMin, (len(sub.sents)+1)/2, len(src.sents)))
	seeds := al.seeds()
	seeds = mergeSeeds(seeds, chains(al.links, need))
	if len(seeds) == 0 {
		return exact
	}
	drop := make([]bool, len(exact))
	var add []Alignment
	// A passage of one seed may stand here: its shape is tested below.
	all := func(passage) bool { return true }
	for _, p := range al.filterBy(al.extend(seeds, normalGap, normalGap, spinValidCos), all) {
		// A spun copy keeps its source's sentences one for one: most
		// sentence pairs of the passage seed, and both sides are about as
		// long. Two texts on one topic match here and there, at any
		// lengths.
		na, nb := p.a2-p.a1+1, p.b2-p.b1+1
		if float64(p.seeds) < spinDensity*float64(max(na, nb)) ||
			float64(max(na, nb)) > spinRatio*float64(min(na, nb)) {
			continue
		}
		a := al.spans(p) // its kind is paraphrased, below
		if a.Words < minParaWords ||
			float64(max(a.Submitted.Length, a.Source.Length)) > spinRatio*float64(min(a.Submitted.Length, a.Source.Length)) {
			continue
		}
		// Fewer seeds than a chain needs will do only when the passage
		// keeps most of its source's words in order.
		wa := al.a.words[al.a.sents[p.a1].first:al.a.sents[p.a2].last]
		wb := al.b.words[al.b.sents[p.b1].first:al.b.sents[p.b2].last]
		share := float64(lcsWords(wa, wb)) / float64(max(len(wa), len(wb)))
		if share < shapeShare || p.seeds < need && share < singleShare {
			continue
		}
		// The exact pass's findings stand, unless they are reworded
		// pieces of this passage.
		var over []int
		covered := 0
		ok := true
		for k, e := range exact {
			if a.Submitted.Offset < e.Submitted.End() && e.Submitted.Offset < a.Submitted.End() {
				if e.Kind == ibid.Identical {
					ok = false
					break
				}
				over = append(over, k)
				covered += e.Submitted.Length
			}
		}
		if !ok || len(over) > 0 && float64(a.Submitted.Length) < spinReplace*float64(covered) {
			continue
		}
		for _, k := range over {
			drop[k] = true
		}
		a.Kind = ibid.Paraphrased
		add = append(add, a)
	}
	if len(add) == 0 {
		return exact
	}
	var out []Alignment
	for k, e := range exact {
		if !drop[k] {
			out = append(out, e)
		}
	}
	return append(out, add...)
}

// mergeSeeds returns the seeds of both lists, each sentence pair once.
func mergeSeeds(a, b []seed) []seed {
	type ij struct{ i, j int }
	seen := make(map[ij]bool, len(a))
	for _, s := range a {
		seen[ij{s.i, s.j}] = true
	}
	for _, s := range b {
		if !seen[ij{s.i, s.j}] {
			seen[ij{s.i, s.j}] = true
			a = append(a, s)
		}
	}
	return a
}

// substitutions returns the words of a's submitted side that stand for a
// different word of its source side through a synonym: words whose stem
// the source passage lacks, paired with the source word of the nearest
// relative position among those sharing a leading synset with it whose
// stem the submitted passage lacks. Each source word is paired once.
func substitutions(sub, src *prepared, a Alignment) []ibid.Substitution {
	wa := wordsIn(sub.words, a.Submitted)
	wb := wordsIn(src.words, a.Source)
	if len(wa) == 0 || len(wb) == 0 {
		return nil
	}
	// Sets, lists and tables from a pool rather than maps: every passage
	// of a report that is not identical gets its substitutions, and the
	// maps were most of their cost.
	sc := subScratch.Get().(*subTables)
	defer subScratch.Put(sc)
	sa, sb := &sc.sa, &sc.sb
	sa.fill(wa)
	sb.fill(wb)
	// The source's candidate words by synset: content words with synonyms
	// whose stem the submitted passage lacks, as (synset, word) keys in
	// ascending order.
	keys := sc.keys[:0]
	for y, v := range wb {
		syn := src.synOf(v)
		if v.stop || syn == nil || sa.has(v.stem) {
			continue
		}
		for _, set := range syn.wide {
			keys = append(keys, uint64(set)<<32|uint64(y))
		}
	}
	sc.keys = keys
	if len(keys) == 0 {
		return nil
	}
	slices.Sort(keys)
	used := grow(&sc.used, len(wb))
	var out []ibid.Substitution
	for x, w := range wa {
		syn := sub.synOf(w)
		if w.stop || syn == nil || sb.has(w.stem) {
			continue
		}
		rel := float64(x) / float64(len(wa))
		// The nearest unused word, the first of equals: the least (d,
		// y) whatever order the words come in.
		best, bestD := -1, 2.0
		for _, set := range syn.wide {
			k, _ := slices.BinarySearch(keys, uint64(set)<<32)
			for ; k < len(keys) && keys[k]>>32 == uint64(set); k++ {
				y := int(uint32(keys[k]))
				if d := math.Abs(float64(y)/float64(len(wb)) - rel); !used[y] && (d < bestD || d == bestD && y < best) {
					best, bestD = y, d
				}
			}
		}
		// A synonym far from its place is more likely a word of the
		// passage's topic than the word it replaced.
		if best < 0 || bestD > 0.25 {
			continue
		}
		used[best] = true
		out = append(out, ibid.Substitution{
			Submitted: ibid.Span{Offset: w.off, Length: w.end - w.off},
			Source:    ibid.Span{Offset: wb[best].off, Length: wb[best].end - wb[best].off},
		})
	}
	return out
}

// subTables are the scratch of substitutions and kind, reused.
type subTables struct {
	sa, sb stemSet
	pairs  pairSet
	keys   []uint64
	used   []bool
}

var subScratch = sync.Pool{New: func() any { return new(subTables) }}

// keySet is a set in an open-addressing table, at most half full, that
// keeps its arrays from one use to the next. Callers give each key's hash.
type keySet[K comparable] struct {
	keys  []K
	used  []bool
	shift uint
}

// reset empties s and sizes it for n keys.
func (s *keySet[K]) reset(n int) {
	size, shift := tableSize(n)
	s.keys = grow(&s.keys, size)
	s.used = grow(&s.used, size)
	s.shift = shift
}

// slot returns the slot of key, whose hash is h: where it is, or the empty
// one where it would go.
func (s *keySet[K]) slot(key K, h uint64) int {
	mask := len(s.keys) - 1
	k := int((h * 0x9e3779b97f4a7c15) >> s.shift)
	for s.used[k] && s.keys[k] != key {
		k = (k + 1) & mask
	}
	return k
}

func (s *keySet[K]) add(key K, h uint64) {
	k := s.slot(key, h)
	s.used[k], s.keys[k] = true, key
}

func (s *keySet[K]) contains(key K, h uint64) bool { return s.used[s.slot(key, h)] }

// tableSize returns the size of an open-addressing table for n keys (a
// power of two, at least twice n) and the shift that takes a hash's top
// bits to a slot.
func tableSize(n int) (size int, shift uint) {
	size = 16
	for size < 2*n {
		size *= 2
	}
	return size, uint(64 - log2(size))
}

// stemSet is a set of stems (their own hashes).
type stemSet struct{ keySet[uint64] }

// fill makes s the set of the stems of ws.
func (s *stemSet) fill(ws []word) {
	s.reset(len(ws))
	for _, w := range ws {
		s.add(w.stem, w.stem)
	}
}

func (s *stemSet) has(h uint64) bool { return s.contains(h, h) }

// pairSet is a set of pairs of words (normalised).
type pairSet struct{ keySet[[2]uint64] }

// fill makes s the set of the pairs of consecutive words of ws.
func (s *pairSet) fill(ws []word) {
	s.reset(len(ws))
	for k := 1; k < len(ws); k++ {
		p, q := ws[k-1].norm, ws[k].norm
		s.add([2]uint64{p, q}, pairHash(p, q))
	}
}

func (s *pairSet) has(p, q uint64) bool { return s.contains([2]uint64{p, q}, pairHash(p, q)) }

func pairHash(p, q uint64) uint64 { return p ^ bits.RotateLeft64(q, 29) }

// wordsIn returns the words of ws inside span s.
func wordsIn(ws []word, s ibid.Span) []word {
	lo := sort.Search(len(ws), func(k int) bool { return ws[k].off >= s.Offset })
	hi := sort.Search(len(ws), func(k int) bool { return ws[k].end > s.End() })
	if hi < lo {
		return nil
	}
	return ws[lo:hi]
}

// sameShape reports whether sentence i of a and sentence j of b keep most
// of their words, function words included, in the same order: the shape a
// spinner leaves when it swaps content words for loose synonyms that no
// thesaurus would pair (Aiksaurus gives "baroque eyefuls" for "art
// models"). On the abstracts of spin-dev, the longest common subsequence
// of a spun sentence and its source covers 48 % or more of the longer one
// in 95 % of pairs at 70 % of content words swapped, and of two sentences
// of different abstracts on the same field 18 % or less in 99 % of pairs.
func (al *aligner) sameShape(i, j int) bool {
	sa, sb := al.a.sents[i], al.b.sents[j]
	na, nb := sa.last-sa.first, sb.last-sb.first
	if na < shapeMinWords || nb < shapeMinWords || float64(max(na, nb)) > spinRatio*float64(min(na, nb)) {
		return false
	}
	n := lcsWords(al.a.words[sa.first:sa.last], al.b.words[sb.first:sb.last])
	return float64(n) >= shapeShare*float64(max(na, nb))
}

// lcsTables are the scratch tables of lcsWords, reused: it runs for many
// sentence pairs of every alignment.
type lcsTables struct {
	keys, masks, v []uint64
	used           []bool
}

var lcsScratch = sync.Pool{New: func() any { return new(lcsTables) }}

// grow returns (*buf)[:n] zeroed, growing *buf when it is too short.
func grow[T any](buf *[]T, n int) []T {
	if cap(*buf) < n {
		*buf = make([]T, n)
	}
	b := (*buf)[:n]
	clear(b)
	return b
}

// lcsWords returns the length of the longest common subsequence of x and
// y, words matching when their stems are equal. (Synonyms are left out:
// testing them per pair of words costs more than the whole alignment, and
// the test is for loose spin, whose swaps are mostly not synonyms anyway.)
//
// It is the bit-parallel algorithm of Crochemore, Iliopoulos, Pinzon and
// Reid (2001): a bit per word of x, one pass over y with a few word
// operations per 64 words of x, instead of a table of len(x)·len(y) cells.
func lcsWords(x, y []word) int {
	if len(x) == 0 || len(y) == 0 {
		return 0
	}
	blocks := (len(x) + 63) / 64
	// The positions of each stem of x as a bit mask, in an open-addressing
	// table keyed by stem.
	size, shift := tableSize(len(x))
	sc := lcsScratch.Get().(*lcsTables)
	defer lcsScratch.Put(sc)
	keys := grow(&sc.keys, size)
	used := grow(&sc.used, size)
	masks := grow(&sc.masks, size*blocks)
	slot := func(h uint64) (int, bool) {
		k := int((h * 0x9e3779b97f4a7c15) >> shift)
		for used[k] && keys[k] != h {
			k = (k + 1) & (size - 1)
		}
		return k, used[k]
	}
	for i, w := range x {
		k, _ := slot(w.stem)
		used[k], keys[k] = true, w.stem
		masks[k*blocks+i/64] |= 1 << (i % 64)
	}
	v := grow(&sc.v, blocks)
	for k := range v {
		v[k] = ^uint64(0)
	}
	for _, w := range y {
		k, ok := slot(w.stem)
		if !ok {
			continue
		}
		m := masks[k*blocks : (k+1)*blocks]
		var carry uint64
		for b := range v {
			u := v[b] & m[b]
			sum, c := bits.Add64(v[b], u, carry)
			carry = c
			v[b] = sum | (v[b] &^ m[b])
		}
	}
	// Each zero bit among the first len(x) is a word of the subsequence.
	ones := 0
	for b, w := range v {
		if n := len(x) - 64*b; n < 64 {
			w &= 1<<n - 1
		}
		ones += bits.OnesCount64(w)
	}
	return len(x) - ones
}
