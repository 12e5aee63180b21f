package originality

import (
	"cmp"
	"slices"
	"sort"

	"github.com/ibid-dev/ibid"
)

// maxTrigramPlaces is how often a word trigram may occur in a source and
// still start exact runs.
const maxTrigramPlaces = 64

// run is a run of n identical words at word a of the submitted text and word
// b of the source.
type run struct{ a, b, n int }

// exactRuns finds the maximal runs of at least minLen identical words
// (normalised) that the texts share, by submitted position: every run
// whose first trigram the source's index holds (a trigram found more than
// maxTrigramPlaces times there starts no run).
//
// A run of minLen words holds minLen-2 trigrams, so a trigram of a taken
// every minLen-2 words lands inside every run: exactRuns looks up only
// those (a check asks each of its candidates' indexes about its text, and
// most trigrams are in none), follows each place found back to the start
// of its run, and keeps the run when its first trigram is one the index
// holds. Where a looked-up trigram is one too common to be held, the runs
// around it may have no held trigram at the places looked up: there every
// start is looked up, as if one by one.
func exactRuns(a []word, b *prepared, minLen int) []run {
	bw := b.words
	if len(a) < minLen || len(bw) < minLen {
		return nil
	}
	ix := b.trigrams()
	last := len(a) - minLen // the last place a run may start
	stride := max(minLen-2, 1)
	var out []run
	// from looks for a run starting at x, at each place of its trigram.
	from := func(x int) {
		for _, y32 := range ix.places(trigram(a, x)) {
			y := int(y32)
			if x > 0 && y > 0 && a[x-1].norm == bw[y-1].norm {
				continue // inside a run that starts earlier
			}
			n := 0
			for x+n < len(a) && y+n < len(bw) && a[x+n].norm == bw[y+n].norm {
				n++
			}
			if n >= minLen {
				out = append(out, run{a: x, b: y, n: n})
			}
		}
	}
	// active are the runs found from earlier probes that reach past the
	// current one: a probe inside one of them finds it again.
	var active []run
	checked := -1 // starts up to here were looked up one by one
	for p := 0; p <= last+stride-1 && p+3 <= len(a); p += stride {
		ys, over := ix.lookup(trigram(a, p))
		if over {
			for x := max(p-stride+1, checked+1, 0); x <= min(p+stride-1, last); x++ {
				from(x)
			}
			checked = max(checked, min(p+stride-1, last))
			continue
		}
		k := 0
		for _, r := range active {
			if r.a+r.n > p {
				active[k] = r
				k++
			}
		}
		active = active[:k]
	places:
		for _, y32 := range ys {
			y := int(y32)
			for _, r := range active {
				if r.b-r.a == y-p {
					continue places
				}
			}
			f := 0
			for p+f < len(a) && y+f < len(bw) && a[p+f].norm == bw[y+f].norm {
				f++
			}
			if f < 3 {
				continue // another trigram of the same hash
			}
			d := 0
			for p-d > 0 && y-d > 0 && a[p-d-1].norm == bw[y-d-1].norm {
				d++
			}
			r := run{a: p - d, b: y - d, n: d + f}
			active = append(active, r)
			if r.n < minLen {
				continue
			}
			if _, over := ix.lookup(trigram(a, r.a)); !over {
				out = append(out, r)
			}
		}
	}
	// Probes find runs out of order, and a run near a common trigram may
	// be found both ways.
	slices.SortFunc(out, func(x, y run) int { return cmp.Or(cmp.Compare(x.a, y.a), cmp.Compare(x.b, y.b)) })
	return slices.Compact(out)
}

// refine turns a passage into alignments. A passage made mostly of exact
// runs is a verbatim copy: it is cut to the bounds of its runs, and split
// where the runs jump, so that boundaries are exact to the word. Other
// passages keep their sentence bounds.
func (al *aligner) refine(p passage, runs []run) []Alignment {
	if p.summary {
		// a summary's source side is long by nature: exact runs inside it
		// are quotations of the summarised text, not its bounds
		return []Alignment{al.toAlignment(p)}
	}
	sa, sb := al.a.sents, al.b.sents
	wa1, wa2 := sa[p.a1].first, sa[p.a2].last
	wb1, wb2 := sb[p.b1].first, sb[p.b2].last
	var in []run
	for _, r := range runs {
		if r.a >= wa2 || r.a+r.n <= wa1 || r.b >= wb2 || r.b+r.n <= wb1 {
			continue
		}
		// clip to the passage
		if d := max(wa1-r.a, wb1-r.b, 0); d > 0 {
			r.a, r.b, r.n = r.a+d, r.b+d, r.n-d
		}
		r.n = min(r.n, wa2-r.a, wb2-r.b)
		if r.n >= minRun {
			in = append(in, r)
		}
	}
	// Longest runs first; drop runs that reuse submitted words.
	sort.Slice(in, func(x, y int) bool {
		if in[x].n != in[y].n {
			return in[x].n > in[y].n
		}
		if in[x].a != in[y].a {
			return in[x].a < in[y].a
		}
		return in[x].b < in[y].b
	})
	var chain []run
	covered := 0
	for _, r := range in {
		ok := true
		for _, c := range chain {
			if r.a < c.a+c.n && c.a < r.a+r.n {
				ok = false
				break
			}
		}
		if ok {
			chain = append(chain, r)
			covered += r.n
		}
	}
	if float64(covered) < verbatimShare*float64(wa2-wa1) {
		if wa2-wa1 < minParaWords {
			return nil
		}
		return []Alignment{al.toAlignment(p)}
	}
	sort.Slice(chain, func(x, y int) bool { return chain[x].a < chain[y].a })
	// Cut the chain where the runs jump, then glue back pieces too short to
	// stand alone: a few short runs in shuffled order are one reworked
	// passage, not several copies.
	type group struct{ first, last run }
	var groups []group
	g := group{chain[0], chain[0]}
	for _, r := range chain[1:] {
		da := r.a - (g.last.a + g.last.n)
		db := r.b - (g.last.b + g.last.n)
		if da > runGap || db > runGap || db < -minRun {
			groups = append(groups, g)
			g = group{r, r}
			continue
		}
		g.last = r
	}
	groups = append(groups, g)
	words := func(g group) int { return g.last.a + g.last.n - g.first.a }
	for k := 0; k+1 < len(groups); {
		if (words(groups[k]) < minSplitWords || words(groups[k+1]) < minSplitWords) &&
			groups[k+1].first.a-(groups[k].last.a+groups[k].last.n) <= runGap {
			groups[k].last = groups[k+1].last
			groups = append(groups[:k+1], groups[k+2:]...)
			continue
		}
		k++
	}
	out := make([]Alignment, 0, len(groups))
	aw, bw := al.a.words, al.b.words
	for _, g := range groups {
		a1, a2 := g.first.a, g.last.a+g.last.n
		b1, b2 := g.first.b, g.first.b+g.first.n
		for _, r := range chain {
			if r.a >= a1 && r.a < a2 {
				b1, b2 = min(b1, r.b), max(b2, r.b+r.n)
			}
		}
		out = append(out, Alignment{
			Submitted: ibid.Span{Offset: aw[a1].off, Length: aw[a2-1].tail - aw[a1].off},
			Source:    ibid.Span{Offset: bw[b1].off, Length: bw[b2-1].tail - bw[b1].off},
			Words:     a2 - a1,
			Kind:      kind(aw[a1:a2], bw[b1:b2]),
		})
	}
	return out
}
