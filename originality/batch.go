package originality

import (
	"sort"

	"github.com/ibid-dev/ibid"
)

// What a batch comparison (many submitted texts against each other) needs
// of a prepared text beyond Align: its word count, its prints, and how many
// of its words a set of passages covers. They live here, apart from the
// aligner, so that the aligner can change without touching them.

// Words returns the number of words of t that take part in alignment
// (excluded words are left out).
func (t *Text) Words() int { return len(t.p.words) }

// Prints returns the fingerprints of t, the same as Fingerprint returns for
// its text, without preparing it again.
func (t *Text) Prints() []ibid.Print { return fingerprint(t.p) }

// Covered returns how many words of t lie wholly inside the union of spans
// (rune spans of t's text, in any order, overlapping or not): the numerator
// of a similarity share.
func (t *Text) Covered(spans []ibid.Span) int {
	if len(spans) == 0 {
		return 0
	}
	ss := make([]ibid.Span, len(spans))
	copy(ss, spans)
	sort.Slice(ss, func(i, j int) bool { return ss[i].Offset < ss[j].Offset })
	words := t.p.words
	n, k := 0, 0
	end := -1 // the end of the merged spans seen so far that start before the word
	for _, w := range words {
		for k < len(ss) && ss[k].Offset <= w.off {
			if ss[k].Length > 0 {
				end = max(end, ss[k].End())
			}
			k++
		}
		if w.end <= end {
			n++
		}
	}
	return n
}
