package originality

import (
	"slices"

	"github.com/ibid-dev/ibid/thesaurus"
)

// Synonyms let the checker see through a spinner, which swaps content words
// for thesaurus synonyms ("wrote the music for over 290 songs" → "composed
// the music for more than 290 melodies") and keeps everything else. Two
// words are linked when they share a WordNet synset among their leading
// senses. Sense ambiguity is the risk: "bank" and "shore" share a rare
// sense, and a topic's common words share many. So only the first few
// senses of each part of speech count, and a word with very many senses
// ("make", "run", "set") links to nothing: such a word is too vague to be
// evidence, and a spinner's swap of it is rarely what finds a source.
const (
	// synRank: how many leading senses per part of speech of a lemma
	// count. Measured on 20,000 synonym pairs of the OpenOffice thesaurus
	// (MyThes, which descends from WordNet and so is only a sanity check):
	// with 3 leading senses 79 % of the pairs link, and of 20,000 random
	// pairs of common words (tagged 5 times or more in SemCor) 0.06 % do.
	synRank = 3
	// subRank: the leading senses that pair a word with the one it
	// replaced in a report's substitutions, once the passage is found (85 %
	// of the MyThes pairs, 0.08 % of random ones). Matching with them found
	// no more spun texts (spineval, within one of 300), so matching keeps
	// the safer three.
	subRank = 5
	// synMaxSenses: lemmas with more senses than this link to nothing.
	synMaxSenses = 15
	// synWeight scales a term matched through a synonym rather than
	// itself: a swapped word is weaker evidence than a kept one.
	synWeight = 0.8
)

// synInfo is what the thesaurus says of one spelling of a word.
type synInfo struct {
	// sets are the word's leading synsets (synRank), ascending; wide are
	// those of subRank, ascending.
	sets, wide []thesaurus.Synset
}

// lookupSynonyms returns the thesaurus entry of a folded content word, or
// nil when it links to nothing.
func lookupSynonyms(w string) *synInfo {
	if len(w) < 3 {
		return nil
	}
	for i := 0; i < len(w); i++ {
		if c := w[i]; (c < 'a' || c > 'z') && c != '-' && c != '\'' {
			return nil // numbers, names in other scripts, codes
		}
	}
	info := &synInfo{}
	for _, l := range thesaurus.Lemmas(w) {
		senses := thesaurus.Senses(l)
		if len(senses) > synMaxSenses {
			continue
		}
		var pos byte
		rank := 0
		for _, s := range senses {
			if p := s.POS(); p != pos {
				pos, rank = p, 0
			}
			if rank < synRank {
				info.sets = append(info.sets, s)
			}
			if rank < subRank {
				info.wide = append(info.wide, s)
			}
			rank++
		}
	}
	if len(info.wide) == 0 {
		return nil
	}
	slices.Sort(info.sets)
	info.sets = slices.Compact(info.sets)
	slices.Sort(info.wide)
	info.wide = slices.Compact(info.wide)
	return info
}
