package originality

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ibid-dev/ibid"
)

// TestSpinGolden aligns a hand-spun copy of a paragraph (more than half of
// its content words swapped for synonyms, as a spinner does) with its
// source, and keeps the passages and their substitutions, written as
// "submitted ↔ source", in a golden file. Refresh it with
// go test -run TestSpinGolden -update.
func TestSpinGolden(t *testing.T) {
	src := readTestdata(t, filepath.Join("spin", "source.txt"))
	spun := readTestdata(t, filepath.Join("spin", "spun.txt"))
	als := Align(spun, src, Options{})
	if len(als) == 0 {
		t.Fatal("the spun copy is not found")
	}
	rs, rr := []rune(spun), []rune(src)
	var b strings.Builder
	words := 0
	for _, a := range als {
		if a.Kind != ibid.Paraphrased {
			t.Errorf("passage %+v is %s, want paraphrased", a.Submitted, a.Kind)
		}
		words += a.Words
		fmt.Fprintf(&b, "passage %s, %d words: submitted %d+%d, source %d+%d\n", a.Kind, a.Words,
			a.Submitted.Offset, a.Submitted.Length, a.Source.Offset, a.Source.Length)
		for _, s := range a.Substitutions {
			fmt.Fprintf(&b, "  %s ↔ %s\n", string(rs[s.Submitted.Offset:s.Submitted.End()]), string(rr[s.Source.Offset:s.Source.End()]))
		}
	}
	if n := len(strings.Fields(spun)); words < n*9/10 {
		t.Errorf("passages cover %d of %d words", words, n)
	}
	golden(t, filepath.Join("testdata", "spin", "report.golden"), b.String())
}

// TestSpinTopic: a text on the same topic as the source, sharing many of
// its words and some of their synonyms but none of its sentences, matches
// nothing.
func TestSpinTopic(t *testing.T) {
	src := readTestdata(t, filepath.Join("spin", "source.txt"))
	topic := readTestdata(t, filepath.Join("spin", "topic.txt"))
	if als := Align(topic, src, Options{}); len(als) != 0 {
		t.Errorf("a text on the same topic matches: %+v", als)
	}
}

func TestLinked(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want bool
	}{
		{"wrote", "composed", true},
		{"songs", "melodies", false}, // WordNet keeps song and melody apart
		{"tunes", "melodies", true},
		{"critics", "reviewers", false}, // their shared synset is a late sense
		{"taught", "instructed", true},
		{"pupils", "students", true},
		{"boats", "vessels", false}, // a boat is a kind of vessel, not a synonym
		{"music", "village", false},
		{"teacher", "voice", false},
		{"make", "create", false}, // "make" has too many senses to link
		{"london", "paris", false},
	} {
		got := linked(lookupSynonyms(c.a), lookupSynonyms(c.b))
		if got != c.want {
			t.Errorf("linked(%q, %q) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
}

// TestLCSWords compares the bit-parallel subsequence length with the plain
// dynamic programme on random word sequences of many lengths, across the
// 64-word blocks.
func TestLCSWords(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	seq := func(n, alphabet int) []word {
		ws := make([]word, n)
		for k := range ws {
			ws[k].stem = uint64(r.IntN(alphabet))
		}
		return ws
	}
	plain := func(x, y []word) int {
		prev := make([]int, len(y)+1)
		for _, a := range x {
			cur := make([]int, len(y)+1)
			for k, b := range y {
				if a.stem == b.stem {
					cur[k+1] = prev[k] + 1
				} else {
					cur[k+1] = max(prev[k+1], cur[k])
				}
			}
			prev = cur
		}
		return prev[len(y)]
	}
	for _, n := range []int{0, 1, 5, 63, 64, 65, 130, 200} {
		for _, m := range []int{0, 1, 7, 64, 150} {
			for _, alphabet := range []int{2, 8, 50} {
				x, y := seq(n, alphabet), seq(m, alphabet)
				if got, want := lcsWords(x, y), plain(x, y); got != want {
					t.Errorf("n=%d m=%d alphabet=%d: lcsWords = %d, want %d", n, m, alphabet, got, want)
				}
			}
		}
	}
}

// linked reports whether two words share a leading synset: whether the
// aligner's synonym matching (aligner.withSynonyms) pairs them.
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
