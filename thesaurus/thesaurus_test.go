package thesaurus

import (
	"runtime"
	"slices"
	"testing"
)

func TestLookups(t *testing.T) {
	tests := []struct {
		word, synonym string
		want          bool
	}{
		{"write", "compose", true},
		{"song", "melody", false}, // WordNet keeps them apart: vocal music vs tune
		{"artificial", "unreal", true},
		{"publisher", "publishing house", true},
		{"big", "large", true},
		{"cat", "democracy", false},
	}
	for _, tc := range tests {
		got := false
		for _, s := range Senses(tc.word) {
			if slices.Contains(s.Members(), tc.synonym) {
				got = true
			}
		}
		if got != tc.want {
			t.Errorf("%q and %q share a synset: %v, want %v", tc.word, tc.synonym, got, tc.want)
		}
	}
	if !Has("artificial intelligence") || Has("counterfeit consciousness") {
		t.Error("multi-word expressions: want artificial intelligence and not counterfeit consciousness")
	}
	if s := Senses("write"); len(s) != 10 || s[0].POS() != Verb {
		t.Errorf("write: %d senses, first %c; want 10, verb", len(s), s[0].POS())
	}
	if Frequency("write") <= Frequency("indite") {
		t.Errorf("write (%d) should be commoner than indite (%d)", Frequency("write"), Frequency("indite"))
	}
}

func TestLemmas(t *testing.T) {
	tests := []struct {
		word string
		want []string
	}{
		{"wrote", []string{"write"}},
		{"melodies", []string{"melody"}},
		{"composed", []string{"composed", "compose"}},
		{"songs", []string{"song"}},
		{"running", []string{"running", "run"}},
		{"xyzzy", nil},
	}
	for _, tc := range tests {
		if got := Lemmas(tc.word); !slices.Equal(got, tc.want) {
			t.Errorf("Lemmas(%q) = %q, want %q", tc.word, got, tc.want)
		}
	}
}

func TestPairCount(t *testing.T) {
	if PairCount("united", "states") < 10 {
		t.Errorf("united states: %d, want a common pair", PairCount("united", "states"))
	}
	if PairCount("counterfeit", "consciousness") != 0 {
		t.Error("counterfeit consciousness is no gloss phrase")
	}
}

func TestSize(t *testing.T) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	d, err := decode(table)
	if err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	l, s := len(d.lemmas), len(d.pos)
	if l < 140_000 || s < 110_000 {
		t.Errorf("%d lemmas and %d synsets: the table is incomplete", l, s)
	}
	t.Logf("table %d bytes embedded; %d lemmas, %d synsets; %.1f MB in memory once decoded",
		len(table), l, s, float64(after.HeapAlloc-before.HeapAlloc)/1e6)
	runtime.KeepAlive(d)
}

func BenchmarkDecode(b *testing.B) {
	for range b.N {
		if _, err := decode(table); err != nil {
			b.Fatal(err)
		}
	}
}

func TestCount(t *testing.T) {
	if !(Count("hand") > Count("paw") && Count("paw") > 0) {
		t.Errorf("hand (%d) should be tagged more often than paw (%d), and paw at all", Count("hand"), Count("paw"))
	}
	for _, w := range []string{"tome", "no such word"} {
		if n := Count(w); n != 0 {
			t.Errorf("Count(%q) = %d, want 0", w, n)
		}
	}
}
