// Package synth generates deterministic synthetic essays for benchmarks and
// scale tests: Markdown with front matter, sections, lists, and a vocabulary
// with a Zipf-like word distribution so that search and fingerprints behave
// as on real text. Nothing here is meant to be read.
package synth

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

var subjects = []string{"History", "Literature", "Economics", "Biology", "Philosophy", "Psychology",
	"Sociology", "Computer Science", "Environmental Science", "Art", "Law", "Education"}

// syllables build the vocabulary: pronounceable made-up words, so generated
// essays never collide with the real text of a library.
var syllables = strings.Fields("ka lo mi ra ten vor sul ni pe dra mon tis gal ber fu ash cor del ven lin mar " +
	"tor es ul pra qui hen sto bri gen wal fen ris dul mo sa te vi no ga")

var function = strings.Fields("the of and to in a is that for it as was with be by on not he this are or his " +
	"from at which but have an they you were her she there been one all we their")

// Generator makes essays from a seed; the same seed gives the same essays.
type Generator struct {
	rng   *rand.Rand
	vocab []string
	zipf  *rand.Zipf
}

// New returns a generator with a vocabulary of about 20,000 words.
func New(seed uint64) *Generator {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	seen := map[string]bool{}
	var vocab []string
	for len(vocab) < 20000 {
		n := 2 + rng.IntN(3)
		var b strings.Builder
		for range n {
			b.WriteString(syllables[rng.IntN(len(syllables))])
		}
		if w := b.String(); !seen[w] {
			seen[w] = true
			vocab = append(vocab, w)
		}
	}
	return &Generator{rng: rng, vocab: vocab, zipf: rand.NewZipf(rng, 1.1, 2, uint64(len(vocab)-1))}
}

func (g *Generator) word() string {
	if g.rng.IntN(10) < 4 {
		return function[g.rng.IntN(len(function))]
	}
	return g.vocab[g.zipf.Uint64()]
}

func (g *Generator) sentence() string {
	n := 8 + g.rng.IntN(18)
	words := make([]string, n)
	for i := range words {
		words[i] = g.word()
	}
	s := strings.Join(words, " ")
	return strings.ToUpper(s[:1]) + s[1:] + "."
}

func (g *Generator) title(n int) string {
	words := make([]string, n)
	for i := range words {
		w := g.vocab[g.zipf.Uint64()]
		words[i] = strings.ToUpper(w[:1]) + w[1:]
	}
	return strings.Join(words, " ")
}

// Essay returns the i-th essay as Markdown with front matter, of about
// words words (at least 50).
func (g *Generator) Essay(i, words int) []byte {
	var b strings.Builder
	subject := subjects[g.rng.IntN(len(subjects))]
	fmt.Fprintf(&b, "---\ntitle: %s %d\nsubject: %s\ntopics: [%s, %s]\nauthor: Synthetic Author\ndate: %d-%02d-%02d\nlicence: CC0\n---\n\n",
		g.title(4), i, subject, g.title(1), g.title(2), 2000+g.rng.IntN(26), 1+g.rng.IntN(12), 1+g.rng.IntN(28))
	n := 0
	for n < words {
		if n > 0 && g.rng.IntN(4) == 0 {
			fmt.Fprintf(&b, "## %s\n\n", g.title(3))
		}
		if g.rng.IntN(8) == 0 {
			for range 3 + g.rng.IntN(3) {
				s := g.sentence()
				b.WriteString("- " + s + "\n")
				n += strings.Count(s, " ") + 1
			}
			b.WriteString("\n")
			continue
		}
		for range 3 + g.rng.IntN(4) {
			s := g.sentence()
			b.WriteString(s + " ")
			n += strings.Count(s, " ") + 1
		}
		b.WriteString("\n\n")
	}
	return []byte(b.String())
}

// Length draws an essay length like an essay site's: mostly 500–2,500 words,
// some up to 6,000.
func (g *Generator) Length() int {
	if g.rng.IntN(10) == 0 {
		return 2500 + g.rng.IntN(3500)
	}
	return 500 + g.rng.IntN(2000)
}

// Words returns a random query word of the vocabulary's frequent part, for
// search benchmarks.
func (g *Generator) Words(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = g.vocab[g.rng.IntN(2000)]
	}
	return out
}

// Reword returns text with about rate (0–1) of its content words replaced
// by other words of the vocabulary, punctuation, function words and line
// structure kept: a stand-in for a spinner's word swaps, for testing how
// copies and paraphrases are found. Front matter is left as it is.
func (g *Generator) Reword(text string, rate float64) string {
	lines := strings.Split(text, "\n")
	inFront := len(lines) > 0 && lines[0] == "---"
	for i, line := range lines {
		if inFront {
			if i > 0 && line == "---" {
				inFront = false
			}
			continue
		}
		words := strings.Split(line, " ")
		for k, w := range words {
			core := strings.TrimRight(w, ".,;:")
			if len(core) < 4 || strings.HasPrefix(core, "#") || strings.HasPrefix(core, "-") || isFunction(strings.ToLower(core)) {
				continue
			}
			if g.rng.Float64() >= rate {
				continue
			}
			nw := g.vocab[g.zipf.Uint64()]
			if core[0] >= 'A' && core[0] <= 'Z' {
				nw = strings.ToUpper(nw[:1]) + nw[1:]
			}
			words[k] = nw + w[len(core):]
		}
		lines[i] = strings.Join(words, " ")
	}
	return strings.Join(lines, "\n")
}

func isFunction(w string) bool {
	for _, f := range function {
		if f == w {
			return true
		}
	}
	return false
}
