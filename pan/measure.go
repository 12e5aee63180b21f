package pan

import (
	"math"
	"sort"
)

// Scores are the PAN text-alignment measures over a set of cases and
// detections.
type Scores struct {
	Recall      float64
	Precision   float64
	Granularity float64
	Plagdet     float64
	Cases       int
	Detections  int
}

// Score computes the PAN measures, pooling all cases and detections given
// (one sub-corpus, or the whole corpus). A detection detects a case when they
// name the same two documents and their ranges overlap on both sides.
func Score(cases, dets []Case) Scores {
	s := Scores{
		Recall:      MacroRecall(cases, dets),
		Precision:   MacroPrecision(cases, dets),
		Granularity: Granularity(cases, dets),
		Cases:       len(cases),
		Detections:  len(dets),
	}
	s.Plagdet = Plagdet(s.Precision, s.Recall, s.Granularity)
	return s
}

// Plagdet combines the measures: F1 of precision and recall divided by
// log2(1 + granularity). It is 0 when precision and recall are both 0.
func Plagdet(precision, recall, granularity float64) float64 {
	if precision == 0 && recall == 0 {
		return 0
	}
	f1 := 2 * precision * recall / (precision + recall)
	return f1 / math.Log2(1+granularity)
}

// MacroRecall is the mean over cases of the share of each case's characters
// (suspicious plus source side) covered by the detections that detect it.
// With no cases and no detections it is 1; with exactly one of them empty, 0.
func MacroRecall(cases, dets []Case) float64 {
	if len(cases) == 0 && len(dets) == 0 {
		return 1
	}
	if len(cases) == 0 || len(dets) == 0 {
		return 0
	}
	return macroCover(cases, dets)
}

// MacroPrecision is MacroRecall with the roles of cases and detections
// swapped.
func MacroPrecision(cases, dets []Case) float64 {
	if len(cases) == 0 && len(dets) == 0 {
		return 1
	}
	if len(cases) == 0 || len(dets) == 0 {
		return 0
	}
	return macroCover(dets, cases)
}

// Granularity is the mean, over the cases detected at all, of the number of
// detections that detect each. It is 1 when no case is detected.
func Granularity(cases, dets []Case) float64 {
	idx := byPair(dets)
	detected, total := 0, 0
	for _, c := range cases {
		n := 0
		for _, d := range idx[pairKey{c.Susp, c.Src}] {
			if overlaps(c, d) {
				n++
			}
		}
		if n > 0 {
			detected++
			total += n
		}
	}
	if detected == 0 {
		return 1
	}
	return float64(total) / float64(detected)
}

type pairKey struct{ susp, src string }

func byPair(cs []Case) map[pairKey][]Case {
	m := make(map[pairKey][]Case)
	for _, c := range cs {
		k := pairKey{c.Susp, c.Src}
		m[k] = append(m[k], c)
	}
	return m
}

// macroCover returns the mean over xs of the share of each x covered by the
// members of ys that overlap it on both sides.
func macroCover(xs, ys []Case) float64 {
	idx := byPair(ys)
	sum := 0.0
	for _, x := range xs {
		var suspIv, srcIv [][2]int
		for _, y := range idx[pairKey{x.Susp, x.Src}] {
			if !overlaps(x, y) {
				continue
			}
			suspIv = append(suspIv, intersect(x.SuspOffset, x.SuspLength, y.SuspOffset, y.SuspLength))
			srcIv = append(srcIv, intersect(x.SrcOffset, x.SrcLength, y.SrcOffset, y.SrcLength))
		}
		den := x.SuspLength + x.SrcLength
		if den == 0 {
			continue
		}
		sum += float64(unionLen(suspIv)+unionLen(srcIv)) / float64(den)
	}
	return sum / float64(len(xs))
}

func overlaps(a, b Case) bool {
	return a.Susp == b.Susp && a.Src == b.Src &&
		rangesOverlap(a.SuspOffset, a.SuspLength, b.SuspOffset, b.SuspLength) &&
		rangesOverlap(a.SrcOffset, a.SrcLength, b.SrcOffset, b.SrcLength)
}

func rangesOverlap(o1, l1, o2, l2 int) bool {
	return o1 < o2+l2 && o2 < o1+l1
}

func intersect(o1, l1, o2, l2 int) [2]int {
	return [2]int{max(o1, o2), min(o1+l1, o2+l2)}
}

// unionLen returns the number of positions covered by half-open intervals.
func unionLen(iv [][2]int) int {
	if len(iv) == 0 {
		return 0
	}
	sort.Slice(iv, func(i, j int) bool { return iv[i][0] < iv[j][0] })
	n := 0
	start, end := iv[0][0], iv[0][1]
	for _, v := range iv[1:] {
		if v[0] > end {
			n += end - start
			start, end = v[0], v[1]
			continue
		}
		end = max(end, v[1])
	}
	return n + end - start
}
