package ibid

// MatchKind says how closely a matched passage follows its source.
type MatchKind string

// Match kinds, after the three levels similarity reports commonly show.
const (
	// Identical passages repeat the source word for word (case, punctuation
	// and white space aside).
	Identical MatchKind = "identical"
	// MinorChanges passages keep most of the source's words in order, with a
	// few words inserted, dropped or replaced.
	MinorChanges MatchKind = "minor_changes"
	// Paraphrased passages say the same thing in substantially different
	// words or order.
	Paraphrased MatchKind = "paraphrased"
)

// Span is a range of a text in runes (Unicode code points) of its canonical
// text.
type Span struct {
	Offset int `json:"offset"`
	Length int `json:"length"`
}

// End returns the rune offset just after the span.
func (s Span) End() int { return s.Offset + s.Length }

// In returns the part of the text r (its runes) that the span covers,
// clamped to r.
func (s Span) In(r []rune) string {
	lo := min(max(s.Offset, 0), len(r))
	return string(r[lo:min(max(s.End(), lo), len(r))])
}

// Passage is one matched passage: where it is in the submitted text and in
// the source, and how closely it follows the source.
type Passage struct {
	Kind      MatchKind `json:"kind"`
	Submitted Span      `json:"submitted"`
	Source    Span      `json:"source"`
	// Substitutions are the source's words that the passage swaps for
	// synonyms ("composed" for "wrote"), in submitted order; set for
	// passages that are not identical.
	Substitutions []Substitution `json:"substitutions,omitempty"`
}

// Substitution is one word of a source replaced by a synonym: where the
// synonym is in the submitted text and where the word it replaces is in the
// source, as rune spans of each.
type Substitution struct {
	Submitted Span `json:"submitted"`
	Source    Span `json:"source"`
}

// SourceMatch is one library essay that a submitted text draws on.
// Similarity is the share (0–1) of the submitted text's words covered by this
// source's passages.
type SourceMatch struct {
	EssayID    int64     `json:"-"`
	Slug       string    `json:"slug"`
	Title      string    `json:"title"`
	Similarity float64   `json:"similarity"`
	Passages   []Passage `json:"passages"`
}

// Report is the result of an originality check, shared by the web checker,
// the JSON API and the CLI. Similarity is the share (0–1) of the submitted
// text's words covered by any passage; Words is the submitted text's word
// count; Sources are ordered by similarity, highest first. Spin needs no
// source: it says whether the text itself looks machine-paraphrased.
type Report struct {
	Similarity float64       `json:"similarity"`
	Words      int           `json:"words"`
	Sources    []SourceMatch `json:"sources"`
	Spin       *SpinReport   `json:"spin"`
}

// Limits of one originality check, the same for the web checker, the API
// and the CLI.
const (
	MaxCheckBytes = 10 << 20 // 10 MB of uploaded file
	MaxCheckWords = 100_000
)

// SimilarEssay is a library essay that another essay copies or paraphrases,
// or that copies it: Similarity is the larger of the two essays' shares
// (0–1) of words in the passages they share.
type SimilarEssay struct {
	EssayID    int64   `json:"-"`
	Slug       string  `json:"slug"`
	Title      string  `json:"title"`
	Similarity float64 `json:"similarity"`
}
