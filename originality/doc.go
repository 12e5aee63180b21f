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
// texts, a sentence pair whose cosine and Dice coefficient both pass a
// threshold is a seed, seeds close to each other on both sides are grouped
// into passages whose summed vectors must stay similar, overlapping
// passages are resolved by quality and short ones dropped. A second pass
// with a wide gap finds summaries, and exact word runs refine the passage
// boundaries of verbatim copies. The web checker, the CLI and the PAN
// evaluation use the same aligner with the same settings.
package originality
