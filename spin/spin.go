// Package spin flags text that looks machine-paraphrased ("spun") without
// needing its source. Spinning tools swap words for thesaurus synonyms one
// by one, blind to the phrases the words belong to, and so turn established
// terms into phrases no writer would choose: "artificial intelligence"
// becomes "unreal intelligence", "hard disk" becomes "difficult disk".
//
// Detect reports two kinds of evidence. Phrases: two- or three-word
// phrases that are not themselves established, where putting a WordNet
// synonym back for one word gives a multi-word noun of WordNet; each comes
// with the term it likely replaced. Score: how far the text's wording falls
// below ordinary English, measured against WordNet's glosses and tagged
// corpus, which every swap moves whether or not its synonym is WordNet's.
//
// It sees only what the thesaurus knows: most of a spinner's synonyms are
// not WordNet's, terms WordNet never lists (most technical jargon) cannot
// be restored, rewrites that change structure rather than words (LLM
// "polish") hardly move the score, and short texts are not judged. See
// docs/spin.md.
//
// The package is pure: no I/O, no storage; safe for concurrent use.
package spin

import (
	"math"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"unicode"
	"unicode/utf8"

	"github.com/cespare/xxhash/v2"
	"github.com/ibid-dev/ibid"
	"github.com/ibid-dev/ibid/text"
	"github.com/ibid-dev/ibid/thesaurus"
)

// Tuning, chosen on development data: the spin-dev originals and every
// tenth PAN13 source as human writing, the same texts spun at 50 % by a
// simulated spinner with a thesaurus other than WordNet (internal/spinsim)
// as spun writing; checked on the demo essays and on another tenth of the
// PAN13 sources, spun and not. See docs/spin.md for the figures.
var (
	// minProse is the share of function words below which a text is not
	// running English prose (a list, a table, code, another language) and
	// is never flagged: its word statistics mean nothing here.
	minProse = 0.30
	// minContent is the number of content words below which a text is too
	// short to judge.
	minContent = 40
)

// The weights of the score: a logistic regression of spun against human
// texts on three word statistics (see stats), fitted on the development
// data and rounded; the bias puts the score's 0.5 where about 1.5 % of the
// human development texts reach it.
const (
	bias           = -6.5
	wFunctionPairs = -18.6 // share of function–content word pairs seen in WordNet's glosses
	wUnder5        = 21.1  // share of content words tagged fewer than 5 times in WordNet's concordance
	wUnder20       = 14.7  // share tagged fewer than 20 times
)

// Detect finds the phrases of s that look like thesaurus substitutions of
// an established term, and scores how machine-paraphrased the text looks.
//
// The score does not rest on the phrases alone: a spinner's synonyms are
// mostly not WordNet's (of the simulated spinner's swaps, about one in
// fifteen), so most of its swaps cannot be traced back to a term. What
// every swap does leave is wording rarer than a writer's: a content word
// that no longer fits the function words around it (pairs never seen in
// WordNet's glosses and examples), and words seldom met in running English
// (rarely tagged in WordNet's semantic concordance). The score is a
// logistic of those statistics (see the weights above); texts too short or
// not prose score 0. Phrases are in text order and do not overlap.
func Detect(s string) *ibid.SpinReport {
	return DetectTokens(s, text.Tokens(s))
}

// DetectTokens is Detect for a caller that already has the tokens of s
// (text.Tokens(s)), which it only reads: the originality checker tokenises
// its text anyway, and doing it once saves a tenth of the flags' cost.
func DetectTokens(s string, toks []text.Token) *ibid.SpinReport {
	rep := &ibid.SpinReport{Phrases: []ibid.SpinPhrase{}}
	ws := words(s, toks)
	c := shared
	end := -1 // word index up to which phrases are taken
	for i := range ws {
		if i <= end {
			continue
		}
		for _, n := range []int{3, 2} {
			if i+n > len(ws) || !ws[i].content {
				continue
			}
			ph := ws[i : i+n]
			if !linked(ph) {
				continue
			}
			likely, ok := c.tortured(ph)
			if !ok {
				continue
			}
			last := ph[len(ph)-1]
			rep.Phrases = append(rep.Phrases, ibid.SpinPhrase{
				Offset: ph[0].off,
				Length: last.off + last.n - ph[0].off,
				Text:   s[ph[0].b:last.be],
				Likely: likely,
			})
			end = i + n - 1
			break
		}
	}
	st := measure(ws)
	if st.prose() {
		rep.Score = math.Round(1000/(1+math.Exp(-st.logit()))) / 1000
	}
	rep.Flagged = rep.Score >= 0.5
	return rep
}

// stats are the word statistics of a text that the score rests on.
type stats struct {
	letters, function int // words of letters only; function words among them
	fcPairs, fcSeen   int // adjacent pairs of a function and a content word; those seen in the glosses
	content           int // content words
	under5, under20   int // content words WordNet lists, tagged fewer than 5 (20) times
}

func measure(ws []word) stats {
	var st stats
	for i, w := range ws {
		if !w.alpha {
			continue
		}
		st.letters++
		if stop[w.lower] {
			st.function++
		}
		if i > 0 && w.linked && ws[i-1].alpha && w.content != ws[i-1].content {
			st.fcPairs++
			if thesaurus.PairCount(ws[i-1].lower, w.lower) > 0 {
				st.fcSeen++
			}
		}
		if w.content {
			st.content++
			n := tagged(w.lower)
			if n < 0 {
				continue // a name or jargon: WordNet says nothing of it
			}
			if n < 5 {
				st.under5++
			}
			if n < 20 {
				st.under20++
			}
		}
	}
	return st
}

// tagged returns how often the most tagged lemma of a lower-case word was
// tagged in WordNet's concordance (thesaurus.Count), or -1 when WordNet
// lists no lemma of it. It is asked for every content word of every text:
// the answers are kept in a direct-mapped cache (a slot per word by hash, a
// newcomer replacing the occupant), one lookup instead of one per lemma.
func tagged(w string) int {
	slot := &taggedCache[xxhash.Sum64String(w)&(uint64(len(taggedCache))-1)]
	if e := slot.Load(); e != nil && e.word == w {
		return e.n
	}
	n := -1
	for _, l := range thesaurus.Lemmas(w) {
		n = max(n, thesaurus.Count(l))
	}
	slot.Store(&taggedWord{word: strings.Clone(w), n: n})
	return n
}

type taggedWord struct {
	word string
	n    int
}

var taggedCache [1 << 15]atomic.Pointer[taggedWord]

// prose reports whether the text is long enough running prose to judge.
func (st stats) prose() bool {
	return st.content >= minContent && float64(st.function) >= minProse*float64(st.letters)
}

// logit is the score before the logistic: above 0, the text is flagged.
func (st stats) logit() float64 {
	fc := 0.0
	if st.fcPairs > 0 {
		fc = float64(st.fcSeen) / float64(st.fcPairs)
	}
	c := float64(st.content)
	return bias + wFunctionPairs*fc + wUnder5*float64(st.under5)/c + wUnder20*float64(st.under20)/c
}

// word is a token of the text with what the detector needs to know of it.
type word struct {
	lower   string
	off, n  int  // runes
	b, be   int  // bytes
	alpha   bool // letters only
	content bool
	linked  bool // joined to the previous word by spaces only
}

// linked reports whether ph is a phrase the detector looks at: content
// words joined by spaces, none of them a number word. (Terms with a
// function word inside, "rule of thumb", were tried: on human text they
// mostly tied ordinary phrases, "line of research", to a term.)
func linked(ph []word) bool {
	for k, w := range ph {
		if !w.content || (k > 0 && !w.linked) || numbers[w.lower] {
			return false
		}
	}
	return true
}

// numbers are number words: "five centuries" is not "five hundred" spun.
var numbers = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`two three four five six seven eight nine ten eleven twelve thirteen fourteen
		fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred
		thousand million billion first second third fourth fifth sixth seventh eighth ninth tenth dozen half`) {
		m[w] = true
	}
	return m
}()

// words tokenises s. A word is content when it is made of letters only, is
// not a function word, and is not a name (capitalised other than at the
// start of a sentence), an acronym or inside a quotation: names and quoted
// words are the writer's to keep, and no spinner is guessed behind them.
func words(s string, toks []text.Token) []word {
	out := make([]word, 0, len(toks))
	// Walk runes and bytes together to turn token rune offsets into bytes
	// and to see the characters between tokens.
	bi, ri := 0, 0
	quote := false
	sentenceStart := true
	prevEnd := -1
	for _, t := range toks {
		gapNewlines, gapOther, gapSpace := 0, false, false
		for ri < t.Offset {
			r, size := decode(s[bi:])
			switch {
			case r == '\n':
				gapNewlines++
			case r == ' ' || r == '\t' || r == '\r':
				gapSpace = true
			default:
				gapOther = true
				switch r {
				case '.', '!', '?', ':', ';':
					sentenceStart = true
				case '"', '“', '”', '«', '»':
					switch r {
					case '“', '«':
						quote = true
					case '”', '»':
						quote = false
					default:
						quote = !quote
					}
				}
			}
			bi += size
			ri++
		}
		if gapNewlines > 1 || prevEnd < 0 {
			sentenceStart = true
			quote = false // quotations do not run across paragraphs
		}
		start := bi
		for ri < t.Offset+t.Length {
			_, size := decode(s[bi:])
			bi += size
			ri++
		}
		w := word{lower: strings.ToLower(t.Text), off: t.Offset, n: t.Length, b: start, be: bi}
		w.linked = prevEnd >= 0 && !gapOther && gapNewlines <= 1 && (gapSpace || gapNewlines == 1)
		w.alpha = letters(t.Text)
		w.content = !quote && w.alpha && !stop[w.lower] && len(w.lower) > 2 &&
			(sentenceStart || !unicode.IsUpper(firstRune(t.Text))) && !allUpper(t.Text)
		out = append(out, w)
		sentenceStart = false
		prevEnd = t.Offset + t.Length
	}
	return out
}

// cache holds the synonyms of the words already seen.
//
// One cache serves every check: a word's synonyms never change, and the
// words of English texts repeat, so most lookups hit. It is cleared when it
// grows past maxCached words, which bounds its memory (a few MB).
type cache struct {
	mu   sync.RWMutex
	alts map[synKey][]string
}

// synKey is a word and whether it is the head of its phrase.
type synKey struct {
	w    string
	head bool
}

var shared = &cache{alts: map[synKey][]string{}}

const maxCached = 100_000

// tortured reports whether the phrase ph looks like an established term
// with words swapped for synonyms, and which term.
func (c *cache) tortured(ph []word) (string, bool) {
	obs := make([]string, len(ph))
	for k, w := range ph {
		obs[k] = w.lower
	}
	if !mayBeTerm(obs) {
		return "", false
	}
	if established(obs) {
		return "", false
	}
	// The last word is the head: its lemmas stand for its inflections.
	heads := thesaurus.Lemmas(obs[len(obs)-1])
	for _, h := range heads {
		o := append(append([]string(nil), obs[:len(obs)-1]...), h)
		if established(o) {
			return "", false
		}
	}
	// cur is the phrase in base forms, alts the synonyms of each word.
	var curBuf [3]string
	var altsBuf [3][]string
	cur, alts := curBuf[:len(ph)], altsBuf[:len(ph)]
	for k := range ph {
		head := k == len(ph)-1
		cur[k] = obs[k]
		if head && len(heads) > 0 {
			cur[k] = heads[0]
		}
		alts[k] = c.synonyms(obs[k], head)
	}
	// One word swapped back: a spinner changes about half of the words, so
	// a two-word term keeps one of its words as often as it loses both, and
	// letting both change ties too many human phrases to some term. The
	// first term found is the one reported.
	for k := range alts {
		if len(alts[k]) == 0 {
			continue
		}
		// The word's base forms, for every synonym's test (the head's
		// are heads).
		lb := heads
		if k < len(ph)-1 {
			lb = thesaurus.Lemmas(obs[k])
		}
		for _, alt := range alts[k] {
			if related(alt, obs[k], lb) {
				continue
			}
			orig := cur[k]
			cur[k] = alt
			if term(cur) {
				return strings.Join(cur, " "), true
			}
			cur[k] = orig
		}
	}
	return "", false
}

// termWords holds, for terms of 2 and 3 words, the words found at each
// place of a multi-word noun of WordNet: termWords[n-2][k] are the k-th
// words of the n-word ones.
//
// multiWord holds the hash of every lemma of the thesaurus with a space in
// it: a phrase whose hash is not there is no lemma, which spares most
// phrases and their swapped variants a lookup among all the lemmas (the
// lookups of phrases were two thirds of the spin flags' cost, and they
// pushed the words out of the thesaurus's cache). A phrase whose hash is
// there is still looked up, so a collision changes nothing.
var (
	termWordsOnce sync.Once
	termWords     [2][3]map[string]bool
	multiWord     map[uint64]struct{}
)

// loadTermWords fills termWords and multiWord on first use.
func loadTermWords() {
	termWordsOnce.Do(func() {
		for i := range termWords {
			for k := range termWords[i] {
				termWords[i][k] = map[string]bool{}
			}
		}
		multiWord = map[uint64]struct{}{}
		thesaurus.Each(func(l string) {
			if !strings.Contains(l, " ") {
				return
			}
			multiWord[xxhash.Sum64String(l)] = struct{}{}
			ws := strings.Split(l, " ")
			if len(ws) < 2 || len(ws) > 3 {
				return
			}
			noun := false
			for _, s := range thesaurus.Senses(l) {
				if s.POS() == thesaurus.Noun {
					noun = true
					break
				}
			}
			if !noun {
				return
			}
			for k, w := range ws {
				termWords[len(ws)-2][k][w] = true
			}
		})
	})
}

// mayBeLemma reports whether the words ws joined by spaces may be a lemma
// of the thesaurus: false means surely not; true, look it up.
func mayBeLemma(ws []string) bool {
	if len(ws) < 2 {
		return true
	}
	loadTermWords()
	var d xxhash.Digest
	d.Reset()
	for k, w := range ws {
		if k > 0 {
			d.WriteString(" ")
		}
		d.WriteString(w)
	}
	_, ok := multiWord[d.Sum64()]
	return ok
}

// mayBeTerm reports whether a phrase could become a term with one word
// swapped back: every other word must stand at its place in some term (the
// head also as one of its lemmas). Most phrases fail at once, which spares
// the synonym lookups (it is most of a check's spin cost).
func mayBeTerm(obs []string) bool {
	n := len(obs)
	if n < 2 || n > 3 {
		return false
	}
	loadTermWords()
	at := termWords[n-2]
	fits := func(k int) bool {
		if at[k][obs[k]] {
			return true
		}
		if k == n-1 {
			for _, l := range thesaurus.Lemmas(obs[k]) {
				if at[k][l] {
					return true
				}
			}
		}
		return false
	}
	misfits := 0
	for k := range obs {
		if !fits(k) {
			misfits++
		}
	}
	// One word may be swapped: at most one misfit.
	return misfits <= 1
}

// maxRank is how many of a term word's senses (of one part of speech) may
// be the one it shares with the word in the text: 1, its first sense only.
// The rarer senses of common words ("climate" as "mood", "language" as
// "speech") would tie ordinary phrases ("mood change", "natural speech")
// to a term.
var maxRank = 1

// synonyms returns the single-word synonyms t of a word w that a spinner
// may have replaced by w: t shares a synset with w that is among t's first
// maxRank senses, a noun synset for the head of a phrase, a noun or
// adjective synset for a modifier.
func (c *cache) synonyms(w string, head bool) []string {
	key := synKey{w, head}
	c.mu.RLock()
	a, ok := c.alts[key]
	c.mu.RUnlock()
	if ok {
		return a
	}
	var out []string
	seen := map[string]bool{w: true}
	lemmas := thesaurus.Lemmas(w)
	for _, l := range lemmas {
		seen[l] = true
	}
	for _, l := range lemmas {
		for _, s := range thesaurus.Senses(l) {
			p := s.POS()
			if p != thesaurus.Noun && (head || p != thesaurus.Adjective) {
				continue
			}
			for _, m := range s.Members() {
				if seen[m] || strings.ContainsAny(m, " -'.") || !letters(m) {
					continue
				}
				if r := rank(m, s); r >= 0 && r < maxRank {
					seen[m] = true
					out = append(out, m)
				}
			}
		}
	}
	c.mu.Lock()
	if len(c.alts) >= maxCached {
		clear(c.alts)
	}
	c.alts[key] = out
	c.mu.Unlock()
	return out
}

// rank returns the position of synset s among the senses of lemma that
// have its part of speech, or -1.
func rank(lemma string, s thesaurus.Synset) int {
	p, n := s.POS(), 0
	for _, x := range thesaurus.Senses(lemma) {
		if x == s {
			return n
		}
		if x.POS() == p {
			n++
		}
	}
	return -1
}

// established reports whether a phrase is in common use: a WordNet lemma,
// or seen in WordNet's glosses.
func established(ws []string) bool {
	if mayBeLemma(ws) && thesaurus.Has(strings.Join(ws, " ")) {
		return true
	}
	return len(ws) == 2 && thesaurus.PairCount(ws[0], ws[1]) > 0
}

// term reports whether a phrase is an established term a spinner could
// have broken: a multi-word noun of WordNet. (Word pairs common in the
// glosses were tried as terms too; on human text they tie too many
// ordinary variations, "modest amount" for "small amount", to a term.)
func term(ws []string) bool {
	if !mayBeLemma(ws) {
		return false
	}
	ss := thesaurus.Senses(strings.Join(ws, " "))
	return len(ss) > 0 && ss[0].POS() == thesaurus.Noun
}

// related reports whether two words are spellings or forms of one word
// ("program" and "programme", "lingual" and "linguistic", "paid" and
// "paying"): writers vary those freely, spinners are not needed for it. lb
// are b's base forms, thesaurus.Lemmas(b) (asked for once per word, not
// once per synonym).
func related(a, b string, lb []string) bool {
	// The common prefix in runes, decoded in place (it runs for every
	// synonym of every phrase looked at).
	n, x, y := 0, a, b
	for x != "" && y != "" {
		rx, sx := utf8.DecodeRuneInString(x)
		ry, sy := utf8.DecodeRuneInString(y)
		if rx != ry {
			break
		}
		x, y = x[sx:], y[sy:]
		n++
	}
	if n >= 4 || x == "" || y == "" {
		return true
	}
	la := thesaurus.Lemmas(a)
	for _, l := range lb {
		if slices.Contains(la, l) {
			return true
		}
	}
	return false
}

func decode(s string) (rune, int) {
	r, size := utf8.DecodeRuneInString(s)
	return r, max(size, 1)
}

func letters(s string) bool {
	for _, r := range s {
		if !unicode.IsLetter(r) {
			return false
		}
	}
	return s != ""
}

func firstRune(s string) rune {
	for _, r := range s {
		return r
	}
	return 0
}

func allUpper(s string) bool {
	n := 0
	for _, r := range s {
		if unicode.IsLower(r) {
			return false
		}
		n++
	}
	return n > 1
}

// stop are English function words: spinners leave them alone, and phrases
// are made of the words around them.
var stop = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`a about above across after again against all almost along already also although
		always am among an and another any anyone anything are around as at be because been before being below
		between both but by can cannot could did do does doing done down during each either else enough even ever
		every few for from further had has have having he her here hers herself him himself his how however i if in
		into is it its itself just least less many may me might more most much must my myself neither no nor not
		now of off often on once one only onto or other others otherwise our ours ourselves out over own per quite
		rather same several shall she should since so some such than that the their theirs them themselves then
		there these they this those though through thus to too toward towards under unless until up upon us very
		via was we were what whatever when where whether which while who whom whose why will with within without
		would yet you your yours yourself yourselves`) {
		m[w] = true
	}
	return m
}()
