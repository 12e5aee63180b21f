package originality

import (
	"fmt"
	"math"
	"math/bits"
	"math/rand"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
)

// refVectors weighs the sentence vectors of a pair of texts the direct way,
// one map over the words of both texts: the reference for newAligner,
// whose term bags must give the very same vectors, bit for bit, since
// cosines near a threshold depend on the order of summation.
func refVectors(a, b *prepared) (va, vb [][]tw, na, nb []float64) {
	ids := make(map[uint64]int32)
	var df []int32
	collect := func(p *prepared) [][]tw {
		vs := make([][]tw, len(p.sents))
		for k, s := range p.sents {
			var ts []int32
			for _, w := range p.words[s.first:s.last] {
				if w.stop {
					continue
				}
				id, ok := ids[w.stem]
				if !ok {
					id = int32(len(ids))
					ids[w.stem] = id
					df = append(df, 0)
				}
				ts = append(ts, id)
			}
			sort.Slice(ts, func(x, y int) bool { return ts[x] < ts[y] })
			for x := 0; x < len(ts); {
				y := x
				for y < len(ts) && ts[y] == ts[x] {
					y++
				}
				vs[k] = append(vs[k], tw{t: ts[x], w: float64(y - x)})
				df[ts[x]]++
				x = y
			}
		}
		return vs
	}
	va, vb = collect(a), collect(b)
	n := float64(len(a.sents) + len(b.sents))
	weigh := func(vs [][]tw) []float64 {
		norms := make([]float64, len(vs))
		for k, v := range vs {
			s := 0.0
			for x := range v {
				v[x].w *= math.Log(n / float64(df[v[x].t]))
				s += v[x].w * v[x].w
			}
			norms[k] = math.Sqrt(s)
		}
		return norms
	}
	return va, vb, weigh(va), weigh(vb)
}

// refRuns finds exact runs with a map of the source's trigrams built for
// the pair: the reference for exactRuns with its shared trigram index.
func refRuns(a, b []word, minLen int) []run {
	if len(a) < minLen || len(b) < minLen {
		return nil
	}
	tri := func(ws []word, k int) uint64 {
		return ws[k].norm ^ bits.RotateLeft64(ws[k+1].norm, 21) ^ bits.RotateLeft64(ws[k+2].norm, 42)
	}
	idx := make(map[uint64][]int32)
	for y := 0; y+3 <= len(b); y++ {
		idx[tri(b, y)] = append(idx[tri(b, y)], int32(y))
	}
	var out []run
	for x := 0; x+minLen <= len(a); x++ {
		ys := idx[tri(a, x)]
		if len(ys) > maxTrigramPlaces {
			continue
		}
		for _, y32 := range ys {
			y := int(y32)
			if x > 0 && y > 0 && a[x-1].norm == b[y-1].norm {
				continue
			}
			n := 0
			for x+n < len(a) && y+n < len(b) && a[x+n].norm == b[y+n].norm {
				n++
			}
			if n >= minLen {
				out = append(out, run{a: x, b: y, n: n})
			}
		}
	}
	return out
}

func sameVectors(x, y [][]tw) bool {
	return slices.EqualFunc(x, y, func(p, q []tw) bool {
		return slices.EqualFunc(p, q, func(s, t tw) bool {
			return s.t == t.t && math.Float64bits(s.w) == math.Float64bits(t.w)
		})
	})
}

func sameFloats(x, y []float64) bool {
	return slices.EqualFunc(x, y, func(p, q float64) bool { return math.Float64bits(p) == math.Float64bits(q) })
}

// checkShared compares the aligner's vectors and exact runs for sub and src
// with the references.
func checkShared(t *testing.T, sub, src string) {
	t.Helper()
	a, b := Prepare(sub, Options{}).p, Prepare(src, Options{}).p
	al := newAligner(a, b)
	va, vb, na, nb := refVectors(a, b)
	if !sameVectors(al.va, va) || !sameVectors(al.vb, vb) || !sameFloats(al.na, na) || !sameFloats(al.nb, nb) {
		t.Fatalf("sentence vectors differ from the reference for %.60q / %.60q", sub, src)
	}
	if got, want := exactRuns(a.words, b, minRun), refRuns(a.words, b.words, minRun); !slices.Equal(got, want) {
		t.Fatalf("exact runs differ from the reference for %.60q / %.60q:\n got  %v\n want %v", sub, src, got, want)
	}
}

// TestSharedTextPartsMatchReference checks that the per-text term bags and
// trigram indexes give the aligner exactly what it computed per pair
// before: the same vectors, bit for bit, and the same exact runs.
func TestSharedTextPartsMatchReference(t *testing.T) {
	src := readTestdata(t, "source.txt")
	other := readTestdata(t, "unrelated.txt")
	r := rand.New(rand.NewSource(3))
	pairs := [][2]string{
		{"", ""},
		{"One. Two.", ""},
		{src, src},
		{readTestdata(t, "summary.txt"), src},
		{other + "\n\n" + paragraph(src, 1), src},
		{swapWords(paragraph(src, 2) + " " + paragraph(src, 3)), src},
		{strings.Repeat("the same words again and again. ", 200), strings.Repeat("again the same words. ", 300)},
		{generated(r, 2000), generated(r, 2000)},
	}
	// Texts of few words, where many trigrams are too common to be held
	// and runs start, end and lie between them.
	for _, vocab := range []int{3, 6, 12, 40} {
		src := commonWords(r, 3000, vocab)
		pairs = append(pairs, [2]string{edited(r, src, 0.05), src}, [2]string{edited(r, src, 0.2), src},
			[2]string{commonWords(r, 3000, vocab), src})
	}
	pan := panSources(t, 40)
	for k := 0; k+1 < len(pan); k += 2 {
		w := strings.Fields(pan[k+1])
		mixed := pan[k] + "\n\n" + strings.Join(w[:min(len(w), 500)], " ")
		pairs = append(pairs, [2]string{pan[k], pan[k+1]}, [2]string{mixed, pan[k+1]})
	}
	for _, p := range pairs {
		checkShared(t, p[0], p[1])
		checkShared(t, p[1], p[0])
	}
}

// TestParallelPairs checks that a pair aligned with its source's halves
// on two cores (as long sources are) gives what one core gives: the same
// vectors, postings, seeds, chain links and alignments.
func TestParallelPairs(t *testing.T) {
	src := readTestdata(t, "source.txt")
	r := rand.New(rand.NewSource(5))
	pairs := [][2]string{
		{src, src},
		{readTestdata(t, "summary.txt"), src},
		{swapWords(paragraph(src, 2) + " " + paragraph(src, 3)), src},
		{edited(r, src, 0.3), strings.Repeat(src+"\n\n", 3)},
		{commonWords(r, 2000, 12), commonWords(r, 3000, 12)},
	}
	pan := panSources(t, 20)
	for k := 0; k+1 < len(pan); k += 2 {
		pairs = append(pairs, [2]string{pan[k], pan[k+1]}, [2]string{pan[k+1] + "\n\n" + swapWords(pan[k]), strings.Join(pan[k:k+2], "\n\n")})
	}
	defer func(n, m int) { parallelTerms, parallelPostings = n, m }(parallelTerms, parallelPostings)
	// (Deep copies: an aligner's arrays go back to a pool.)
	type result struct {
		vb         [][]tw
		nb         []float64
		post       []tpost
		postStart  []int32
		seeds, syn []seed
		links      []seed
		alignments []Alignment
	}
	run := func(sub, src *Text) result {
		al := newAligner(sub.p, src.p)
		defer al.release()
		s := al.withSynonyms()
		defer s.release()
		res := result{nb: slices.Clone(al.nb), post: slices.Clone(al.post), postStart: slices.Clone(al.postStart)}
		for _, v := range al.vb {
			res.vb = append(res.vb, slices.Clone(v))
		}
		res.seeds, res.syn = al.seeds(), s.seeds()
		res.links = slices.Clone(s.links)
		res.alignments = alignTexts(sub, src, Options{}, true)
		return res
	}
	for _, p := range pairs {
		sub, src := Prepare(p[0], Options{}), Prepare(p[1], Options{})
		parallelTerms, parallelPostings = 1<<62, 1<<62
		one := run(sub, src)
		parallelTerms, parallelPostings = 1, 1
		two := run(sub, src)
		if !sameVectors(one.vb, two.vb) || !sameFloats(one.nb, two.nb) || !slices.Equal(one.post, two.post) || !slices.Equal(one.postStart, two.postStart) {
			t.Fatalf("%.40q: the source's vectors or postings differ when made on two cores", p[0])
		}
		if !slices.Equal(one.seeds, two.seeds) || !slices.Equal(one.syn, two.syn) || !slices.Equal(one.links, two.links) {
			t.Fatalf("%.40q: seeds or links differ on two cores:\n one %v %v\n two %v %v", p[0], one.seeds, one.links, two.seeds, two.links)
		}
		if !reflect.DeepEqual(one.alignments, two.alignments) {
			t.Fatalf("%.40q: alignments differ on two cores:\n one %+v\n two %+v", p[0], one.alignments, two.alignments)
		}
	}
}

// commonWords returns n words drawn from vocab words, with a phrase of
// three words between them about every fifth word.
func commonWords(r *rand.Rand, n, vocab int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteByte(' ')
		}
		if r.Intn(5) == 0 {
			b.WriteString("one of the ")
		}
		fmt.Fprintf(&b, "w%c", 'a'+rune(r.Intn(vocab)))
		if i%15 == 14 {
			b.WriteByte('.')
		}
	}
	return b.String()
}

// edited returns s with a share of its words replaced by a new word.
func edited(r *rand.Rand, s string, share float64) string {
	w := strings.Fields(s)
	for k := range w {
		if r.Float64() < share {
			w[k] = fmt.Sprintf("new%d", r.Intn(1000))
		}
	}
	return strings.Join(w, " ")
}

// FuzzSharedTextParts compares the shared text parts with the references
// on any pair of texts.
func FuzzSharedTextParts(f *testing.F) {
	src := readTestdata(f, "source.txt")
	f.Add(paragraph(src, 1)+" "+paragraph(src, 0), src)
	f.Add("a b c d e f g h i j. a b c d e f g h i j.", "x a b c d e f g h i j k.")
	f.Fuzz(func(t *testing.T, sub, src string) {
		checkShared(t, sub, src)
	})
}
