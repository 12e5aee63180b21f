package originality

import (
	"math"
	"slices"
	"sort"
	"sync"

	"github.com/ibid-dev/ibid"
)

// Alignment is one passage of a submitted text matched with a passage of a
// source text, both as rune spans of their texts.
type Alignment struct {
	Submitted ibid.Span
	Source    ibid.Span
	Kind      ibid.MatchKind
	Words     int // words of the submitted passage
	// Substitutions are the synonyms the passage puts in place of the
	// source's words (passages that are not identical).
	Substitutions []ibid.Substitution
}

// Settings of the aligner. They are one set for every use (the web checker,
// the CLI, the PAN evaluation) and were chosen on samples of the PAN13
// training corpus.
const (
	seedCos  float64 = 0.30 // minimum cosine of a sentence pair to seed a passage
	seedDice float64 = 0.30 // minimum Dice coefficient of its content stems
	// seedCosBelow is a hair under seedCos: a pair whose dot product is not
	// above seedCosBelow times its norms' product has a cosine not above
	// seedCos, whatever the rounding.
	seedCosBelow         = seedCos * (1 - 1e-9)
	validCos     float64 = 0.34 // minimum cosine of a passage's summed sentence vectors
	// normalGap is how many sentences a passage may skip between seeds, on
	// either side.
	normalGap = 3
	// The summary pass groups seeds at most sumSubGap sentences apart on the
	// submitted side, wherever they lie in the source (sumGap), since a
	// summary draws on the whole of its source in any order.
	sumSubGap = 3
	sumGap    = 1 << 30
	// sumValidCos: the summed-vector cosine a summary passage needs; lower
	// than validCos because a summary leaves most of its source out.
	sumValidCos float64 = 0.25
	// sumRatio: a passage whose source side is at least this many times
	// longer than its submitted side may be a summary.
	sumRatio float64 = 2
	// explainShare, explainRatio: a summary candidate is rather a copy when
	// one normal alignment whose source side is less than explainRatio
	// times its submitted side covers explainShare of its submitted side.
	explainShare float64 = 0.8
	explainRatio float64 = 3
	// copyRatio: close copies (identical or minor changes) whose source side
	// is less than copyRatio times their submitted side explain a summary
	// candidate together.
	copyRatio float64 = 1.3
	// sumCover: a summary whose source side spans at least this share of
	// the source's words is reported as a summary of the whole source.
	sumCover float64 = 0.4
	// minRun is the shortest run of identical words that counts as copied
	// verbatim, and runGap the most words between two runs of one passage.
	minRun = 8
	runGap = 20
	// verbatimShare: a passage whose submitted words are at least this
	// share in exact runs is a verbatim copy, cut to the runs' bounds.
	verbatimShare float64 = 0.5
	// minSplitWords: pieces of a verbatim passage shorter than this stay
	// joined to their neighbour.
	minSplitWords = 25
	// minParaWords: a passage that is not a verbatim copy needs this many
	// submitted words; paraphrase is weaker evidence than identical runs.
	minParaWords = 30
	// growCos: a passage grows by the next sentence pair on both sides
	// while the pair is at least this similar.
	growCos float64 = 0.2
	// singleCos: a passage of one sentence pair needs this cosine.
	singleCos float64 = 0.5
)

// Text is a text prepared for alignment: its words normalised and its
// sentences cut. Preparing once and aligning many times saves the work of
// normalising a text again for every partner.
type Text struct {
	p *prepared
}

// Prepare prepares s for Align. The exclusions of opt (quoted text,
// the references section) apply: their words can match nothing. Pass a zero
// Options for source texts.
func Prepare(s string, opt Options) *Text {
	return &Text{p: prepare(s, exclusions(s, opt))}
}

// Align finds the passages of submitted that come from source, with the
// exclusions and the minimum passage length of opt. Alignments are sorted by
// their submitted offset. It is deterministic.
func Align(submitted, source string, opt Options) []Alignment {
	return AlignTexts(Prepare(submitted, opt), Prepare(source, Options{}), opt)
}

// AlignTexts is Align on prepared texts.
func AlignTexts(sub, src *Text, opt Options) []Alignment {
	return alignTexts(sub, src, opt, true)
}

// alignTexts is AlignTexts, with the spin pass or without.
func alignTexts(sub, src *Text, opt Options, spin bool) []Alignment {
	opt = opt.withDefaults()
	al := newAligner(sub.p, src.p)
	defer al.release()
	seeds := al.seeds()
	if len(seeds) == 0 {
		if !spin {
			return nil
		}
		out := spinPass(al, nil)
		for k := range out {
			out[k].Substitutions = substitutions(sub.p, src.p, out[k])
		}
		return out
	}
	normal := al.filter(al.grow(al.extend(seeds, normalGap, normalGap, validCos)))
	summary := al.filter(al.extend(seeds, sumSubGap, sumGap, sumValidCos))
	runs := exactRuns(al.a.words, al.b, minRun)
	refined := make([][]Alignment, len(normal))
	for k, p := range normal {
		refined[k] = al.refine(p, runs)
	}
	var out []Alignment
	found := al.withSummaries(seeds, normal, refined, summary)
	if spin {
		found = spinPass(al, found)
	}
	for _, a := range found {
		if a.Words >= opt.MinWords {
			if a.Kind != ibid.Identical {
				a.Substitutions = substitutions(sub.p, src.p, a)
			}
			out = append(out, a)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Submitted.Offset != out[j].Submitted.Offset {
			return out[i].Submitted.Offset < out[j].Submitted.Offset
		}
		return out[i].Source.Offset < out[j].Source.Offset
	})
	return out
}

// tw is one weighted term of a sentence vector.
type tw struct {
	t int32
	w float64
}

// aligner holds the tf-isf sentence vectors of one pair of texts.
type aligner struct {
	a, b  *prepared
	syn   bool    // b's words also match a's synonyms
	bid   []int32 // the id of each of b's terms, in its term bag's order
	links []seed  // with syn: sentence pairs similar enough to link a chain
	// shapeCos: with syn, sentence pairs above this cosine and Dice
	// coefficient are also compared by their shape (sameShape)
	shapeCos float64
	va, vb   [][]tw // sentence vectors, terms ascending
	na, nb   []float64
	nterms   int
	nA       int // a's terms: ids below nA

	// postings of b's sentences by term: post[postStart[t]:postStart[t+1]]
	postStart []int32
	post      []tpost

	// scratch for summed vectors
	da, db []float64

	// buf holds the arrays above that this aligner made (not those it
	// shares with another), to be reused by the next one (release).
	buf *alignBufs
}

// alignBufs are the arrays of one aligner. A check makes an aligner for each
// of its candidates and most arrays are as long as a text's terms or
// sentences: taken from a pool, they are allocated once per worker and
// size rather than once per candidate, which was a third of a check's
// allocation. Every array is handed out cleared or fully written.
type alignBufs struct {
	gid, df, postStart, fill, shared []int32
	flatA, flatB                     []tw
	va, vb                           [][]tw
	isf, na, nb, da, db, dot         []float64
	post                             []tpost
	touched                          []int32
}

var alignPool = sync.Pool{New: func() any { return new(alignBufs) }}

// release hands the arrays of al back to the pool: al must not be used
// after it.
func (al *aligner) release() {
	if al.buf != nil {
		alignPool.Put(al.buf)
		al.buf = nil
	}
}

type tpost struct {
	sent int32
	w    float64
}

type seed struct {
	i, j int // sentence of a, of b
	cos  float64
}

// newAligner weighs the sentence vectors of a pair of texts. Term ids are
// a's terms in order of first appearance, then b's other terms in order of
// first appearance; each vector lists its terms by ascending id. The terms
// and counts of each text come from its term bag; what is left per pair is
// to give b's terms their ids and to weigh.
func newAligner(a, b *prepared) *aligner {
	buf := alignPool.Get().(*alignBufs)
	al := &aligner{a: a, b: b, shapeCos: structCos, buf: buf}
	ta, tb := a.bag(), b.bag()
	na := len(ta.stems)
	al.nA = na
	// ids of b's terms, and df over both texts
	gid := grow(&buf.gid, len(tb.stems))
	df := grow(&buf.df, na+len(tb.stems))[:na]
	copy(df, ta.df)
	for l, stem := range tb.stems {
		id, ok := ta.find(stem)
		if !ok {
			id = int32(len(df))
			df = append(df, 0)
		}
		gid[l] = id
		df[id] += tb.df[l]
	}
	al.bid = gid
	al.nterms = len(df)
	// inverse sentence frequency, once per term rather than per occurrence
	n := float64(len(a.sents) + len(b.sents))
	isf := grow(&buf.isf, len(df))
	// Most terms are in a sentence or two: their logarithms are taken
	// once per aligner, not once per term.
	var small [16]float64
	for d := 1; d < len(small); d++ {
		small[d] = math.Log(n / float64(d))
	}
	for t, d := range df {
		if d > 0 && int(d) < len(small) {
			isf[t] = small[d]
		} else {
			isf[t] = math.Log(n / float64(d))
		}
	}
	// The vectors are weighed as they are made, their norms summed in
	// their final order, and the postings of b's sentences counted on the
	// way: one pass over each side.
	// One backing array per side for all its sentence vectors.
	al.va = grow(&buf.va, len(a.sents))
	al.na = grow(&buf.na, len(a.sents))
	flat := grow(&buf.flatA, len(ta.tcs))
	for k := range a.sents {
		v := flat[ta.start[k]:ta.start[k+1]:ta.start[k+1]]
		s := 0.0
		for x, c := range ta.tcs[ta.start[k]:ta.start[k+1]] {
			w := float64(c.n) * isf[c.t]
			v[x] = tw{t: c.t, w: w}
			s += w * w
		}
		al.na[k] = math.Sqrt(s)
		if len(v) > 0 {
			al.va[k] = v
		}
	}
	al.vb = grow(&buf.vb, len(b.sents))
	al.nb = grow(&buf.nb, len(b.sents))
	al.postStart = grow(&buf.postStart, na+1)
	flat = grow(&buf.flatB, len(tb.tcs))
	// build makes the vectors of b's sentences k0 to k1-1 and counts their
	// postings of each term t of a in count[t+1].
	build := func(k0, k1 int, count []int32) {
		for k := k0; k < k1; k++ {
			v := flat[tb.start[k]:tb.start[k+1]:tb.start[k+1]]
			// b's terms that a lacks got ids from na up in the order of
			// b's own ids, which its sentences list ascending: they go
			// last, in order, and only the terms a shares need sorting.
			cs := tb.tcs[tb.start[k]:tb.start[k+1]]
			shared := 0
			for _, c := range cs {
				if g := gid[c.t]; int(g) < na {
					v[shared] = tw{t: g, w: float64(c.n) * isf[g]}
					shared++
				}
			}
			x := shared
			for _, c := range cs {
				if g := gid[c.t]; int(g) >= na {
					v[x] = tw{t: g, w: float64(c.n) * isf[g]}
					x++
				}
			}
			sortTerms(v[:shared])
			s := 0.0
			for _, e := range v {
				s += e.w * e.w
			}
			al.nb[k] = math.Sqrt(s)
			for _, e := range v[:shared] {
				if e.w > 0 {
					count[e.t+1]++
				}
			}
			if len(v) > 0 {
				al.vb[k] = v
			}
		}
	}
	if len(tb.tcs) < parallelTerms {
		build(0, len(b.sents), al.postStart)
		al.fillPostings()
		return al
	}
	// A long source (a book among essays) is most of a check's work: its
	// two halves are made on two cores, each sentence as above, and its
	// postings filled in the same order as by one.
	mid := sort.Search(len(b.sents), func(k int) bool { return int(tb.start[k]) >= len(tb.tcs)/2 })
	count2 := make([]int32, na+1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		build(mid, len(b.sents), count2)
	}()
	build(0, mid, al.postStart)
	<-done
	first := make([]int32, na) // postings of each term in the first half
	for t := range na {
		first[t] = al.postStart[t+1]
		al.postStart[t+1] += count2[t+1]
	}
	for t := 1; t <= na; t++ {
		al.postStart[t] += al.postStart[t-1]
	}
	al.post = grow(&buf.post, int(al.postStart[na]))
	fill := grow(&buf.fill, na)
	copy(fill, al.postStart[:na])
	fill2 := count2[:na]
	for t := range fill2 {
		fill2[t] = al.postStart[t] + first[t]
	}
	done = make(chan struct{})
	go func() {
		defer close(done)
		al.fillRange(mid, len(al.vb), fill2)
	}()
	al.fillRange(0, mid, fill)
	<-done
	al.da = grow(&buf.da, al.nterms)
	al.db = grow(&buf.db, al.nterms)
	return al
}

// parallelTerms: a source whose sentences hold this many terms in all has
// its sentence vectors made on two cores (newAligner); parallelPostings: a
// pair whose source has this many postings of the submitted text's terms
// has its sentence pairs compared on two (seeds). (The 92,375-word source
// of PAN13 has 51,902 terms and about 20,000 such postings with a
// 4,000-word text; other sources have a tenth of that.) Variables, so that
// tests can take both ways on any text.
var (
	parallelTerms    = 1 << 15
	parallelPostings = 1 << 14
)

// sortTerms sorts a sentence vector by term id; a sentence has a few
// terms, so by insertion.
func sortTerms(v []tw) {
	for x := 1; x < len(v); x++ {
		for y := x; y > 0 && v[y].t < v[y-1].t; y-- {
			v[y], v[y-1] = v[y-1], v[y]
		}
	}
}

// index builds the postings of b's sentence vectors and the scratch
// vectors. Only a's terms (ids below nA) get postings: seeds looks up the
// terms of a's sentences and nothing else.
func (al *aligner) index() {
	na := al.nA
	al.postStart = grow(&al.buf.postStart, na+1)
	// Terms of weight 0 (in every sentence) add nothing to any cosine;
	// leaving them out of the postings keeps degenerate texts cheap.
	for _, v := range al.vb {
		for _, e := range v {
			if e.w > 0 && int(e.t) < na {
				al.postStart[e.t+1]++
			}
		}
	}
	al.fillPostings()
}

// fillPostings builds the postings of b's sentence vectors once
// postStart[t+1] holds the number of postings of each term t of a.
func (al *aligner) fillPostings() {
	buf, na := al.buf, al.nA
	for t := 1; t <= na; t++ {
		al.postStart[t] += al.postStart[t-1]
	}
	al.post = grow(&buf.post, int(al.postStart[na]))
	fill := grow(&buf.fill, na)
	copy(fill, al.postStart[:na])
	al.fillRange(0, len(al.vb), fill)
	al.da = grow(&buf.da, al.nterms)
	al.db = grow(&buf.db, al.nterms)
}

// fillRange puts the postings of b's sentences j0 to j1-1 in place, the
// next posting of term t at fill[t].
func (al *aligner) fillRange(j0, j1 int, fill []int32) {
	na := al.nA
	for j := j0; j < j1; j++ {
		for _, e := range al.vb[j] {
			if e.w > 0 && int(e.t) < na {
				al.post[fill[e.t]] = tpost{sent: int32(j), w: e.w}
				fill[e.t]++
			}
		}
	}
}

// withSynonyms returns the aligner of the same pair in which each of b's
// terms that a lacks counts as a's term it is a synonym of (the first of
// a's terms sharing a leading synset with it, found by merging the two
// texts' sorted (synset, term) lists), at synWeight of its own weight. The
// submitted side and the terms' weights are shared with al: only b's
// vectors change.
func (al *aligner) withSynonyms() *aligner {
	ta, tb := al.a.bag(), al.b.bag()
	na := int32(len(ta.stems))
	to := make([]int32, al.nterms) // b's own term ids (>= na) to a's, or -1
	for t := range to {
		to[t] = -1
	}
	x, y := ta.synTerms, tb.synTerms
	mapped := 0
	for p, q := 0, 0; p < len(x) && q < len(y); {
		switch {
		case x[p].set < y[q].set:
			p++
		case x[p].set > y[q].set:
			q++
		default:
			if id := al.bid[y[q].t]; id >= na && to[id] < 0 {
				to[id] = x[p].t
				mapped++
			}
			q++
		}
	}
	buf := alignPool.Get().(*alignBufs)
	s := &aligner{a: al.a, b: al.b, syn: true, shapeCos: structCos, va: al.va, na: al.na, nterms: al.nterms, nA: al.nA, bid: al.bid, buf: buf}
	if mapped == 0 {
		s.vb, s.nb, s.postStart, s.post = al.vb, al.nb, al.postStart, al.post
		s.da = grow(&buf.da, s.nterms)
		s.db = grow(&buf.db, s.nterms)
		return s
	}
	s.vb = grow(&buf.vb, len(al.vb))
	s.nb = grow(&buf.nb, len(al.nb))
	copy(s.nb, al.nb)
	flat := grow(&buf.flatB, 0)
	for k, v := range al.vb {
		changed := false
		for _, e := range v {
			if to[e.t] >= 0 {
				changed = true
				break
			}
		}
		if !changed {
			s.vb[k] = v
			continue
		}
		start := len(flat)
		for _, e := range v {
			if t := to[e.t]; t >= 0 {
				e = tw{t: t, w: e.w * synWeight}
			}
			flat = append(flat, e)
		}
		w := flat[start:len(flat):len(flat)]
		sortTerms(w)
		// Two of b's words may stand for one of a's: one term.
		n := 0
		for x := range w {
			if n > 0 && w[n-1].t == w[x].t {
				w[n-1].w += w[x].w
				continue
			}
			w[n] = w[x]
			n++
		}
		s.vb[k] = w[:n]
		sum := 0.0
		for _, e := range s.vb[k] {
			sum += e.w * e.w
		}
		s.nb[k] = math.Sqrt(sum)
	}
	buf.flatB = flat // grown by append: the next aligner starts from it
	s.index()
	return s
}

// seeds returns the sentence pairs similar enough to start a passage.
func (al *aligner) seeds() []seed {
	dot := grow(&al.buf.dot, len(al.vb))
	shared := grow(&al.buf.shared, len(al.vb))
	n := len(al.va)
	if len(al.post) < parallelPostings || n < 2 {
		out, links := al.seedRows(0, n, dot, shared, al.links)
		al.links = links
		return out
	}
	// The sentences of a long source are compared with each half of a's
	// on its own core; each half's seeds and links come in a's order, so
	// the halves joined are what one pass gives.
	mid := n / 2
	var out2, links2 []seed
	done := make(chan struct{})
	go func() {
		defer close(done)
		out2, links2 = al.seedRows(mid, n, make([]float64, len(al.vb)), make([]int32, len(al.vb)), nil)
	}()
	out, links := al.seedRows(0, mid, dot, shared, al.links)
	<-done
	al.links = append(links, links2...)
	return append(out, out2...)
}

// seedRows returns the seeds of a's sentences i0 to i1-1 and links with
// their chain links appended; dot and shared are zeroed scratch as long as
// b's sentences, left zeroed.
func (al *aligner) seedRows(i0, i1 int, dot []float64, shared []int32, links []seed) ([]seed, []seed) {
	var out []seed
	var touched []int
	var shapes []seed // with syn: pairs to compare by their shape
	for i := i0; i < i1; i++ {
		v := al.va[i]
		if al.na[i] == 0 {
			continue
		}
		touched = touched[:0]
		shapes = shapes[:0]
		firstLink := len(links)
		for _, e := range v {
			for _, p := range al.post[al.postStart[e.t]:al.postStart[e.t+1]] {
				if shared[p.sent] == 0 {
					touched = append(touched, int(p.sent))
				}
				shared[p.sent]++
				dot[p.sent] += e.w * p.w
			}
		}
		// Few of the touched sentences become seeds: sort those, not all.
		first := len(out)
		for _, j := range touched {
			// The exact pass needs the Dice coefficient of a pair only
			// when its cosine could seed (most pairs share a word or two
			// and no more).
			// (A product first: a division per touched pair was a fifth
			// of the seeds' cost, and the product's margin sends every
			// pair that could pass on to the exact test.)
			nn := al.na[i] * al.nb[j]
			if al.nb[j] > 0 && (al.syn || dot[j] > seedCosBelow*nn && dot[j]/nn > seedCos) {
				cos := dot[j] / nn
				dice := 2 * float64(shared[j]) / float64(len(v)+len(al.vb[j]))
				if cos > seedCos && dice > seedDice {
					out = append(out, seed{i: i, j: j, cos: cos})
				} else if al.syn && cos > al.shapeCos && dice > al.shapeCos {
					shapes = append(shapes, seed{i: i, j: j, cos: cos})
				}
				if al.syn && cos > chainCos && dice > chainDice {
					links = append(links, seed{i: i, j: j, cos: cos})
				}
			}
			dot[j], shared[j] = 0, 0
		}
		if al.syn {
			// As for seeds below, a sentence like every other (a
			// repetitive text, a huge source) would pair with all of the
			// source's: compare the shape of its best few pairs only, and
			// keep its best few chain links (the chains' search is
			// quadratic in a row's links).
			for _, c := range best(shapes, maxSeedsPerSentence) {
				if al.sameShape(c.i, c.j) {
					out = append(out, c)
				}
			}
			if row := links[firstLink:]; len(row) > maxSeedsPerSentence {
				links = append(links[:firstLink], best(row, maxSeedsPerSentence)...)
			}
		}
		if mine := out[first:]; len(mine) > 1 {
			slices.SortFunc(mine, func(x, y seed) int { return x.j - y.j })
		}
		// Keep the best few seeds of a sentence: a sentence like every
		// other (boilerplate, a repetitive text) would otherwise pair with
		// all sentences of the source and cost quadratic time and memory.
		if mine := out[first:]; len(mine) > maxSeedsPerSentence {
			sort.SliceStable(mine, func(x, y int) bool { return mine[x].cos > mine[y].cos })
			mine = mine[:maxSeedsPerSentence]
			sort.Slice(mine, func(x, y int) bool { return mine[x].j < mine[y].j })
			out = out[:first+maxSeedsPerSentence]
		}
	}
	return out, links
}

// best returns the n pairs of ps of highest cosine (all of them when there
// are no more), reordering ps.
func best(ps []seed, n int) []seed {
	if len(ps) <= n {
		return ps
	}
	sort.SliceStable(ps, func(x, y int) bool { return ps[x].cos > ps[y].cos })
	return ps[:n]
}

// maxSeedsPerSentence is how many seeds one submitted sentence may start.
const maxSeedsPerSentence = 10

// passage is a candidate passage in sentence indexes, inclusive.
type passage struct {
	a1, a2, b1, b2 int
	quality        float64
	seeds          int
	best           float64 // the highest seed cosine
	summary        bool    // found by the summary pass
}

// extend groups seeds into passages: seeds at most gapA sentences apart on
// the submitted side and gapB on the source side fall into one group, and a
// group whose summed vectors are not similar enough is split again with
// smaller gaps.
func (al *aligner) extend(seeds []seed, gapA, gapB int, valid float64) []passage {
	var out []passage
	for _, g := range cluster(seeds, gapA, gapB) {
		p := bounds(g)
		if al.rangeCos(p) >= valid {
			out = append(out, p)
			continue
		}
		if len(g) < 2 {
			continue
		}
		// Shrink each gap below the widest gap the group actually has, so
		// that a huge gap does not take as many rounds to come down.
		ga, gb := widestGaps(g)
		na, nb := max(min(gapA, ga)-1, 0), max(min(gapB, gb)-1, 0)
		if na == gapA && nb == gapB {
			continue // cannot split further
		}
		out = append(out, al.extend(g, na, nb, valid)...)
	}
	return out
}

// widestGaps returns the largest number of sentences between consecutive
// seeds of g on each side.
func widestGaps(g []seed) (int, int) {
	is := make([]int, len(g))
	js := make([]int, len(g))
	for k, s := range g {
		is[k], js[k] = s.i, s.j
	}
	sort.Ints(is)
	sort.Ints(js)
	ga, gb := 0, 0
	for k := 1; k < len(g); k++ {
		ga = max(ga, is[k]-is[k-1]-1)
		gb = max(gb, js[k]-js[k-1]-1)
	}
	return ga, gb
}

func bounds(g []seed) passage {
	p := passage{a1: g[0].i, a2: g[0].i, b1: g[0].j, b2: g[0].j}
	for _, s := range g {
		p.a1, p.a2 = min(p.a1, s.i), max(p.a2, s.i)
		p.b1, p.b2 = min(p.b1, s.j), max(p.b2, s.j)
		p.quality += s.cos
		p.seeds++
		p.best = max(p.best, s.cos)
	}
	return p
}

// cluster splits seeds into groups alternately along the submitted and the
// source side until no group splits on either side.
func cluster(seeds []seed, gapA, gapB int) [][]seed {
	var out [][]seed
	var rec func(g []seed, bySub bool, still int)
	rec = func(g []seed, bySub bool, still int) {
		gap := gapB
		if bySub {
			gap = gapA
		}
		parts := split(g, gap, bySub)
		if len(parts) == 1 {
			if still == 1 {
				out = append(out, g)
				return
			}
			rec(g, !bySub, still+1)
			return
		}
		for _, p := range parts {
			rec(p, !bySub, 0)
		}
	}
	g := append([]seed(nil), seeds...)
	rec(g, true, 0)
	return out
}

// split sorts g along one side and cuts it where consecutive seeds are more
// than gap sentences apart.
func split(g []seed, gap int, bySub bool) [][]seed {
	key := func(s seed) (int, int) {
		if bySub {
			return s.i, s.j
		}
		return s.j, s.i
	}
	sort.Slice(g, func(x, y int) bool {
		k1, o1 := key(g[x])
		k2, o2 := key(g[y])
		if k1 != k2 {
			return k1 < k2
		}
		return o1 < o2
	})
	var parts [][]seed
	start := 0
	for x := 1; x < len(g); x++ {
		k1, _ := key(g[x-1])
		k2, _ := key(g[x])
		if k2-k1-1 > gap {
			parts = append(parts, g[start:x])
			start = x
		}
	}
	return append(parts, g[start:])
}

// rangeCos is the cosine of the summed sentence vectors of a passage.
func (al *aligner) rangeCos(p passage) float64 {
	touched := al.buf.touched[:0]
	defer func() { al.buf.touched = touched[:0] }()
	for k := p.a1; k <= p.a2; k++ {
		for _, e := range al.va[k] {
			if al.da[e.t] == 0 && al.db[e.t] == 0 {
				touched = append(touched, e.t)
			}
			al.da[e.t] += e.w
		}
	}
	for k := p.b1; k <= p.b2; k++ {
		for _, e := range al.vb[k] {
			if al.da[e.t] == 0 && al.db[e.t] == 0 {
				touched = append(touched, e.t)
			}
			al.db[e.t] += e.w
		}
	}
	var dot, sa, sb float64
	for _, t := range touched {
		dot += al.da[t] * al.db[t]
		sa += al.da[t] * al.da[t]
		sb += al.db[t] * al.db[t]
		al.da[t], al.db[t] = 0, 0
	}
	if sa == 0 || sb == 0 {
		return 0
	}
	return dot / math.Sqrt(sa*sb)
}

// filter resolves passages that overlap on the submitted side, keeping the
// one of higher quality, and returns them in submitted order.
func (al *aligner) filter(ps []passage) []passage {
	return al.filterBy(ps, strong)
}

// filterBy is filter with the test of a passage's evidence given.
func (al *aligner) filterBy(ps []passage, strong func(passage) bool) []passage {
	sort.SliceStable(ps, func(x, y int) bool {
		if ps[x].quality != ps[y].quality {
			return ps[x].quality > ps[y].quality
		}
		return ps[x].a1 < ps[y].a1
	})
	var kept []passage
	for _, p := range ps {
		ok := strong(p)
		for _, k := range kept {
			if p.a1 <= k.a2 && k.a1 <= p.a2 {
				ok = false
				break
			}
		}
		if ok {
			kept = append(kept, p)
		}
	}
	sort.Slice(kept, func(x, y int) bool { return kept[x].a1 < kept[y].a1 })
	return kept
}

// withSummaries returns the alignments of the normal passages, except where
// a wide-gap passage looks like a summary: its source side is much longer
// than its submitted side, and no alignment of a normal passage already
// explains most of its submitted side as a copy of similar length. Such a
// summary replaces the normal alignments that overlap it.
func (al *aligner) withSummaries(seeds []seed, normal []passage, refined [][]Alignment, wide []passage) []Alignment {
	drop := make([]bool, len(normal))
	var sums []Alignment
	for _, w := range wide {
		start, end := al.a.sents[w.a1].start, al.a.sents[w.a2].end
		la := end - start
		lb := al.b.sents[w.b2].end - al.b.sents[w.b1].start
		if float64(lb) < sumRatio*float64(la) || w.seeds < 3 {
			continue
		}
		// One alignment of similar length on both sides may explain the
		// candidate, and so may close copies taken together: several
		// paragraphs copied from one long source are not a summary of it.
		explained := 0
		var explains []span
		var copies []ibid.Span
		// A text that summarises a source does not also take passages
		// from it elsewhere: alignments outside the candidate mean the
		// candidate is rather a copied passage with noise around it.
		elsewhere := false
		for _, as := range refined {
			for _, a := range as {
				if a.Words >= minParaWords && (a.Submitted.End() <= start || a.Submitted.Offset >= end) {
					elsewhere = true
				}
				if a.Kind == ibid.Identical && a.Words >= minSplitWords &&
					a.Submitted.Offset < end && start < a.Submitted.End() {
					copies = append(copies, a.Submitted)
				}
				if float64(a.Source.Length) < explainRatio*float64(a.Submitted.Length) {
					lo, hi := max(a.Submitted.Offset, start), min(a.Submitted.End(), end)
					explained = max(explained, hi-lo)
					if lo < hi && a.Kind != ibid.Paraphrased && float64(a.Source.Length) < copyRatio*float64(a.Submitted.Length) {
						explains = append(explains, span{lo, hi})
					}
				}
			}
		}
		if float64(max(explained, covered(explains))) >= explainShare*float64(la) || elsewhere {
			continue
		}
		// A long identical copy inside the candidate makes it a copy with
		// some context, unless other sentences outside the copies match too.
		if len(copies) > 0 && al.seedsOutside(seeds, w, copies) < 2 {
			continue
		}
		for k, n := range normal {
			if n.a1 <= w.a2 && w.a1 <= n.a2 {
				drop[k] = true
			}
		}
		w.summary = true
		sums = append(sums, al.toAlignment(w))
	}
	var out []Alignment
	for k, as := range refined {
		if !drop[k] {
			out = append(out, as...)
		}
	}
	return append(out, sums...)
}

// strong reports whether a passage rests on enough evidence: several seeds,
// or one sentence pair that is nearly the same.
func strong(p passage) bool {
	return p.seeds > 1 || p.best >= singleCos
}

func (al *aligner) toAlignment(p passage) Alignment {
	a := al.spans(p)
	sa, sb := al.a.sents, al.b.sents
	a.Kind = kind(al.a.words[sa[p.a1].first:sa[p.a2].last], al.b.words[sb[p.b1].first:sb[p.b2].last])
	if p.summary {
		bw := al.b.words
		if float64(sb[p.b2].last-sb[p.b1].first) >= sumCover*float64(len(bw)) {
			a.Source = ibid.Span{Offset: bw[0].off, Length: sb[len(sb)-1].end - bw[0].off}
		}
	}
	return a
}

// spans returns the alignment of a passage's sentences, without its kind.
func (al *aligner) spans(p passage) Alignment {
	sa, sb := al.a.sents, al.b.sents
	return Alignment{
		Submitted: ibid.Span{Offset: sa[p.a1].start, Length: sa[p.a2].end - sa[p.a1].start},
		Source:    ibid.Span{Offset: sb[p.b1].start, Length: sb[p.b2].end - sb[p.b1].start},
		Words:     sa[p.a2].last - sa[p.a1].first,
	}
}

// kind classifies a passage by its words: identical when the word sequences
// are equal, minor changes when most of the submitted word pairs occur in the
// source passage, paraphrased otherwise.
func kind(a, b []word) ibid.MatchKind {
	if len(a) == len(b) {
		same := true
		for k := range a {
			if a[k].norm != b[k].norm {
				same = false
				break
			}
		}
		if same {
			return ibid.Identical
		}
	}
	if len(a) < 2 {
		return ibid.Paraphrased
	}
	// (Sets in pooled tables, not maps: every alignment of a check is
	// classified, and the maps were most of that.)
	sc := subScratch.Get().(*subTables)
	defer subScratch.Put(sc)
	pairs := &sc.pairs
	pairs.fill(b)
	hit := 0
	for k := 1; k < len(a); k++ {
		if pairs.has(a[k-1].norm, a[k].norm) {
			hit++
		}
	}
	if float64(hit) < 0.6*float64(len(a)-1) {
		return ibid.Paraphrased
	}
	// Most word pairs kept, but a fifth or more of the content words
	// swapped is a spinner's work, not a few edits.
	stems := &sc.sb
	stems.fill(b)
	content, swapped := 0, 0
	for _, w := range a {
		if !w.stop {
			content++
			if !stems.has(w.stem) {
				swapped++
			}
		}
	}
	if float64(swapped) > maxMinorSwaps*float64(content) {
		return ibid.Paraphrased
	}
	return ibid.MinorChanges
}

// maxMinorSwaps: the most share of a passage's content words absent from
// its source for the passage to be minor changes.
const maxMinorSwaps = 0.2

// seedsOutside counts the seeds of passage w whose submitted sentence lies
// outside every span of copies.
func (al *aligner) seedsOutside(seeds []seed, w passage, copies []ibid.Span) int {
	n := 0
	for _, sd := range seeds {
		if sd.i < w.a1 || sd.i > w.a2 || sd.j < w.b1 || sd.j > w.b2 {
			continue
		}
		st := al.a.sents[sd.i]
		inside := false
		for _, c := range copies {
			if st.start < c.End() && c.Offset < st.end {
				inside = true
				break
			}
		}
		if !inside {
			n++
		}
	}
	return n
}

// pairCos is the cosine of sentence i of the submitted text and sentence j
// of the source.
func (al *aligner) pairCos(i, j int) float64 {
	if al.na[i] == 0 || al.nb[j] == 0 {
		return 0
	}
	x, y := al.va[i], al.vb[j]
	dot := 0.0
	for p, q := 0, 0; p < len(x) && q < len(y); {
		switch {
		case x[p].t < y[q].t:
			p++
		case x[p].t > y[q].t:
			q++
		default:
			dot += x[p].w * y[q].w
			p++
			q++
		}
	}
	return dot / (al.na[i] * al.nb[j])
}

// grow extends each passage at both ends by the neighbouring sentence pair
// while that pair is similar, even below the seed thresholds: the sentences
// next to a reused passage are the likeliest place for more of it.
func (al *aligner) grow(ps []passage) []passage {
	na, nb := len(al.va), len(al.vb)
	for k := range ps {
		p := &ps[k]
		for p.a2+1 < na && p.b2+1 < nb && al.pairCos(p.a2+1, p.b2+1) >= growCos {
			p.a2++
			p.b2++
		}
		for p.a1 > 0 && p.b1 > 0 && al.pairCos(p.a1-1, p.b1-1) >= growCos {
			p.a1--
			p.b1--
		}
	}
	return ps
}

// covered returns the number of positions in the union of spans.
func covered(spans []span) int {
	sort.Slice(spans, func(i, j int) bool { return spans[i].start < spans[j].start })
	n, end := 0, -1
	for _, s := range spans {
		if s.start > end {
			n += s.end - s.start
			end = s.end
		} else if s.end > end {
			n += s.end - end
			end = s.end
		}
	}
	return n
}
