package spinsim

import (
	"hash/fnv"
	"math/rand/v2"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Spinner swaps content words for synonyms from a thesaurus. The same seed,
// text and rate always give the same output.
type Spinner struct {
	th   *Thesaurus
	seed uint64
	// Function is the share (0–1) of the function words of a small
	// hand-made list ("because" → "since", "many" → "numerous", "use" →
	// "utilize") swapped as well, as real spinners do; 0 by default, so
	// that the rate is the content words' alone.
	Function float64
}

// New returns a spinner over th with the given seed.
func New(th *Thesaurus, seed uint64) *Spinner { return &Spinner{th: th, seed: seed} }

// Swap is one substitution in a spun text.
type Swap struct {
	Offset int    `json:"offset"` // rune offset of the new word in the spun text
	Length int    `json:"length"` // its length in runes
	From   string `json:"from"`   // the word replaced, as written
	To     string `json:"to"`     // the word put in its place, as written
	// Function marks a function word's swap (see Spinner.Function).
	Function bool `json:"function,omitempty"`
}

// Result is a spun text with what was done to it.
type Result struct {
	Text      string `json:"text"`
	Content   int    `json:"content"`   // content words in the original
	Swappable int    `json:"swappable"` // of those, words the thesaurus has a synonym for
	Swaps     []Swap `json:"swaps"`
}

// Rate returns the share of content words that were swapped.
func (r Result) Rate() float64 {
	if r.Content == 0 {
		return 0
	}
	n := 0
	for _, sw := range r.Swaps {
		if !sw.Function {
			n++
		}
	}
	return float64(n) / float64(r.Content)
}

// token is a word of the original text.
type token struct {
	start, end int // byte offsets
	word       string
	content    bool
	cands      []Candidate
	form       form
	caps       bool // first letter upper case (sentence start)
	function   bool // a function word with cands from functionSwaps
}

// Spin swaps rate (0–1) of the content words of text for synonyms: a
// random choice, seeded by the spinner's seed and the text, of
// round(rate × content words) among the words the thesaurus has a synonym
// for (all of those when there are fewer). Content words are words of three
// letters or more that are not function words, numbers, acronyms or proper
// names (a capitalised word inside a sentence, or one that appears so
// elsewhere in the text). Inflection is kept where a crude rule can: plural
// and third-person -s, -ed and -ing are taken off, the synonym looked up,
// and the ending put back on it.
func (s *Spinner) Spin(text string, rate float64) Result {
	toks := s.tokens(text)
	res := Result{}
	var swappable []int
	for i := range toks {
		t := &toks[i]
		if !t.content {
			continue
		}
		res.Content++
		if len(t.cands) > 0 {
			swappable = append(swappable, i)
		}
	}
	res.Swappable = len(swappable)
	h := fnv.New64a()
	h.Write([]byte(text))
	rng := rand.New(rand.NewPCG(s.seed, h.Sum64()))
	want := int(rate*float64(res.Content) + 0.5)
	if want > len(swappable) {
		want = len(swappable)
	}
	rng.Shuffle(len(swappable), func(i, j int) { swappable[i], swappable[j] = swappable[j], swappable[i] })
	chosen := swappable[:want]
	if s.Function > 0 {
		var fn []int
		for i, t := range toks {
			if t.function {
				fn = append(fn, i)
			}
		}
		rng.Shuffle(len(fn), func(i, j int) { fn[i], fn[j] = fn[j], fn[i] })
		chosen = append(chosen, fn[:int(s.Function*float64(len(fn))+0.5)]...)
	}
	sort.Ints(chosen)

	var b strings.Builder
	b.Grow(len(text) + len(text)/8)
	last, runes := 0, 0
	for _, i := range chosen {
		t := toks[i]
		b.WriteString(text[last:t.start])
		runes += utf8.RuneCountInString(text[last:t.start])
		to := inflect(pick(rng, t.cands), t.form)
		if t.caps {
			to = strings.ToUpper(to[:1]) + to[1:]
		}
		n := utf8.RuneCountInString(to)
		res.Swaps = append(res.Swaps, Swap{Offset: runes, Length: n, From: text[t.start:t.end], To: to, Function: t.function})
		b.WriteString(to)
		runes += n
		last = t.end
	}
	b.WriteString(text[last:])
	res.Text = b.String()
	return res
}

// pick draws a candidate, weighting each by the cube of the groups it
// shares with the word: a spinner's list puts the closest synonyms first,
// but loose ones ("game" → "acreage") come up too, as in real spin.
func pick(rng *rand.Rand, cands []Candidate) string {
	total := 0
	for _, c := range cands {
		total += c.Shared * c.Shared * c.Shared
	}
	r := rng.IntN(total)
	for _, c := range cands {
		r -= c.Shared * c.Shared * c.Shared
		if r < 0 {
			return c.Word
		}
	}
	return cands[len(cands)-1].Word
}

// tokens finds the words of text and decides which are content words and
// what they may be swapped for.
func (s *Spinner) tokens(text string) []token {
	var toks []token
	midCaps := map[string]bool{} // lower-case forms seen capitalised inside a sentence
	sentenceStart := true
	for i := 0; i < len(text); {
		r, n := utf8.DecodeRuneInString(text[i:])
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			switch {
			case r == '.' || r == '!' || r == '?' || r == '\n' || r == ':' || r == '#':
				sentenceStart = true
			case r == '"' || r == '\'' || r == '(' || r == '“' || r == '‘' || r == '*' || r == '-' || unicode.IsSpace(r):
				// keeps the sentence start
			default:
				sentenceStart = false
			}
			i += n
			continue
		}
		j := i
		for j < len(text) {
			r, n := utf8.DecodeRuneInString(text[j:])
			if unicode.IsLetter(r) || unicode.IsDigit(r) {
				j += n
				continue
			}
			// A word goes on through an apostrophe or hyphen between letters.
			if (r == '\'' || r == '’' || r == '-') && j+n < len(text) {
				if r2, _ := utf8.DecodeRuneInString(text[j+n:]); unicode.IsLetter(r2) {
					j += n
					continue
				}
			}
			break
		}
		w := text[i:j]
		first, _ := utf8.DecodeRuneInString(w)
		t := token{start: i, end: j, word: w, caps: unicode.IsUpper(first)}
		if t.caps && !sentenceStart {
			midCaps[strings.ToLower(w)] = true
		}
		t.content = s.isContent(w, t.caps, sentenceStart)
		toks = append(toks, t)
		sentenceStart = false
		i = j
	}
	for k := range toks {
		t := &toks[k]
		if !t.content {
			lw := strings.ToLower(t.word)
			if alt, ok := functionSwaps[lw]; ok && (!t.caps || lw != t.word && !midCaps[lw] && t.start == sentenceAt(text, t.start)) {
				// "over" stands for "more than" only before a number.
				if lw == "over" && (k+1 >= len(toks) || !unicode.IsDigit(rune(toks[k+1].word[0]))) {
					continue
				}
				t.function = true
				for _, a := range alt {
					t.cands = append(t.cands, Candidate{a, 1})
				}
			}
			continue
		}
		lw := strings.ToLower(t.word)
		if t.caps && (midCaps[lw] || k+1 < len(toks) && toks[k+1].caps && !toks[k+1].content &&
			strings.TrimSpace(text[t.end:toks[k+1].start]) == "") {
			// A name that happens to open a sentence: it appears
			// capitalised inside one, or the next word is a capitalised
			// name too ("John Williams").
			t.content = false
			continue
		}
		t.cands, t.form = s.candidates(lw)
	}
	return toks
}

// isContent says whether w counts as a content word.
func (s *Spinner) isContent(w string, caps, sentenceStart bool) bool {
	if utf8.RuneCountInString(w) < 3 || strings.ContainsAny(w, "'’-") {
		return false
	}
	upper := 0
	for _, r := range w {
		if !unicode.IsLetter(r) || r > unicode.MaxLatin1 {
			return false // numbers, codes, non-Latin words
		}
		if unicode.IsUpper(r) {
			upper++
		}
	}
	if upper > 1 || (caps && !sentenceStart) {
		return false // an acronym or a proper name
	}
	return !stop[strings.ToLower(w)]
}

// form is the inflection a word was found with.
type form int

const (
	plain  form = iota
	plural      // -s, -es, -ies: plural nouns and third-person verbs
	past        // -ed
	gerund      // -ing
)

// candidates returns the synonyms of a lower-case word, through its base
// form when the word itself is not in the thesaurus, and the inflection to
// put back.
func (s *Spinner) candidates(w string) ([]Candidate, form) {
	if s.th.Has(w) {
		cands := s.usable(s.th.Synonyms(w), w)
		if !strings.HasSuffix(w, "ing") && !strings.HasSuffix(w, "ed") {
			// A plain word takes no inflected form ("love" → "sharing").
			out := cands[:0]
			for _, c := range cands {
				if !strings.HasSuffix(c.Word, "ing") && !strings.HasSuffix(c.Word, "ed") {
					out = append(out, c)
				}
			}
			cands = out
		}
		return cands, plain
	}
	for _, b := range bases(w) {
		if s.th.Has(b.base) {
			return fitting(s.usable(s.th.Synonyms(b.base), b.base), b.form), b.form
		}
	}
	return nil, plain
}

// notVerb and notNoun are endings of words that are seldom verbs, or
// seldom countable nouns. The thesaurus has no parts of speech, so a crude
// look at the ending keeps "models" from becoming "lovelies" and
// "studying" from becoming "aleatorying".
var (
	notVerb = []string{"ly", "ous", "ful", "less", "able", "ible", "ive", "ic", "al", "ary", "ory", "ness", "ment",
		"tion", "sion", "ity", "ance", "ence", "ism", "ist", "ship", "hood", "ing", "ed", "er", "est", "ant", "ent", "ar", "ior"}
	notNoun = []string{"ly", "ous", "ful", "less", "able", "ible", "ive", "ic", "est", "ing", "ed", "al", "ary", "ent"}
)

// fitting drops the candidates whose ending does not suit an inflected
// form: -ed and -ing want verbs, -s a noun or a verb.
func fitting(cands []Candidate, f form) []Candidate {
	bad := func(w string, ends []string) bool {
		for _, e := range ends {
			if strings.HasSuffix(w, e) {
				return true
			}
		}
		return false
	}
	out := cands[:0:0]
	for _, c := range cands {
		head, last := c.Word, c.Word
		if i := strings.IndexByte(head, ' '); i >= 0 {
			head, last = head[:i], last[strings.LastIndexByte(last, ' ')+1:]
		}
		switch {
		case (f == past || f == gerund) && bad(head, notVerb):
		case f == plural && bad(last, notNoun) && bad(last, notVerb):
		default:
			out = append(out, c)
		}
	}
	return out
}

// usable keeps the candidates a spinner would put in: lower-case words of
// three letters or more that are not function words and not the word's own
// inflections, and phrases of two or three such words ("secret service"
// for "intelligence"), which change the length of the text as real
// spinners do.
func (s *Spinner) usable(cands []Candidate, base string) []Candidate {
	out := cands[:0:0]
	for _, c := range cands {
		w := c.Word
		parts := strings.Split(w, " ")
		if len(parts) > 3 || strings.HasPrefix(w, base) || strings.HasPrefix(base, w) {
			continue
		}
		if len(parts) == 1 && (len(w) < 3 || stop[w]) {
			continue
		}
		ok := true
		for _, p := range parts {
			if p == "" {
				ok = false
			}
			for _, r := range p {
				if r < 'a' || r > 'z' {
					ok = false
					break
				}
			}
		}
		if ok {
			out = append(out, c)
		}
	}
	return out
}

type based struct {
	base string
	form form
}

// bases returns possible base forms of an inflected word, most likely
// first.
func bases(w string) []based {
	var out []based
	add := func(b string, f form) {
		if len(b) >= 3 {
			out = append(out, based{b, f})
		}
	}
	switch {
	case strings.HasSuffix(w, "ies"):
		add(w[:len(w)-3]+"y", plural)
	case strings.HasSuffix(w, "es"):
		add(w[:len(w)-1], plural)
		add(w[:len(w)-2], plural)
	case strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss"):
		add(w[:len(w)-1], plural)
	case strings.HasSuffix(w, "ied"):
		add(w[:len(w)-3]+"y", past)
	case strings.HasSuffix(w, "ed"):
		stem := w[:len(w)-2]
		add(stem, past)
		add(stem+"e", past)
		if undouble(stem) {
			add(stem[:len(stem)-1], past)
		}
	case strings.HasSuffix(w, "ing"):
		stem := w[:len(w)-3]
		add(stem, gerund)
		add(stem+"e", gerund)
		if undouble(stem) {
			add(stem[:len(stem)-1], gerund)
		}
	}
	return out
}

// undouble says whether stem ends in a doubled consonant ("stopp").
func undouble(stem string) bool {
	n := len(stem)
	return n >= 2 && stem[n-1] == stem[n-2] && !isVowel(stem[n-1])
}

func isVowel(c byte) bool { return strings.IndexByte("aeiou", c) >= 0 }

// inflect puts form's ending on a base word, by the common spelling rules
// (no irregular forms, no consonant doubling: "sing" → "singed" is the
// kind of slip spun text has anyway). In a phrase, a plural goes on the
// last word ("folk songs") and a verb ending on the first ("carried out").
func inflect(w string, f form) string {
	if i := strings.IndexByte(w, ' '); i >= 0 && f != plain {
		j := strings.LastIndexByte(w, ' ')
		if f == plural && !particles[w[j+1:]] {
			return w[:j+1] + inflect(w[j+1:], f)
		}
		// A verb ending, or the -s of a phrasal verb ("fills out").
		return inflect(w[:i], f) + w[i:]
	}
	n := len(w)
	if (f == past || f == gerund) && doubles(w) {
		w += w[n-1:] // "spot" → "spotted", "plug" → "plugging"
	}
	switch f {
	case plural:
		switch {
		case strings.HasSuffix(w, "y") && n > 1 && !isVowel(w[n-2]):
			return w[:n-1] + "ies"
		case strings.HasSuffix(w, "s") || strings.HasSuffix(w, "x") || strings.HasSuffix(w, "z") ||
			strings.HasSuffix(w, "ch") || strings.HasSuffix(w, "sh"):
			return w + "es"
		}
		return w + "s"
	case past:
		switch {
		case strings.HasSuffix(w, "e"):
			return w + "d"
		case strings.HasSuffix(w, "y") && n > 1 && !isVowel(w[n-2]):
			return w[:n-1] + "ied"
		}
		return w + "ed"
	case gerund:
		if strings.HasSuffix(w, "e") && !strings.HasSuffix(w, "ee") && n > 2 {
			return w[:n-1] + "ing"
		}
		return w + "ing"
	}
	return w
}

// particles end phrasal verbs: a plural -s of such a phrase goes on the
// verb ("fill out" → "fills out").
var particles = map[string]bool{"out": true, "up": true, "off": true, "in": true, "on": true, "down": true,
	"away": true, "over": true, "back": true, "into": true, "to": true, "about": true, "through": true, "along": true}

// doubles says whether a verb doubles its last consonant before -ed and
// -ing: one syllable ending in a single vowel and a consonant other than
// w, x or y ("spot", "beg"; not "visit", "rain", "fix").
func doubles(w string) bool {
	n := len(w)
	if n < 3 || isVowel(w[n-1]) || strings.IndexByte("wxy", w[n-1]) >= 0 || !isVowel(w[n-2]) || isVowel(w[n-3]) {
		return false
	}
	groups, prev := 0, false
	for i := 0; i < n; i++ {
		v := isVowel(w[i])
		if v && !prev {
			groups++
		}
		prev = v
	}
	return groups == 1
}

// sentenceAt returns i when the text before byte offset i ends a sentence
// (or is empty), -1 otherwise: a capitalised function word is swapped only
// there.
func sentenceAt(text string, i int) int {
	before := strings.TrimRight(text[:i], " \t\"'(“‘*")
	if before == "" || strings.ContainsAny(before[len(before)-1:], ".!?:\n") {
		return i
	}
	return -1
}

// functionSwaps are our own list of function words and very common verbs
// that spinners swap, with what they put in.
var functionSwaps = map[string][]string{
	"about": {"around", "approximately"}, "also": {"additionally", "likewise"}, "although": {"though", "even though"},
	"because": {"since", "as"}, "but": {"yet", "however"}, "however": {"nevertheless", "still"},
	"many": {"numerous", "various"}, "often": {"frequently", "regularly"}, "over": {"more than"},
	"several": {"various", "a few"}, "therefore": {"hence", "consequently"}, "thus": {"hence", "therefore"},
	"very": {"extremely", "highly"}, "while": {"whilst", "whereas"}, "within": {"inside"}, "among": {"amongst"},
	"use": {"utilize", "employ"}, "uses": {"utilizes", "employs"}, "used": {"utilized", "employed"},
	"using": {"utilizing", "employing"}, "make": {"create", "produce"}, "made": {"created", "produced"},
	"new": {"novel", "fresh"}, "way": {"manner", "method"}, "ways": {"manners", "methods"}, "first": {"initial"},
	"get": {"obtain", "acquire"}, "got": {"obtained", "acquired"},
}

// stop are English function words and very common verbs that a spinner
// leaves alone.
var stop = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`a about above after again against all almost also although always am among an
		and another any are around as at be became because become becomes been before being below between both
		but by can cannot could did do does doing done down during each either else enough etc even ever every
		few for from further had has have having he her here hers herself him himself his how however i if in
		into is it its itself just least less many may me might more most much must my myself neither never
		no nor not now of off often on once one only onto or other others otherwise our ours ourselves out
		over own per perhaps rather same several shall she should since so some such than that the their
		theirs them themselves then there therefore these they this those though through thus to together
		too toward towards under until up upon us very via was we were what whatever when whenever where
		whereas whether which while who whom whose why will with within without would yet you your yours
		yourself yourselves two three four five six seven eight nine ten first second third get got make made
		use used uses using also well like new way ways`) {
		m[w] = true
	}
	return m
}()
