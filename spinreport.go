package ibid

// SpinReport is the part of a report that needs no source: phrases of the
// submitted text that look like an established term with its words swapped
// for thesaurus synonyms ("counterfeit consciousness" for "artificial
// intelligence"), as spinning tools leave them. Score (0–1) grows with how
// densely such phrases occur; Flagged says the text as a whole is likely
// machine-paraphrased. It is a hint for a reader, not proof.
type SpinReport struct {
	Score   float64      `json:"score"`
	Flagged bool         `json:"flagged"`
	Phrases []SpinPhrase `json:"phrases"`
}

// SpinPhrase is one suspicious phrase: where it is in the submitted text
// (rune offset and length, like passages), its text, and the established
// term it likely replaced.
type SpinPhrase struct {
	Offset int    `json:"offset"`
	Length int    `json:"length"`
	Text   string `json:"text"`
	Likely string `json:"likely"`
}
