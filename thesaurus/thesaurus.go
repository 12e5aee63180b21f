// Package thesaurus is an English thesaurus built from WordNet 3.0: the
// synonym sets (synsets) of about 147,000 lemmas, single words and
// multi-word expressions, with their parts of speech and WordNet's sense
// order, the irregular inflections, how often each lemma was tagged in
// WordNet's semantic concordance, and the counts of the word pairs of
// WordNet's glosses and examples (a small sample of ordinary English
// phrasing). The originality checker uses it to see a word swapped for a
// synonym ("wrote" and "composed"), and the spin detector to see an
// established term swapped word by word ("counterfeit consciousness" for
// "artificial intelligence").
//
// The table (wordnet.bin, about 2.9 MB) is generated from Debian's
// wordnet-base by `go generate` and embedded; it is decoded on first use.
// WordNet's licence is in WORDNET-LICENSE beside this file and is printed
// by `ibid version`.
//
// The package is pure and safe for concurrent use.
package thesaurus

//go:generate go run ./internal/gen -wordnet /usr/share/wordnet -o wordnet.bin

import (
	"bufio"
	"bytes"
	"compress/gzip"
	_ "embed"
	"encoding/binary"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/cespare/xxhash/v2"
)

//go:embed wordnet.bin
var table []byte

// License is WordNet's licence, which must accompany the table.
//
//go:embed WORDNET-LICENSE
var License string

// Synset identifies one WordNet synonym set.
type Synset int32

// Part-of-speech letters, as WordNet writes them (satellite adjectives are
// adjectives here).
const (
	Noun      = 'n'
	Verb      = 'v'
	Adjective = 'a'
	Adverb    = 'r'
)

type data struct {
	lemmas     []string // sorted
	freq       []int32
	senseStart []int32 // senses of lemma i: senses[senseStart[i]:senseStart[i+1]]
	senses     []Synset
	pos        []byte
	memStart   []int32
	members    []int32
	exc        map[string][]string
	bigrams    []uint64 // sorted
	bigramN    []uint16
	// bigramAt[k] is the index of the first bigram whose hash's top 16
	// bits are ≥ k (bigramAt[1<<16] = len(bigrams)): a lookup binary
	// searches a handful of hashes instead of all of them, which were
	// most of PairCount's cost (cache misses).
	bigramAt []int32
	tagged   []int32 // per lemma: tagged occurrences in the semantic concordance
}

var (
	once sync.Once
	db   *data
)

func load() *data {
	once.Do(func() {
		d, err := decode(table)
		if err != nil {
			// The table is embedded and tested: a broken one is a build error.
			panic(fmt.Sprintf("thesaurus: %v", err))
		}
		db = d
	})
	return db
}

func decode(b []byte) (*data, error) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	r := &reader{r: bufio.NewReaderSize(zr, 1<<16)}
	magic := make([]byte, 8)
	if _, err := io.ReadFull(r.r, magic); err != nil || string(magic) != "IBIDWN2\n" {
		return nil, fmt.Errorf("not a thesaurus table")
	}
	d := &data{exc: map[string][]string{}}
	n := r.int()
	// One backing string for every lemma: 147,000 small allocations cost
	// more memory and start-up time than one.
	var all strings.Builder
	lens := make([]int, n)
	for i := range n {
		s := r.str()
		lens[i] = len(s)
		all.WriteString(s)
	}
	big := all.String()
	d.lemmas = make([]string, n)
	at := 0
	for i, l := range lens {
		d.lemmas[i] = big[at : at+l]
		at += l
	}
	d.freq = make([]int32, n)
	d.senseStart = make([]int32, n+1)
	for i := range n {
		d.freq[i] = int32(r.int())
		k := r.int()
		for range k {
			d.senses = append(d.senses, Synset(r.int()))
		}
		d.senseStart[i+1] = int32(len(d.senses))
	}
	ns := r.int()
	d.pos = make([]byte, ns)
	d.memStart = make([]int32, ns+1)
	for i := range ns {
		d.pos[i] = r.byte()
		k := r.int()
		for range k {
			d.members = append(d.members, int32(r.int()))
		}
		d.memStart[i+1] = int32(len(d.members))
	}
	ne := r.int()
	for range ne {
		form, base := r.str(), r.str()
		d.exc[form] = append(d.exc[form], base)
	}
	nb := r.int()
	d.bigrams = make([]uint64, nb)
	d.bigramN = make([]uint16, nb)
	prev := uint64(0)
	for i := range nb {
		prev += uint64(r.int())
		d.bigrams[i] = prev
		d.bigramN[i] = uint16(min(r.int(), 65535))
	}
	d.bigramAt = make([]int32, 1<<16+1)
	for k, i := 0, 0; k <= 1<<16; k++ {
		for i < nb && d.bigrams[i]>>48 < uint64(k) {
			i++
		}
		d.bigramAt[k] = int32(i)
	}
	d.tagged = make([]int32, n)
	for i := range n {
		d.tagged[i] = int32(r.int())
	}
	if r.err != nil {
		return nil, r.err
	}
	return d, nil
}

type reader struct {
	r   *bufio.Reader
	err error
}

func (r *reader) int() int {
	v, err := binary.ReadUvarint(r.r)
	if err != nil && r.err == nil {
		r.err = err
	}
	return int(v)
}

func (r *reader) byte() byte {
	b, err := r.r.ReadByte()
	if err != nil && r.err == nil {
		r.err = err
	}
	return b
}

func (r *reader) str() string {
	n := r.int()
	if r.err != nil || n > 1<<16 {
		if r.err == nil {
			r.err = fmt.Errorf("string of %d bytes", n)
		}
		return ""
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(r.r, b); err != nil && r.err == nil {
		r.err = err
	}
	return string(b)
}

func (d *data) id(lemma string) (int, bool) {
	// A binary search over 147,000 strings per lookup adds up: the same
	// words come back check after check, so the cache remembers where each
	// was found, or that it was not (-1).
	i := ids.get(lemma, findLemma)
	return int(i), i >= 0
}

// findLemma returns the index of lemma among the lemmas, or -1.
func findLemma(lemma string) int32 {
	if i, ok := slices.BinarySearch(load().lemmas, lemma); ok {
		return int32(i)
	}
	return -1
}

// wordCache is a cache of what was computed for a word: direct-mapped (a
// slot per word by hash, a newcomer replacing the occupant), so that a hit
// is a hash and one atomic load, and its memory is bounded. 2^18 slots (2
// MB of pointers each): with 2^16, a check's words and the spin flags'
// synonyms pushed each other out, and recomputing Lemmas on those misses was
// 2.6 % of a check's CPU (1.3 % with 2^18, BenchmarkCheckCPU's profile).
type wordCache[V any] [1 << 18]atomic.Pointer[cached[V]]

type cached[V any] struct {
	word string
	v    V
}

// get returns the value cached for word, or computes it with compute,
// caches and returns it. (compute takes the word rather than capturing it,
// so that a hit allocates nothing.)
func (c *wordCache[V]) get(word string, compute func(string) V) V {
	slot := &c[xxhash.Sum64String(word)&(uint64(len(c))-1)]
	if e := slot.Load(); e != nil && e.word == word {
		return e.v
	}
	v := compute(word)
	slot.Store(&cached[V]{word: strings.Clone(word), v: v})
	return v
}

// The caches of lemma ids and of Lemmas.
var (
	ids        wordCache[int32]
	lemmaForms wordCache[[]string]
)

// Has reports whether lemma (lower case, words separated by single spaces)
// is in the thesaurus.
func Has(lemma string) bool {
	_, ok := load().id(lemma)
	return ok
}

// Senses returns the synsets of lemma in WordNet's order: nouns, verbs,
// adjectives, adverbs, each from the most frequent sense down.
func Senses(lemma string) []Synset {
	d := load()
	i, ok := d.id(lemma)
	if !ok {
		return nil
	}
	return d.senses[d.senseStart[i]:d.senseStart[i+1]]
}

// Frequency returns how often lemma was tagged in WordNet's semantic
// concordance: a rough measure of how common a word is (0 for rare words).
func Frequency(lemma string) int {
	d := load()
	i, ok := d.id(lemma)
	if !ok {
		return 0
	}
	return int(d.freq[i])
}

// Count returns how often lemma occurs, all its senses together, in
// WordNet's semantic concordance (SemCor and the other sense-tagged texts
// behind cntlist.rev): a measure of how common a word is in running
// English, finer than Frequency; 0 for a lemma never tagged or unknown.
func Count(lemma string) int {
	d := load()
	i, ok := d.id(lemma)
	if !ok {
		return 0
	}
	return int(d.tagged[i])
}

// POS returns the part of speech of a synset: Noun, Verb, Adjective or
// Adverb.
func (s Synset) POS() byte { return load().pos[s] }

// Members returns the lemmas of a synset, in WordNet's order.
func (s Synset) Members() []string {
	d := load()
	ms := d.members[d.memStart[s]:d.memStart[s+1]]
	out := make([]string, len(ms))
	for k, m := range ms {
		out[k] = d.lemmas[m]
	}
	return out
}

// Each calls fn with every lemma of the thesaurus, in sorted order.
func Each(fn func(lemma string)) {
	for _, l := range load().lemmas {
		fn(l)
	}
}

// Len returns the number of lemmas and synsets in the thesaurus.
func Len() (lemmas, synsets int) {
	d := load()
	return len(d.lemmas), len(d.pos)
}

// PairCount returns how often the words a and b (lower case) stand side by
// side in WordNet's glosses and examples; pairs seen once are not kept.
func PairCount(a, b string) int {
	d := load()
	// The hash of a+" "+b, without building that string.
	var x xxhash.Digest
	x.Reset()
	x.WriteString(a)
	x.WriteString(" ")
	x.WriteString(b)
	h := x.Sum64()
	lo, hi := d.bigramAt[h>>48], d.bigramAt[h>>48+1]
	if i, ok := slices.BinarySearch(d.bigrams[lo:hi], h); ok {
		return int(d.bigramN[int(lo)+i])
	}
	return 0
}

// Lemmas returns the base forms in the thesaurus of a lower-case word,
// after WordNet's morphology ("morphy"): the word itself when it is a
// lemma, its irregular bases ("wrote" → "write"), and what the regular
// detachment rules of each part of speech give ("melodies" → "melody",
// "composed" → "compose"). The word itself comes first. The slice is
// shared: callers must not modify it.
func Lemmas(word string) []string {
	// Each rule costs a binary search over the lemmas, and the checker and
	// the spin flags ask for the same words over and over.
	return lemmaForms.get(word, lemmas)
}

// lemmas is Lemmas without the cache.
func lemmas(word string) []string {
	d := load()
	var out []string
	add := func(s string) {
		if s == "" || slices.Contains(out, s) {
			return
		}
		if _, ok := d.id(s); ok {
			out = append(out, s)
		}
	}
	add(word)
	for _, b := range d.exc[word] {
		add(b)
	}
	for _, r := range detach {
		if strings.HasSuffix(word, r.suffix) && len(word) > len(r.suffix)+1 {
			add(word[:len(word)-len(r.suffix)] + r.ending)
		}
	}
	return out
}

// detach are WordNet's regular detachment rules, all parts of speech
// together.
var detach = []struct{ suffix, ending string }{
	{"s", ""}, {"ses", "s"}, {"xes", "x"}, {"zes", "z"}, {"ches", "ch"}, {"shes", "sh"},
	{"men", "man"}, {"ies", "y"},
	{"es", "e"}, {"es", ""}, {"ed", "e"}, {"ed", ""}, {"ing", "e"}, {"ing", ""},
	{"er", ""}, {"est", ""}, {"er", "e"}, {"est", "e"},
}
