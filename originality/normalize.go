package originality

import (
	"math/bits"
	"strings"
	"sync"
	"sync/atomic"
	"unicode"
	"unicode/utf8"

	"github.com/cespare/xxhash/v2"
	"github.com/ibid-dev/ibid/text"
	"github.com/kljensen/snowball/english"
	"golang.org/x/text/unicode/norm"
)

// word is one normalised word of a text. It holds no pointer, so that the
// garbage collector never scans the words of a text: a library keeps the
// prepared texts of its recent candidates (up to 256 MB), and scanning
// their words at every cycle was most of the collector's work in a check.
type word struct {
	off, end int    // rune range in the text
	tail     int    // end of the word with the punctuation right after it ("end." or "word,”")
	norm     uint64 // hash of the lower-cased, folded word
	stem     uint64 // hash of its stem
	stop     bool   // a stop word: kept for verbatim runs, not for sentence vectors
	// syn is 1 + the index in its text's syns of its synonyms; 0 for stop
	// words and words without any.
	syn int32
}

// sentence is a run of words [first, last) of a prepared text.
type sentence struct {
	first, last int // word indexes
	start, end  int // rune range, trailing punctuation included
}

// prepared is a text made ready for alignment and fingerprinting.
type prepared struct {
	words []word
	sents []sentence
	syns  []*synInfo // of the words that have synonyms (word.syn)

	// what alignments need of this text alone, made on first use
	bagOnce sync.Once
	bagv    *termBag
	triOnce sync.Once
	triv    *trigramIndex
}

// wordInfo is the cached normalisation of one spelling of a word.
type wordInfo struct {
	norm, stem uint64
	stop       bool
	syn        *synInfo // filled by normalizeWordSyn only
}

// The cache of word normalisations. Stemming dominates preparation time and
// a language has few distinct spellings, so the cache is shared by every
// goroutine. It is direct-mapped: a spelling has one slot, chosen by its
// hash, and a spelling that lands on a taken slot replaces the one there.
// So a lookup is a hash and one atomic load, and a stream of garbage
// uploads cannot grow the cache past its slots.
//
// A word's synonyms are looked up the first time they are asked for, not
// with its stem: fingerprints need none, and an import fingerprints every
// word of its essays while it aligns few of them (the thesaurus look-ups
// were a sixth of an import's fingerprinting).
//
// A spelling of up to inlineLen bytes (nearly every word) is kept inside
// its entry, so that a hit reads two places in memory (the slot and the
// entry), not three (and the cache makes no separate copy of it).
type cachedWord struct {
	n     uint8           // the length of the spelling kept in short; 0: in long
	short [inlineLen]byte // the spelling, when short
	long  string          // the spelling, when long
	info  wordInfo        // without syn
	// syn is the word's synonyms once looked up: noSynonyms for none,
	// nil while not looked up. Goroutines that look them up at once
	// find the same.
	syn atomic.Pointer[synInfo]
}

// inlineLen is the longest spelling kept inside a cache entry: the length
// and the spelling fill 24 bytes.
const inlineLen = 23

// is reports whether c is the entry of spelling s.
func (c *cachedWord) is(s string) bool {
	if c.n > 0 {
		return int(c.n) == len(s) && string(c.short[:c.n]) == s // no allocation
	}
	return c.long == s
}

// noSynonyms marks a word looked up in the thesaurus without result.
var noSynonyms = new(synInfo)

const cacheSlots = 1 << 20

var wordCache [cacheSlots]atomic.Pointer[cachedWord]

// normalizeWord returns the normalisation of s without its synonyms
// (info.syn is nil).
func normalizeWord(s string) wordInfo {
	return cachedNormal(s).info
}

// normalizeWordSyn returns the normalisation of s with its synonyms.
func normalizeWordSyn(s string) wordInfo {
	c := cachedNormal(s)
	info := c.info
	if info.stop {
		return info // stop words are not looked up
	}
	syn := c.syn.Load()
	if syn == nil {
		if syn = lookupSynonyms(foldWord(s)); syn == nil {
			syn = noSynonyms
		}
		c.syn.Store(syn)
	}
	if syn != noSynonyms {
		info.syn = syn
	}
	return info
}

// cachedNormal returns the cache entry of s, made if need be.
func cachedNormal(s string) *cachedWord {
	slot := &wordCache[slotHash(s)&(cacheSlots-1)]
	if c := slot.Load(); c != nil && c.is(s) {
		return c
	}
	c := &cachedWord{}
	if len(s) > 0 && len(s) <= inlineLen {
		c.n = uint8(copy(c.short[:], s))
	} else {
		// A copy, so that the cache does not keep the whole text s
		// came from.
		c.long = strings.Clone(s)
	}
	if w := foldWord(s); w != s && foldWord(w) == w {
		// "The" is "the": the folded spelling's entry (made if need
		// be) has the normalisation, and the stemmer, most of the cost
		// of a new spelling, runs once for all the spellings of a word.
		// (Only when the folded spelling folds to itself, as it does
		// but for odd Unicode, is its entry the normalisation of w.)
		c.info = cachedNormal(w).info
	} else {
		c.info = normalFolded(w)
	}
	slot.Store(c)
	return c
}

// normalFolded returns the normalisation of a folded word (foldWord).
func normalFolded(w string) wordInfo {
	info := wordInfo{norm: xxhash.Sum64String(w)}
	info.stop = english.IsStopWord(w)
	if info.stop {
		info.stem = info.norm
	} else {
		info.stem = xxhash.Sum64String(english.Stem(w, false))
	}
	return info
}

// slotHash hashes a spelling to choose its cache slot. Any hash would do
// (an entry is checked against the spelling itself); this one is inlined
// for words of up to 16 bytes, as nearly all are, where xxhash was a call
// per word of every text. Two overlapping loads cover any length from 4
// to 16 bytes; the length is mixed in, so that they tell lengths apart.
func slotHash(s string) uint64 {
	n := len(s)
	var a, b uint64
	switch {
	case n > 16:
		return xxhash.Sum64String(s)
	case n >= 8:
		a, b = load64(s), load64(s[n-8:])
	case n >= 4:
		a, b = uint64(load32(s)), uint64(load32(s[n-4:]))
	case n > 0:
		a, b = uint64(s[0])<<16|uint64(s[n>>1])<<8|uint64(s[n-1]), 0
	}
	hi, lo := bits.Mul64(a^0xa0761d6478bd642f, b^0xe7037ed1a0b428db^uint64(n))
	return hi ^ lo
}

func load64(s string) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

func load32(s string) uint32 {
	_ = s[3]
	return uint32(s[0]) | uint32(s[1])<<8 | uint32(s[2])<<16 | uint32(s[3])<<24
}

// foldWord lower-cases a word, composes it (NFC) and turns typographic
// apostrophes into ASCII ones, so that "Don’t" and "don't" are one word.
func foldWord(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return strings.ToLower(s)
	}
	s = norm.NFC.String(s)
	return strings.Map(func(r rune) rune {
		switch r {
		case '’', 'ʼ', '‘':
			return '\''
		}
		return unicode.ToLower(r)
	}, s)
}

// prepare tokenizes and normalises s. Words inside the excluded rune ranges
// (sorted, non-overlapping) are left out, so nothing can match them.
func prepare(s string, excluded []span) *prepared {
	return prepareTokens(s, text.Tokens(s), excluded)
}

// prepareTokens is prepare with the tokens of s (text.Tokens(s)) given.
func prepareTokens(s string, toks []text.Token, excluded []span) *prepared {
	p := &prepared{words: make([]word, 0, len(toks))}
	ex := 0
	for _, t := range toks {
		for ex < len(excluded) && excluded[ex].end <= t.Offset {
			ex++
		}
		if ex < len(excluded) && excluded[ex].start < t.Offset+t.Length {
			continue
		}
		info := normalizeWordSyn(t.Text)
		w := word{off: t.Offset, end: t.Offset + t.Length, norm: info.norm, stem: info.stem, stop: info.stop}
		if info.syn != nil {
			p.syns = append(p.syns, info.syn)
			w.syn = int32(len(p.syns))
		}
		p.words = append(p.words, w)
	}
	p.sents = sentences(s, p.words)
	return p
}

// synOf returns the synonyms of w, a word of p, or nil.
func (p *prepared) synOf(w word) *synInfo {
	if w.syn == 0 {
		return nil
	}
	return p.syns[w.syn-1]
}

// span is a half-open rune range.
type span struct{ start, end int }

// sentences cuts words into sentences at terminal punctuation (. ! ? and
// their relatives) and at blank lines, then joins sentences of fewer than
// three content words to the next one: such fragments carry too little to
// be compared on their own.
func sentences(s string, words []word) []sentence {
	if len(words) == 0 {
		return nil
	}
	var raw []sentence
	cur := sentence{first: 0, start: words[0].off}
	// Walk the runes once, keeping the rune index in step with the words.
	pos, bi := 0, 0
	advance := func(to int) {
		for pos < to && bi < len(s) {
			_, n := utf8.DecodeRuneInString(s[bi:])
			bi += n
			pos++
		}
	}
	for i := range words {
		advance(words[i].end)
		// Scan the gap up to the next word (or the end of the text).
		next := -1
		if i+1 < len(words) {
			next = words[i+1].off
		}
		end := words[i].end
		trailing := true
		terminal := false
		newlines := 0
		for bi < len(s) && (next < 0 || pos < next) {
			r, n := utf8.DecodeRuneInString(s[bi:])
			switch {
			case r == '\n':
				newlines++
				trailing = false
			case unicode.IsSpace(r):
				trailing = false
			default:
				if isTerminal(r) {
					terminal = true
				}
				if trailing {
					end = pos + 1
				}
			}
			bi += n
			pos++
		}
		words[i].tail = end
		if terminal && isAbbreviation(s, words[i]) && newlines < 2 {
			terminal = false
		}
		if next < 0 || terminal || newlines >= 2 {
			cur.last = i + 1
			cur.end = end
			raw = append(raw, cur)
			if next >= 0 {
				cur = sentence{first: i + 1, start: next}
			}
		}
	}
	// Join short sentences to the next.
	out := raw[:0:0]
	var pend *sentence
	for k := range raw {
		sn := raw[k]
		if pend != nil {
			sn.first, sn.start = pend.first, pend.start
			pend = nil
		}
		if contentWords(words[sn.first:sn.last]) < 3 && k+1 < len(raw) {
			c := sn
			pend = &c
			continue
		}
		out = append(out, sn)
	}
	return out
}

func contentWords(ws []word) int {
	n := 0
	for _, w := range ws {
		if !w.stop {
			n++
		}
	}
	return n
}

func isTerminal(r rune) bool {
	switch r {
	case '.', '!', '?', '…', '。', '！', '？', ';':
		return true
	}
	return false
}

// isAbbreviation reports whether w, followed by a full stop, is more likely
// an abbreviation or initial than the end of a sentence: a single letter
// ("J. Smith") or a common title.
func isAbbreviation(s string, w word) bool {
	if w.end-w.off == 1 {
		return true
	}
	if w.end-w.off > 4 {
		return false
	}
	switch w.norm {
	case hMr, hMrs, hMs, hDr, hSt, hVs, hEtc, hProf, hNo, hEg, hIe:
		return true
	}
	return false
}

var (
	hMr   = xxhash.Sum64String("mr")
	hMrs  = xxhash.Sum64String("mrs")
	hMs   = xxhash.Sum64String("ms")
	hDr   = xxhash.Sum64String("dr")
	hSt   = xxhash.Sum64String("st")
	hVs   = xxhash.Sum64String("vs")
	hEtc  = xxhash.Sum64String("etc")
	hProf = xxhash.Sum64String("prof")
	hNo   = xxhash.Sum64String("no")
	hEg   = xxhash.Sum64String("e.g")
	hIe   = xxhash.Sum64String("i.e")
)
