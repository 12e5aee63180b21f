// Package originality is the originality checker: it fingerprints texts for
// the library's index, finds candidate sources for a submitted text from the
// index's postings, aligns the submission with each candidate passage by
// passage, and reports what matches which essay.
//
// The package is pure. It reads the library only through the Source
// interface (a fingerprint index plus the canonical texts of essays) and
// never imports a store.
//
// # Pipeline
//
// Words come from text.Tokens with rune offsets. Each word is normalised:
// lower-cased, apostrophes folded, and stemmed with the Snowball English
// stemmer; the Snowball stop words are marked. Sentences are cut at
// terminal punctuation and blank lines, and sentences of fewer than three
// content words are joined to the next.
//
// Alignment (Align) follows the seed–extend–filter scheme of Sanchez-Perez,
// Sidorov and Gelbukh (PAN 2014): sentences are weighted by tf-isf over both
// texts; a sentence pair whose cosine and Dice coefficient both reach 0.30
// is a seed; seeds at most three sentences apart on both sides are grouped
// into passages whose summed vectors must stay similar (groups that are not
// are split with smaller gaps); passages then grow by neighbouring sentence
// pairs that are still somewhat similar; overlapping passages are resolved
// by quality. A passage made mostly of runs of eight or more identical
// words is a verbatim copy and is cut to the runs, exact to the word; any
// other passage must have at least 30 words (paraphrase is weaker evidence
// than identical text) and, if it rests on a single sentence pair, a
// cosine of at least 0.5.
//
// A second pass groups seeds by the submitted side only and finds
// summaries: a passage whose source side is at least twice as long as its
// submitted side, not explained by a copy of similar length, with no other
// passage from the same source elsewhere in the text. A summary spanning
// 40% of its source is reported against the whole source.
//
// The web checker, the CLI and the PAN evaluation use the same aligner with
// the same settings; on the PAN13 training corpus it scores plagdet 0.90.
package originality
