// Command gen builds the thesaurus table, thesaurus/wordnet.bin, from the
// WordNet 3.0 database files (Debian's wordnet-base installs them in
// /usr/share/wordnet). It runs from go generate in package thesaurus; the
// table it writes is committed, so that building ibid needs no WordNet.
//
// The table is a gzip stream of unsigned varints and length-prefixed
// strings, in sections:
//
//	"IBIDWN1\n"
//	lemmas:     n, then n sorted strings (lower case, words joined by spaces)
//	per lemma:  tagged-sense frequency, number of senses, synset ids in
//	            WordNet's sense order (nouns, verbs, adjectives, adverbs)
//	synsets:    n, then per synset its part of speech (one byte: n v a r)
//	            and its member lemma ids
//	exceptions: n, then pairs of strings (inflected form, base form)
//	bigrams:    n, then the sorted 64-bit hashes of the word pairs of
//	            WordNet's glosses and examples found at least twice, as
//	            deltas, each followed by its count
//	counts:     per lemma, in lemma order, how often its senses were tagged
//	            in the semantic concordance (cntlist.rev, summed)
package main

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/cespare/xxhash/v2"
)

func main() {
	dir := flag.String("wordnet", "/usr/share/wordnet", "folder of the WordNet 3.0 database files")
	out := flag.String("o", "wordnet.bin", "the table to write")
	flag.Parse()
	if err := run(*dir, *out); err != nil {
		log.Fatalf("gen: %v (install Debian's wordnet-base, or give -wordnet)", err)
	}
}

type synset struct {
	pos     byte
	members []string
}

var posNames = []struct {
	file string
	pos  byte
}{{"noun", 'n'}, {"verb", 'v'}, {"adj", 'a'}, {"adv", 'r'}}

func run(dir, out string) error {
	synsets := map[string]int{} // "pos offset" -> id
	var sets []synset
	bigrams := map[uint64]int{}
	for _, p := range posNames {
		f, err := os.Open(filepath.Join(dir, "data."+p.file))
		if err != nil {
			return err
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			if strings.HasPrefix(line, "  ") {
				continue // licence header
			}
			body, gloss, _ := strings.Cut(line, " | ")
			fs := strings.Fields(body)
			if len(fs) < 4 {
				return fmt.Errorf("data.%s: short line %q", p.file, line)
			}
			n, err := strconv.ParseInt(fs[3], 16, 32)
			if err != nil || len(fs) < 4+2*int(n) {
				return fmt.Errorf("data.%s: bad word count in %q", p.file, line)
			}
			s := synset{pos: p.pos}
			for k := 0; k < int(n); k++ {
				w := lemmaName(fs[4+2*k])
				if !slices.Contains(s.members, w) {
					s.members = append(s.members, w)
				}
			}
			synsets[string(p.pos)+" "+fs[0]] = len(sets)
			sets = append(sets, s)
			countBigrams(gloss, bigrams)
		}
		f.Close()
		if err := sc.Err(); err != nil {
			return err
		}
	}
	// senses of each lemma in sense order, from the index files
	senses := map[string][]int{}
	freq := map[string]int{}
	for _, p := range posNames {
		f, err := os.Open(filepath.Join(dir, "index."+p.file))
		if err != nil {
			return err
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			if strings.HasPrefix(line, "  ") {
				continue
			}
			fs := strings.Fields(line)
			// lemma pos synset_cnt p_cnt [ptr...] sense_cnt tagsense_cnt offsets...
			if len(fs) < 6 {
				return fmt.Errorf("index.%s: short line %q", p.file, line)
			}
			pc, _ := strconv.Atoi(fs[3])
			at := 4 + pc
			if len(fs) < at+2 {
				return fmt.Errorf("index.%s: bad line %q", p.file, line)
			}
			tagged, _ := strconv.Atoi(fs[at+1])
			w := lemmaName(fs[0])
			freq[w] += tagged
			for _, off := range fs[at+2:] {
				id, ok := synsets[string(p.pos)+" "+off]
				if !ok {
					return fmt.Errorf("index.%s: %s names unknown synset %s", p.file, fs[0], off)
				}
				senses[w] = append(senses[w], id)
			}
		}
		f.Close()
		if err := sc.Err(); err != nil {
			return err
		}
	}
	lemmas := make([]string, 0, len(senses))
	for w := range senses {
		lemmas = append(lemmas, w)
	}
	slices.Sort(lemmas)
	ids := make(map[string]int, len(lemmas))
	for i, w := range lemmas {
		ids[w] = i
	}
	var exc [][2]string
	for _, p := range posNames {
		b, err := os.ReadFile(filepath.Join(dir, p.file+".exc"))
		if err != nil {
			return err
		}
		for _, line := range strings.Split(string(b), "\n") {
			fs := strings.Fields(line)
			if len(fs) < 2 {
				continue
			}
			for _, base := range fs[1:] {
				if _, ok := ids[lemmaName(base)]; ok {
					exc = append(exc, [2]string{lemmaName(fs[0]), lemmaName(base)})
				}
			}
		}
	}
	tagged, err := tagCounts(filepath.Join(dir, "cntlist.rev"))
	if err != nil {
		return err
	}
	slices.SortFunc(exc, func(a, b [2]string) int { return strings.Compare(a[0]+"\x00"+a[1], b[0]+"\x00"+b[1]) })
	exc = slices.Compact(exc)

	f, err := os.Create(out)
	if err != nil {
		return err
	}
	zw, _ := gzip.NewWriterLevel(f, gzip.BestCompression)
	w := &writer{w: bufio.NewWriter(zw)}
	w.w.WriteString("IBIDWN2\n")
	w.uint(uint64(len(lemmas)))
	for _, l := range lemmas {
		w.str(l)
	}
	for _, l := range lemmas {
		w.uint(uint64(freq[l]))
		w.uint(uint64(len(senses[l])))
		for _, s := range senses[l] {
			w.uint(uint64(s))
		}
	}
	w.uint(uint64(len(sets)))
	for _, s := range sets {
		w.w.WriteByte(s.pos)
		w.uint(uint64(len(s.members)))
		for _, m := range s.members {
			id, ok := ids[m]
			if !ok {
				return fmt.Errorf("synset member %q has no index entry", m)
			}
			w.uint(uint64(id))
		}
	}
	w.uint(uint64(len(exc)))
	for _, e := range exc {
		w.str(e[0])
		w.str(e[1])
	}
	var hs []uint64
	for h, n := range bigrams {
		if n >= 2 {
			hs = append(hs, h)
		}
	}
	slices.Sort(hs)
	w.uint(uint64(len(hs)))
	prev := uint64(0)
	for _, h := range hs {
		w.uint(h - prev)
		w.uint(uint64(bigrams[h]))
		prev = h
	}
	for _, l := range lemmas {
		w.uint(uint64(tagged[l]))
	}
	if w.err != nil {
		return w.err
	}
	if err := w.w.Flush(); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	log.Printf("%d lemmas, %d synsets, %d exceptions, %d gloss bigrams -> %s", len(lemmas), len(sets), len(exc), len(hs), out)
	return nil
}

// tagCounts sums the tag counts of cntlist.rev ("sense_key sense_number
// tag_cnt" a line) by lemma: how often the lemma was tagged in the
// semantic concordance, all senses together.
func tagCounts(path string) (map[string]int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	counts := map[string]int{}
	for _, line := range strings.Split(string(b), "\n") {
		fs := strings.Fields(line)
		if len(fs) < 3 {
			continue
		}
		key, _, ok := strings.Cut(fs[0], "%")
		n, err := strconv.Atoi(fs[2])
		if !ok || err != nil {
			return nil, fmt.Errorf("cntlist.rev: bad line %q", line)
		}
		counts[lemmaName(key)] += n
	}
	return counts, nil
}

// lemmaName turns WordNet's spelling of a lemma ("Artificial_Intelligence",
// "galore(ip)") into the table's: lower case, words joined by spaces.
func lemmaName(s string) string {
	if i := strings.IndexByte(s, '('); i > 0 {
		s = s[:i]
	}
	return strings.ToLower(strings.ReplaceAll(s, "_", " "))
}

// countBigrams counts the pairs of adjacent words in a gloss and its
// examples, lower-cased, within one clause. The hash is the one the
// thesaurus package looks pairs up with.
func countBigrams(gloss string, counts map[uint64]int) {
	prev := ""
	word := strings.Builder{}
	flush := func(boundary bool) {
		if word.Len() > 0 {
			w := word.String()
			if prev != "" {
				counts[xxhash.Sum64String(prev+" "+w)]++
			}
			prev = w
			word.Reset()
		}
		if boundary {
			prev = ""
		}
	}
	for _, r := range strings.ToLower(gloss) {
		switch {
		case unicode.IsLetter(r) || r == '\'' || r == '-':
			word.WriteRune(r)
		case r == ' ':
			flush(false)
		default:
			flush(true)
		}
	}
	flush(true)
}

type writer struct {
	w   *bufio.Writer
	err error
	buf [binary.MaxVarintLen64]byte
}

func (w *writer) uint(v uint64) {
	n := binary.PutUvarint(w.buf[:], v)
	if _, err := w.w.Write(w.buf[:n]); err != nil && w.err == nil {
		w.err = err
	}
}

func (w *writer) str(s string) {
	w.uint(uint64(len(s)))
	if _, err := w.w.WriteString(s); err != nil && w.err == nil {
		w.err = err
	}
}
