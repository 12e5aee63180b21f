package originality

import (
	"cmp"
	"fmt"
	"math/rand"
	"slices"
	"strings"
	"testing"

	"github.com/cespare/xxhash/v2"
	"github.com/ibid-dev/ibid"
	"github.com/kljensen/snowball/english"
)

// referencePrints is the fingerprint scheme as its comment states it, over
// the words prepare gives: both kinds winnowed, then sorted by offset,
// verbatim first at one offset.
func referencePrints(s string) []ibid.Print {
	p := prepare(s, nil)
	hs, offs := verbatimGrams(p)
	out := winnow(nil, hs, offs, verbatimW)
	hs, offs = paraGrams(p)
	out = winnow(out, hs, offs, paraW)
	slices.SortStableFunc(out, func(a, b ibid.Print) int { return cmp.Compare(a.Offset, b.Offset) })
	return out
}

// TestFingerprintMatchesPrepared checks that Fingerprint, which skips
// prepare and reuses its buffers, gives the prints of the reference, for
// texts long and short, ASCII and not, one after another (so that a
// buffer left by a long text is reused by a short one).
func TestFingerprintMatchesPrepared(t *testing.T) {
	r := rand.New(rand.NewSource(7))
	texts := []string{
		"", "word", "three little words", "Five words and no more.",
		"Don’t stop: the café’s “naïve” owner — Zoë — paid 1,000 € for 3.5 kg of ﬁsh.",
		"日本語の文章と English words, mixed: 東京 and Kyoto.",
		strings.Repeat("the the the the ", 50),
		generated(r, 4000), generated(r, 30), generated(r, 900),
	}
	texts = append(texts, panSources(t, 40)...)
	for round := 0; round < 2; round++ {
		for i, s := range texts {
			want := referencePrints(s)
			if got := Fingerprint(s); !slices.Equal(got, want) {
				t.Fatalf("text %d (%d bytes): Fingerprint gave %d prints, reference %d (first difference at %d)", i, len(s), len(got), len(want), firstDiff(got, want))
			}
			if got := fingerprint(prepare(s, nil)); !slices.Equal(got, want) {
				t.Fatalf("text %d (%d bytes): fingerprint(prepare) gave %d prints, reference %d", i, len(s), len(got), len(want))
			}
		}
	}
}

func firstDiff(a, b []ibid.Print) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// wantInfo computes a word's normalisation without the cache.
func wantInfo(s string) wordInfo {
	w := foldWord(s)
	info := wordInfo{norm: xxhash.Sum64String(w), stop: english.IsStopWord(w)}
	if info.stop {
		info.stem = info.norm
	} else {
		info.stem = xxhash.Sum64String(english.Stem(w, false))
	}
	return info
}

// TestWordCacheSpellings checks the cache of normalisations with
// spellings kept inside an entry and outside it (longer than inlineLen),
// spellings that differ only past inlineLen, and two spellings that share
// a slot, looked up in turn.
func TestWordCacheSpellings(t *testing.T) {
	words := []string{"", "a", "The", "running", "Don’t", "café",
		strings.Repeat("x", inlineLen-1), strings.Repeat("x", inlineLen), strings.Repeat("x", inlineLen+1),
		"internationalisations-ab", "internationalisations-ac", "Internationalisations-ab"}
	// Two spellings of one length in one slot, short and long, found by
	// trying made-up words.
	for _, format := range []string{"w%06d", "w%029d"} {
		bySlot := map[uint64]string{}
		for i := 0; ; i++ {
			w := fmt.Sprintf(format, i)
			slot := xxhash.Sum64String(w) & (cacheSlots - 1)
			if other, ok := bySlot[slot]; ok {
				words = append(words, other, w)
				break
			}
			bySlot[slot] = w
		}
	}
	for round := 0; round < 3; round++ {
		for _, w := range words {
			if got, want := normalizeWord(w), wantInfo(w); got != want {
				t.Fatalf("round %d: normalizeWord(%q) = %+v, want %+v", round, w, got, want)
			}
		}
	}
}
