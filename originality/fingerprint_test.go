package originality

import (
	"cmp"
	"encoding/binary"
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
// spellings that differ only past inlineLen, capitalised spellings (which
// take the normalisation of their lower case, seen before or not), and
// two spellings that share a slot, for each of slotHash's length classes,
// looked up in turn.
func TestWordCacheSpellings(t *testing.T) {
	words := []string{"", "a", "The", "THE", "the", "running", "Running", "RUNNING", "Don’t", "DON’T", "don't",
		"café", "Café", "CAFÉ", "Stemmed", "Zoë", "İstanbul", "\u212Aelvin",
		strings.Repeat("x", inlineLen-1), strings.Repeat("x", inlineLen), strings.Repeat("x", inlineLen+1),
		"internationalisations-ab", "internationalisations-ac", "Internationalisations-ab"}
	// Two spellings of one length in one slot, short and long, found by
	// trying made-up words.
	letters := func(i int) string { // 3 letters
		return string([]byte{byte('a' + i/676%26), byte('a' + i/26%26), byte('a' + i%26)})
	}
	for _, name := range []func(int) string{
		letters,
		func(i int) string { return fmt.Sprintf("w%05d", i) },
		func(i int) string { return fmt.Sprintf("w%010d", i) },
		func(i int) string { return fmt.Sprintf("w%029d", i) },
	} {
		bySlot := map[uint64]string{}
		for i := 0; ; i++ {
			w := name(i)
			slot := slotHash(w) & (cacheSlots - 1)
			if other, ok := bySlot[slot]; ok {
				words = append(words, other, w, strings.ToUpper(other), strings.ToUpper(w))
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

// TestGramHashes checks the n-gram hashes computed from the stems against
// the scheme's definition: xxhash64 of the kind tag and the stems' bytes.
// Stems with every byte set and zero and random ones, so that a byte taken
// from the wrong stem or shifted wrongly shows.
func TestGramHashes(t *testing.T) {
	r := rand.New(rand.NewSource(11))
	stems := []uint64{0, ^uint64(0), 1, 1 << 63, 0x0102030405060708, 0x80}
	for range 2000 {
		stems = append(stems, r.Uint64())
	}
	pick := func() uint64 { return stems[r.Intn(len(stems))] }
	for range 20000 {
		a, b, c, d := pick(), pick(), pick(), pick()
		v := append([]byte{tagVerbat}, le(a, b, c, d)...)
		if got, want := verbatimHash(a, b, c, d), xxhash.Sum64(v); got != want {
			t.Fatalf("verbatimHash(%#x, %#x, %#x, %#x) = %#x, want %#x", a, b, c, d, got, want)
		}
		p := append([]byte{tagParaph}, le(a, b, c)...)
		if got, want := paraHash(a, b, c), xxhash.Sum64(p); got != want {
			t.Fatalf("paraHash(%#x, %#x, %#x) = %#x, want %#x", a, b, c, got, want)
		}
	}
}

// le writes vs as 64-bit little-endian numbers.
func le(vs ...uint64) []byte {
	var out []byte
	for _, v := range vs {
		out = binary.LittleEndian.AppendUint64(out, v)
	}
	return out
}

// winnowReference is winnow as the scheme states it: every window scanned
// for its rightmost smallest hash.
func winnowReference(hs []uint64, offs []int, w int) []ibid.Print {
	var out []ibid.Print
	last := -1
	for start := 0; start == 0 && len(hs) > 0 || start+w <= len(hs); start++ {
		end := min(start+w, len(hs))
		m := start
		for k := start + 1; k < end; k++ {
			if hs[k] <= hs[m] {
				m = k
			}
		}
		if m != last {
			out = append(out, ibid.Print{Hash: hs[m], Offset: offs[m]})
			last = m
		}
	}
	return out
}

// TestWinnow checks winnow, which rescans a window only when its smallest
// hash leaves it, against the reference, on hashes drawn from few values
// (many ties, where the rightmost rule matters) and from many, for short
// and long sequences and window sizes 1 to 9.
func TestWinnow(t *testing.T) {
	r := rand.New(rand.NewSource(13))
	for range 20000 {
		n, w, vals := r.Intn(40), 1+r.Intn(9), uint64(1+r.Intn(6))
		if r.Intn(2) == 0 {
			vals = 1 << 40
		}
		hs, offs := make([]uint64, n), make([]int, n)
		for i := range hs {
			hs[i], offs[i] = uint64(r.Int63n(int64(vals))), i*3
		}
		got, want := winnow(nil, hs, offs, w), winnowReference(hs, offs, w)
		if !slices.Equal(got, want) {
			t.Fatalf("winnow(%v, w=%d) = %v, want %v", hs, w, got, want)
		}
	}
}

// FuzzFingerprint checks that Fingerprint, which hashes n-grams as the
// words come and takes spellings through the word cache's shortcuts,
// gives the prints of the scheme as stated (referencePrints) for any text.
func FuzzFingerprint(f *testing.F) {
	f.Add("The Cat sat on the mat. THE CAT SAT ON THE MAT, the cat’s mat.")
	f.Add("Don’t stop: the café’s “naïve” owner — Zoë — paid 1,000 € for 3.5 kg.")
	f.Add("İstanbul \u212Aelvin ǅ ﬁsh 日本語 e\u0301 \xff")
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := Fingerprint(s), referencePrints(s); !slices.Equal(got, want) {
			t.Fatalf("Fingerprint(%q): %d prints, want %d (first difference at %d)", s, len(got), len(want), firstDiff(got, want))
		}
	})
}
