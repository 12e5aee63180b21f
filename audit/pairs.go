// Package audit finds the essays of a library that copy or paraphrase each
// other: a new essay against the library before it is stored (Screen), and
// every pair of stored essays (Library).
//
// Neither aligns every pair. Both count, through the fingerprint index, the
// prints each pair of essays shares, and align with the originality
// checker's aligner only the pairs that share enough of them to reach the
// similarity asked for; the checker's scheme decides what the prints and
// the passages are, so the audit finds what the checker finds. A pair's
// similarity is the larger of its two shares: the words of each essay that
// the passages they share cover.
package audit

import (
	"context"

	"github.com/ibid-dev/ibid"
	"github.com/ibid-dev/ibid/originality"
)

// DefaultMin is the similarity from which one essay counts as a copy or
// paraphrase of another.
const DefaultMin = 0.5

// Candidate selection. A print held by more than maxGroup essays is a common
// phrase, not evidence of copying (the checker ignores prints of more than
// 1,000 postings for the same reason; pairs grow with the square of a
// print's essays, so the audit stops earlier). A pair is aligned only when
// it shares at least minShared prints and a share of the smaller essay's
// prints that a passage covering the minimum similarity of it would keep
// even when heavily reworded: a copied passage keeps about all of its
// prints, one with 30 % of its content words replaced about a third, one
// spun at 70 % about one in twelve (measured on generated text). Half of
// that margin again keeps spun copies that the aligner can still find.
const (
	maxGroup  = 200
	minShared = 3
	// shareOfMin is the fraction of min × the smaller essay's prints a
	// pair must share: at min 0.5, 2 % of them.
	shareOfMin = 0.04
)

// enough reports whether two essays sharing shared prints, the smaller of
// which has fewer prints, are worth aligning for similarity min.
func enough(shared, fewer int, min float64) bool {
	return shared >= minShared && float64(shared) >= shareOfMin*min*float64(fewer)
}

// prepared is an essay ready to align: its text prepared by the checker.
type prepared struct {
	id          int64
	slug, title string
	hash        string
	text        *originality.Text
}

func prepare(id int64, slug, title, hash, s string) *prepared {
	return &prepared{id: id, slug: slug, title: title, hash: hash, text: originality.Prepare(s, originality.Options{})}
}

// compare aligns a (as the submitted text) with b (as the source) and
// returns each one's share of words in the passages, and how many passages
// there are.
func compare(a, b *prepared) (shareA, shareB float64, passages int) {
	return alignTexts(a.text, b.text)
}

// alignTexts is compare for prepared texts.
func alignTexts(a, b *originality.Text) (shareA, shareB float64, passages int) {
	als := originality.AlignTexts(a, b, originality.Options{})
	if len(als) == 0 {
		return 0, 0, 0
	}
	sa := make([]ibid.Span, len(als))
	sb := make([]ibid.Span, len(als))
	for i, al := range als {
		sa[i], sb[i] = al.Submitted, al.Source
	}
	return share(a, sa), share(b, sb), len(als)
}

// alignShares is each text's share of the passages of a (submitted) and b
// (source).
func alignShares(a, b *originality.Text) (shareA, shareB float64) {
	sa, sb, _ := alignTexts(a, b)
	return sa, sb
}

// share is the share of t's words inside spans, as the checker counts a
// similarity.
func share(t *originality.Text, spans []ibid.Span) float64 {
	if t.Words() == 0 {
		return 0
	}
	return min(1, float64(t.Covered(spans))/float64(t.Words()))
}

// essay reads and prepares a stored essay.
func essay(ctx context.Context, st ibid.Store, id int64) (*prepared, error) {
	e, err := st.EssayByID(ctx, id)
	if err != nil {
		return nil, err
	}
	return prepare(e.ID, e.Slug, e.Title, e.Hash, e.Text), nil
}
