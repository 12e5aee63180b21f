package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/ibid-dev/ibid/internal/spinsim"
	"github.com/ibid-dev/ibid/thesaurus"
)

// myThes is where Debian's mythes-en-us installs the OpenOffice thesaurus.
const myThes = "/usr/share/mythes/th_en_US_v2.dat"

type pairSet map[string]struct{}

func (p pairSet) add(a, b string) {
	if a == b || a == "" || b == "" || strings.Contains(a, " ") || strings.Contains(b, " ") {
		return
	}
	if b < a {
		a, b = b, a
	}
	p[a+"\x00"+b] = struct{}{}
}

func (p pairSet) shared(q pairSet) int {
	n := 0
	for k := range p {
		if _, ok := q[k]; ok {
			n++
		}
	}
	return n
}

// measureOverlap counts the single-word synonym pairs of the spinner's
// thesaurus and how many of them WordNet (the checker's table, package
// thesaurus) and MyThes also hold: the spin test is only as fair as that
// overlap is small.
func measureOverlap(w io.Writer, th *spinsim.Thesaurus, path string) error {
	spin := pairSet{}
	th.Pairs(spin.add)
	wn := pairSet{}
	_, synsets := thesaurus.Len()
	for s := range synsets {
		ms := thesaurus.Synset(s).Members()
		for i, a := range ms {
			for _, b := range ms[i+1:] {
				wn.add(a, b)
			}
		}
	}
	fmt.Fprintf(w, "spinner thesaurus %s: %d words, %d groups, %d single-word pairs\n", path, th.Words(), th.Groups(), len(spin))
	fmt.Fprintf(w, "WordNet (package thesaurus): %d single-word synonym pairs (same synset)\n", len(wn))
	n := spin.shared(wn)
	fmt.Fprintf(w, "  shared with the spinner's: %d (%.1f%% of the spinner's, %.1f%% of WordNet's)\n", n, pct(n, len(spin)), pct(n, len(wn)))
	mt, err := readMyThes(myThes)
	if err != nil {
		fmt.Fprintf(w, "MyThes: %v (apt-get install mythes-en-us)\n", err)
		return nil
	}
	fmt.Fprintf(w, "MyThes %s: %d single-word synonym pairs (plain synonyms, no \"(generic term)\" etc.)\n", myThes, len(mt))
	n = spin.shared(mt)
	fmt.Fprintf(w, "  shared with the spinner's: %d (%.1f%% of the spinner's, %.1f%% of MyThes's)\n", n, pct(n, len(spin)), pct(n, len(mt)))
	n = wn.shared(mt)
	fmt.Fprintf(w, "  shared with WordNet's: %d (%.1f%% of MyThes's, %.1f%% of WordNet's)\n", n, pct(n, len(mt)), pct(n, len(wn)))
	return nil
}

func pct(n, of int) float64 {
	if of == 0 {
		return 0
	}
	return 100 * float64(n) / float64(of)
}

// readMyThes reads the pairs of a MyThes .dat file: a head word line
// "word|meanings", then one line per meaning, "(pos)|syn|syn|…"; a
// synonym followed by a parenthesised note (a broader or related term, an
// antonym) is not a synonym and is left out.
func readMyThes(path string) (pairSet, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := pairSet{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<22)
	sc.Scan() // the encoding
	head := ""
	for sc.Scan() {
		l := sc.Text()
		if !strings.HasPrefix(l, "(") {
			head = strings.ToLower(strings.SplitN(l, "|", 2)[0])
			continue
		}
		for _, s := range strings.Split(l, "|")[1:] {
			if strings.Contains(s, "(") {
				continue
			}
			out.add(head, strings.ToLower(strings.TrimSpace(s)))
		}
	}
	return out, sc.Err()
}

// wordNetSynonyms says whether WordNet puts a base form of a and one of b
// in the same synset: a swap the checker's own table knows.
func wordNetSynonyms(a, b string) bool {
	for _, la := range thesaurus.Lemmas(strings.ToLower(a)) {
		for _, s := range thesaurus.Senses(la) {
			for _, m := range s.Members() {
				for _, lb := range thesaurus.Lemmas(strings.ToLower(b)) {
					if m == lb {
						return true
					}
				}
			}
		}
	}
	return false
}
