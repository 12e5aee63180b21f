// Package spinsim simulates a thesaurus spinner (SpinBot, SpinnerChief) for
// testing how well the originality checker sees spun copies. It is test
// tooling: the product never imports it.
//
// A spinner swaps a share of a text's content words for thesaurus synonyms,
// word by word, keeping sentence order, punctuation and capitals ("artificial
// intelligence" becomes "counterfeit consciousness"). The checker recognises
// synonyms through WordNet, so a spinner built on WordNet would test the
// checker against its own table. This one reads a thesaurus that is not
// derived from WordNet, installed outside the repository and never copied
// into it:
//
//   - Aiksaurus (Debian's libaiksaurus-1.2-data, GPL-2+, a thesaurus in the
//     line of the public-domain Moby thesaurus), read from
//     /usr/share/aiksaurus by default:
//     `apt-get install libaiksaurus-1.2-data`;
//   - or a Moby-format file (mthesaur.txt: one line per root word, the root
//     first, its related words after it, comma separated).
//
// IBID_SPIN_THESAURUS names either (a directory holding words.dat and
// meanings.dat, or a Moby file); tests skip when none is installed.
// The npm packages "synonyms" and "thesaurus" are not usable: both are
// WordNet (the second through the OpenOffice thesaurus, which descends from
// WordNet), as docs/spin-eval.md measures.
package spinsim

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// EnvThesaurus is the environment variable naming the thesaurus to read.
const EnvThesaurus = "IBID_SPIN_THESAURUS"

// DefaultAiksaurus is where Debian installs the Aiksaurus data.
const DefaultAiksaurus = "/usr/share/aiksaurus"

// Thesaurus is a list of synonym groups: words of one group can stand for
// each other in some sense. A word may be in several groups.
type Thesaurus struct {
	groups [][]string
	index  map[string][]int32
}

// NewThesaurus builds a thesaurus from groups of lower-case words or
// phrases (words separated by single spaces).
func NewThesaurus(groups [][]string) *Thesaurus {
	t := &Thesaurus{index: map[string][]int32{}}
	for _, g := range groups {
		if len(g) < 2 {
			continue
		}
		id := int32(len(t.groups))
		t.groups = append(t.groups, g)
		for _, w := range g {
			if l := t.index[w]; len(l) == 0 || l[len(l)-1] != id {
				t.index[w] = append(l, id)
			}
		}
	}
	return t
}

// Has reports whether word is in some group.
func (t *Thesaurus) Has(word string) bool { return len(t.index[word]) > 0 }

// Words returns the number of distinct words and phrases.
func (t *Thesaurus) Words() int { return len(t.index) }

// Groups returns the number of synonym groups.
func (t *Thesaurus) Groups() int { return len(t.groups) }

// Synonyms returns the other words and phrases that share a group with
// word, each with the number of groups it shares: a word that shares
// several of word's senses is a closer synonym. The order is deterministic
// (most shared first, then alphabetical).
func (t *Thesaurus) Synonyms(word string) []Candidate {
	count := map[string]int{}
	for _, g := range t.index[word] {
		for _, w := range t.groups[g] {
			if w != word {
				count[w]++
			}
		}
	}
	out := make([]Candidate, 0, len(count))
	for w, n := range count {
		out = append(out, Candidate{w, n})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Shared != out[j].Shared {
			return out[i].Shared > out[j].Shared
		}
		return out[i].Word < out[j].Word
	})
	return out
}

// Candidate is a possible replacement for a word.
type Candidate struct {
	Word   string
	Shared int // groups shared with the word replaced
}

// Pairs calls fn once for every unordered pair of distinct single words
// that share a group (a < b), for comparing thesauri.
func (t *Thesaurus) Pairs(fn func(a, b string)) {
	seen := map[[2]string]bool{}
	for _, g := range t.groups {
		for i, a := range g {
			if strings.Contains(a, " ") {
				continue
			}
			for _, b := range g[i+1:] {
				if a == b || strings.Contains(b, " ") {
					continue
				}
				p := [2]string{a, b}
				if b < a {
					p = [2]string{b, a}
				}
				if !seen[p] {
					seen[p] = true
					fn(p[0], p[1])
				}
			}
		}
	}
}

// ErrNoThesaurus is returned by Load when no thesaurus is installed.
var ErrNoThesaurus = errors.New("spinsim: no thesaurus installed: run `apt-get install libaiksaurus-1.2-data` or set " + EnvThesaurus)

// Locate returns the thesaurus path to use: the flag value if given, else
// IBID_SPIN_THESAURUS, else Debian's Aiksaurus directory when it exists.
func Locate(flag string) (string, error) {
	for _, p := range []string{flag, os.Getenv(EnvThesaurus)} {
		if p != "" {
			return p, nil
		}
	}
	if _, err := os.Stat(filepath.Join(DefaultAiksaurus, "words.dat")); err == nil {
		return DefaultAiksaurus, nil
	}
	return "", ErrNoThesaurus
}

// Load reads the thesaurus at path: an Aiksaurus directory (words.dat and
// meanings.dat) or a Moby-format text file.
func Load(path string) (*Thesaurus, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("spinsim: thesaurus: %w", err)
	}
	if st.IsDir() {
		return loadAiksaurus(path)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("spinsim: thesaurus: %w", err)
	}
	defer f.Close()
	return ReadMoby(f)
}

// ReadMoby reads a Moby-format thesaurus: each line a root word followed by
// its related words, comma separated. Each line becomes one group.
func ReadMoby(r io.Reader) (*Thesaurus, error) {
	var groups [][]string
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var g []string
		for _, w := range strings.Split(sc.Text(), ",") {
			if w = strings.ToLower(strings.Join(strings.Fields(w), " ")); w != "" {
				g = append(g, w)
			}
		}
		groups = append(groups, g)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("spinsim: thesaurus: %w", err)
	}
	if len(groups) == 0 {
		return nil, errors.New("spinsim: thesaurus: empty file")
	}
	return NewThesaurus(groups), nil
}

// loadAiksaurus reads Aiksaurus's two binary files. words.dat is a run of
// entries, each a word (':' for a space) ended by a zero byte and followed
// by the big-endian 16-bit numbers of its meanings, ended by 0xFFFF.
// meanings.dat holds, for each meaning in turn, two 16-bit title word
// numbers and then the numbers of its words (words numbered in the order
// of words.dat), ended by 0xFFFF.
func loadAiksaurus(dir string) (*Thesaurus, error) {
	wb, err := os.ReadFile(filepath.Join(dir, "words.dat"))
	if err != nil {
		return nil, fmt.Errorf("spinsim: thesaurus: %w", err)
	}
	mb, err := os.ReadFile(filepath.Join(dir, "meanings.dat"))
	if err != nil {
		return nil, fmt.Errorf("spinsim: thesaurus: %w", err)
	}
	var words []string
	for len(wb) > 0 {
		z := bytes.IndexByte(wb, 0)
		if z < 0 {
			return nil, errors.New("spinsim: thesaurus: words.dat: unterminated word")
		}
		words = append(words, strings.ToLower(strings.ReplaceAll(string(wb[:z]), ":", " ")))
		wb = wb[z+1:]
		for {
			if len(wb) < 2 {
				return nil, errors.New("spinsim: thesaurus: words.dat: truncated")
			}
			v := binary.BigEndian.Uint16(wb)
			wb = wb[2:]
			if v == 0xFFFF {
				break
			}
		}
	}
	var groups [][]string
	for len(mb) > 0 {
		if len(mb) < 4 {
			return nil, errors.New("spinsim: thesaurus: meanings.dat: truncated")
		}
		mb = mb[4:] // the two title words, which are members too
		var g []string
		for {
			if len(mb) < 2 {
				return nil, errors.New("spinsim: thesaurus: meanings.dat: truncated")
			}
			v := binary.BigEndian.Uint16(mb)
			mb = mb[2:]
			if v == 0xFFFF {
				break
			}
			if int(v) >= len(words) {
				return nil, fmt.Errorf("spinsim: thesaurus: meanings.dat: word %d of %d", v, len(words))
			}
			g = append(g, words[v])
		}
		groups = append(groups, g)
	}
	return NewThesaurus(groups), nil
}
