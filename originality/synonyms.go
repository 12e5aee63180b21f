package originality

import (
	"slices"

	"github.com/cespare/xxhash/v2"
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
	// 3 leading senses link most true pairs while random pairs of common
	// words link well under 1 %.
	synRank = 3
	// synMaxSenses: lemmas with more senses than this link to nothing.
	synMaxSenses = 15
	// synWeight scales a term matched through a synonym rather than
	// itself: a swapped word is weaker evidence than a kept one.
	synWeight = 0.8
)

// synInfo is what the thesaurus says of one spelling of a word.
type synInfo struct {
	// sets are the word's leading synsets, ascending.
	sets []thesaurus.Synset
	// class is the synonym class of the word for fingerprints: the hash of
	// the most frequent lemma among the members of its leading synsets, so
	// that "melodies" and "tunes" often (not always) print alike.
	class uint64
	// lemma is the word's first base form, for reports.
	lemma string
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
	lemmas := thesaurus.Lemmas(w)
	if len(lemmas) == 0 {
		return nil
	}
	info := &synInfo{lemma: lemmas[0]}
	for _, l := range lemmas {
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
			rank++
		}
	}
	if len(info.sets) == 0 {
		return nil
	}
	slices.Sort(info.sets)
	info.sets = slices.Compact(info.sets)
	best, bestF := "", -1
	for _, s := range info.sets[:min(len(info.sets), synRank)] {
		for _, m := range s.Members() {
			if f := thesaurus.Frequency(m); f > bestF || f == bestF && m < best {
				best, bestF = m, f
			}
		}
	}
	info.class = xxhash.Sum64String("\x00syn " + best)
	return info
}

// linked reports whether two words share a leading synset.
func linked(x, y *synInfo) bool {
	if x == nil || y == nil {
		return false
	}
	a, b := x.sets, y.sets
	for p, q := 0, 0; p < len(a) && q < len(b); {
		switch {
		case a[p] < b[q]:
			p++
		case a[p] > b[q]:
			q++
		default:
			return true
		}
	}
	return false
}
