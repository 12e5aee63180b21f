package extract

import (
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/ibid-dev/ibid"
	"github.com/ibid-dev/ibid/text"
)

// Boilerplate removal for pages saved from the web, as HTML, as the text a
// browser saves or copies, or printed to PDF, and for the title block of
// PDFs and Word files (breadcrumb, byline, meta line, a cite box at the
// end). Every format but Markdown, whose authors wrote it as it is, goes
// through it. It works on blocks, after a format's parser, in the spirit
// of jusText: each block is classed by its length, its share of stop words
// and the phrases of page furniture, then by where it stands.
//
//   - The essay runs from its first to its last good block: a paragraph of
//     a dozen words or more, mostly ordinary prose (stop words).
//   - Before it, a page puts menus, a breadcrumb, the title, a byline or a
//     meta line ("Words: 1276 · Pages: 3"), download and cite buttons. When
//     that lead looks like page furniture, only the title and the headings
//     right before the first good block stay; the byline and meta line
//     become the document's author, subject and date.
//   - Inside it, calls to action ("Place Order", "*No hidden charges"),
//     cite, share and newsletter boxes, and a table of contents (a list of
//     the headings that follow) are dropped one by one.
//   - After it, the first cite box, related list, comment section or
//     footer ends the essay; a reference list before them stays.
//
// Nothing is dropped from an ordinary essay: a lead without furniture is
// kept whole, and the phrases that mark furniture are ones essays do not
// use in blocks that short (TestOrdinaryTextKept, TestLeadKept).

type boilerClass int

const (
	classOther  boilerClass = iota
	classGood               // prose: the essay
	classBad                // calls to action, cite/share/download boxes, cookie and footer text
	classChrome             // breadcrumb, byline, meta line: furniture that carries metadata
)

// furniturePhrases mark a block of up to maxFurnitureWords words as page
// furniture wherever they appear in it. They are the phrases essay-sample
// sites, blogs and magazines put around an essay, never phrases of an
// essay's own short paragraphs.
var furniturePhrases = []string{
	// calls to action of essay-writing services
	"place order", "place an order", "order now", "order my paper", "order a custom", "order your essay",
	"order your paper", "order an essay", "order original", "custom essay", "custom paper", "custom-written",
	"unique paper", "write a unique", "write my", "hire writer", "hire a writer", "hire an expert",
	"get your essay", "get your paper", "get a verified expert", "get an original", "get a custom",
	"get help with", "get writing help", "no hidden charges", "need writing help", "need a paper",
	"need a 100%", "need a custom", "need help with your", "from $", "100% original", "100% unique", "plagiarism-free", "plagiarism free", "plagiarism checker",
	"citation generator", "essay writing service", "writing service", "our writers", "our experts",
	"expert writers", "professional writers", "% off your first", "get started",
	"don't waste time", "don’t waste time", "sign up free", "sign up for free", "free samples",
	"essay samples", "free essay", "essay example", "sample essay", "essay sample", "this text is available online", "watch out!", "used for guidance and inspiration",
	"is for research and reference", "for research and reference", "you must cite it",
	"want it removed", "submitted by a student", // download, cite and share boxes
	"download pdf", "download this", "download full", "download the essay", "download essay", "downloads:",
	"cite this", "to export a reference", "referencing style", "copy to clipboard", "copy citation",
	"copy link", "share this", "share:", "tweet this", "print this",
	// related lists, comments, ratings
	"related essays", "related posts", "related articles", "related samples", "similar essay", "similar samples",
	"similar posts", "more essays", "read next", "popular posts", "popular essays",
	"you may also like", "you might also like", "recommended for you", "more like this",
	"was this sample helpful", "was this helpful", "was this essay helpful", "rate this", "votes)",
	"leave a comment", "leave a reply", "post a comment", "add a comment", "comments are closed",
	// newsletters, accounts, cookies, footers
	"sign up for our newsletter", "subscribe to our", "our newsletter", "in your inbox", "no spam",
	"unsubscribe at any time", "enter your email", "your email address", "log in to", "create an account",
	"we use cookies", "use of cookies", "cookie policy", "cookie settings", "manage preferences",
	"all rights reserved", "privacy policy", "terms of use", "terms of service", "terms and conditions",
	"terms · privacy", "back to top", "visitor number"}

// maxFurnitureWords bounds the blocks furniturePhrases apply to: calls to
// action and footers are short, an essay paragraph that happens to say
// "read more" is not.
const maxFurnitureWords = 45

// furnitureWords are whole blocks of up to a few words that are buttons
// and links of page furniture: "Reply", "Subscribe", "3 comments".
var furnitureWords = map[string]bool{
	"subscribe": true, "reply": true, "share": true, "sign up": true, "log in": true, "login": true,
	"sign in": true, "register": true, "comments": true, "comment": true, "print": true, "email": true,
	"tweet": true, "menu": true, "search": true, "home": true, "next": true, "previous": true,
	"prev": true, "top": true, "contents": true, "table of contents": true, "tags": true, "yes no": true,
	"skip to content": true, "skip to main content": true, "toggle navigation": true, "close": true,
	"apa": true, "mla": true, "harvard": true, "chicago": true, "vancouver": true, "ieee": true, "apa mla harvard chicago": true,
	"advertisement": true, "your email": true, "email address": true, "your name": true, "read more": true, "continue reading": true, "sponsored": true, "ad": true, "rss": true,
}

// The boilerplate patterns are compiled when first used, not when the
// program starts: every ibid command links this package, and compiling them
// cost each start ~0.5 ms (GODEBUG=inittrace=1), the most of any of ibid's
// packages.
var (
	reCountWords  = lazyRegexp(`(?i)\b\d[\d,. ]*\s*(words|pages?|min(ute)?s? read|views|downloads)\b`)
	reNComments   = lazyRegexp(`(?i)^\d+\s+(comments?|replies|responses)$`)
	reMetaKey     = lazyRegexp(`(?i)\b(subject|category|categories|topic|topics|discipline|type|published|date|posted|updated|author|licen[cs]e|words|pages|downloads|views|level|language|tags?|length)\s*:\s*`)
	reByline      = lazyRegexp(`(?i)^(written\s+by|posted\s+by|by|author:)\s+(\p{Lu}[\p{L}'’.-]*\.?)(\s+(\p{Lu}[\p{L}'’.-]*\.?|van|von|de|da|di|del|der|la|le|bin|al))*`)
	metaSeparator = lazyRegexp(`\s+[·•|—–]\s+|\s*[·•|]\s*`)
)

// stopWords are the most frequent English function words: prose is about
// two-fifths stop words, menus and buttons hardly any.
var stopWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`a about above after again against all also am an and any are as at be because been
		before being below between both but by can could did do does doing down during each few for from further had
		has have having he her here hers him his how i if in into is it its itself just me more most my no nor not
		now of off on once only or other our out over own same she should so some such than that the their them
		then there these they this those through to too under until up upon very was we were what when where which
		while who whom why will with would you your yet however thus whose since though although within without
		among must may might shall one many much`) {
		m[w] = true
	}
	return m
}()

// maxStopLen is the length of the longest stop word ("although"): no
// longer word need be looked up (TestStopWordsShort).
const maxStopLen = 8

// blockText is the text a block is judged by: a list's items joined.
func blockText(b ibid.Block) string {
	if b.Type == ibid.List {
		return strings.Join(b.Items, " ")
	}
	return b.Text
}

// countWords counts the space-separated words of s, up to limit.
func countWords(s string, limit int) int {
	n, in := 0, false
	for i := 0; i < len(s); {
		var sp bool
		if c := s[i]; c < utf8.RuneSelf {
			sp = asciiSpace[c] // unicode.IsSpace of ASCII, without the call
			i++
		} else {
			r, size := utf8.DecodeRuneInString(s[i:])
			sp = unicode.IsSpace(r)
			i += size
		}
		if !sp && !in {
			if n++; n >= limit {
				return n
			}
		}
		in = !sp
	}
	return n
}

// asciiSpace marks the ASCII bytes that unicode.IsSpace reports.
var asciiSpace = [utf8.RuneSelf]bool{'\t': true, '\n': true, '\v': true, '\f': true, '\r': true, ' ': true}

// isASCII reports whether s is all ASCII.
func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// prose reports whether a paragraph, quote or list reads as prose: twelve
// words or more (as a reader counts them: a link's parts are not prose),
// a fifth of them stop words or more. A list is judged by its items joined
// by spaces (blockText), where no word spans two items: so they are
// counted item by item, without joining them (a text file of unwrapped
// lines is one list, and the join was a copy of the whole text).
func prose(b ibid.Block) bool {
	parts := b.Items
	if b.Type != ibid.List {
		parts = []string{b.Text}
	}
	n := 0
	for _, p := range parts {
		if n += countWords(p, 12-n); n >= 12 {
			break
		}
	}
	if n < 12 {
		return false
	}
	words, stops := 0, 0
	for _, p := range parts {
		w, st := stopCounts(p)
		words, stops = words+w, stops+st
	}
	return words > 0 && float64(stops)/float64(words) >= 0.2
}

// stopDensity returns the number of words in s and the share of them that
// are stop words.
func stopDensity(s string) (words int, share float64) {
	words, stops := stopCounts(s)
	if words == 0 {
		return 0, 0
	}
	return words, float64(stops) / float64(words)
}

// stopCounts returns the number of words in s and of stop words among
// them.
//
// Words are runs of letters and apostrophes, lower-cased rune by rune (as
// strings.ToLower does) into a key as long as the longest stop word, which
// is ASCII: a word that does not fit is not one. Lower case keeps a rune a
// letter or not, so cutting before lower-casing cuts where cutting the
// lower-cased text would (TestStopDensityUnicode). ASCII bytes, nearly all
// of most text, are taken by table, and a word's key is made as it is
// read, with no copy of s or of the word.
func stopCounts(s string) (words, stops int) {
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if !asciiWordByte[c] {
				i++
				continue
			}
		} else if r, n := utf8.DecodeRuneInString(s[i:]); !stopWordRune(r) {
			i += n
			continue
		}
		var key uint64 // stopKey of the word's first maxStopLen runes
		k := 0         // runes read; more than maxStopLen: not a stop word
		for i < len(s) {
			if c := s[i]; c < utf8.RuneSelf {
				if !asciiWordByte[c] {
					break
				}
				key |= uint64(c|0x20) << (8 * k) // 0 once k ≥ 8
				k++
				i++
				continue
			}
			r, n := utf8.DecodeRuneInString(s[i:])
			if !stopWordRune(r) {
				break
			}
			if l := unicode.ToLower(r); l < utf8.RuneSelf {
				key |= uint64(l|0x20) << (8 * k)
				k++
			} else {
				k = maxStopLen + 1 // a non-ASCII letter: no stop word has one
			}
			i += n
		}
		words++
		if k <= maxStopLen && isStopKey(key) {
			stops++
		}
	}
	return words, stops
}

// stopWordRune reports whether r is part of a word for stopDensity.
func stopWordRune(r rune) bool {
	return unicode.IsLetter(r) || r == '\'' || r == '’'
}

// asciiWordByte marks the bytes that are part of a word for stopDensity:
// ASCII letters and the apostrophe.
var asciiWordByte = func() (t [256]bool) {
	for c := 'a'; c <= 'z'; c++ {
		t[c], t[c-'a'+'A'] = true, true
	}
	t['\''] = true
	return t
}()

// stopKey packs a word of at most maxStopLen ASCII letters and apostrophes
// into a uint64, lower-cased, first byte lowest. Setting the 0x20 bit
// lower-cases an ASCII letter and leaves the apostrophe (0x27) as it is;
// no byte of a word is zero, so different words give different keys.
func stopKey[S string | []byte](w S) uint64 {
	var k uint64
	for i := len(w) - 1; i >= 0; i-- {
		k = k<<8 | uint64(w[i]|0x20)
	}
	return k
}

// stopKeys is the set of the stopKeys of stopWords: open addressing,
// linear probing, a zero slot is empty. It holds a few more than 100 keys
// in 512 slots, so that a probe mostly ends at the first slot.
var stopKeys = func() (t [512]uint64) {
	for w := range stopWords {
		k := stopKey(w)
		h := stopSlot(k)
		for t[h] != 0 {
			h = (h + 1) % len(t)
		}
		t[h] = k
	}
	return t
}()

func stopSlot(k uint64) int { return int((k * 0x9E3779B97F4A7C15) >> (64 - 9)) }

// isStopKey reports whether k is the stopKey of a stop word.
func isStopKey(k uint64) bool {
	for h := stopSlot(k); ; h = (h + 1) % len(stopKeys) {
		switch stopKeys[h] {
		case 0:
			return false
		case k:
			return true
		}
	}
}

var quoteFolder = strings.NewReplacer("’", "'", "‘", "'", "“", `"`, "”", `"`)

// foldQuotes lowercases s and straightens its quotes for phrase matching.
// Blocks reach it normalised (cleanBlocks).
func foldQuotes(s string) string {
	s = strings.ToLower(s)
	// The quotes are not ASCII: ASCII text (most of it) need not be
	// searched for them, which cost as much as lower-casing.
	if !isASCII(s) && strings.ContainsAny(s, "’‘“”") {
		s = quoteFolder.Replace(s)
	}
	return s
}

// phrasesByWord indexes furniturePhrases by their first word, so that a
// block is searched once per word rather than once per phrase; phrases
// that start with a sign ("% off", "©") are in phrasesBySign.
var phrasesByWord, phrasesBySign = func() (map[string][]string, []string) {
	m := map[string][]string{}
	var signs []string
	for _, p := range furniturePhrases {
		w := leadingWord(p)
		if w == "" {
			signs = append(signs, p)
			continue
		}
		m[w] = append(m[w], p)
	}
	return m, signs
}()

// leadingWord returns the letters and digits s starts with.
func leadingWord(s string) string {
	for i, r := range s {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			return s[:i]
		}
	}
	return s
}

// hasPhrase reports whether low (folded) contains a furniture phrase
// starting at a word boundary.
func hasPhrase(low string) bool {
	for _, p := range phrasesBySign {
		if strings.Contains(low, p) {
			return true
		}
	}
	prevWord := false
	for i, r := range low {
		word := unicode.IsLetter(r) || unicode.IsDigit(r)
		if word && !prevWord {
			for _, p := range phrasesByWord[leadingWord(low[i:])] {
				if strings.HasPrefix(low[i:], p) {
					return true
				}
			}
		}
		prevWord = word
	}
	return false
}

// foldable reports whether s is valid UTF-8 without any of
// furnitureSlowRunes, which send a block of more than five words to the
// general path of furniture: the first runes of phrasesBySign, "©", and
// the two runes that lower-case to ASCII (İ, the Kelvin sign).
func foldable(s string) bool {
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if slowASCII[c] {
				return false
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 || slices.Contains(slowRunes, r) {
			return false
		}
		i += n
	}
	return true
}

// slowASCII and slowRunes are the ASCII and the other runes of
// furnitureSlowRunes.
var slowASCII, slowRunes = func() (ascii [utf8.RuneSelf]bool, other []rune) {
	for _, r := range furnitureSlowRunes {
		if r < utf8.RuneSelf {
			ascii[r] = true
		} else {
			other = append(other, r)
		}
	}
	return ascii, other
}()

var furnitureSlowRunes = func() string {
	out := "©\u0130\u212A"
	for _, p := range phrasesBySign {
		r, _ := utf8.DecodeRuneInString(p)
		out += string(r)
	}
	return out
}()

// phraseStarts has a bit for the first two bytes of each key of
// phrasesByWord (all of them two ASCII letters or digits or more): a word
// that starts otherwise is not looked up.
var phraseStarts = func() (t [128 * 128 / 64]uint64) {
	for w := range phrasesByWord {
		k := int(w[0])<<7 | int(w[1])
		t[k/64] |= 1 << (k % 64)
	}
	return t
}()

// maxPhraseKey is the length of the longest first word of phrasesByWord.
var maxPhraseKey = func() int {
	n := 0
	for w := range phrasesByWord {
		n = max(n, len(w))
	}
	return n
}()

// foldRune is what foldQuotes makes of a rune.
func foldRune(r rune) rune {
	if r < utf8.RuneSelf {
		return rune(asciiLower(byte(r)))
	}
	switch r {
	case '’', '‘':
		return '\''
	case '“', '”':
		return '"'
	}
	return unicode.ToLower(r)
}

// hasPhraseFolded is hasPhrase(foldQuotes(s)) for valid UTF-8 s without
// the runes of phrasesBySign, folding s rune by rune as it goes.
func hasPhraseFolded(s string) bool {
	prev := false
	for i := 0; i < len(s); {
		r, n := rune(s[i]), 1
		if r >= utf8.RuneSelf {
			r, n = utf8.DecodeRuneInString(s[i:])
		}
		r = foldRune(r)
		word := r < utf8.RuneSelf && asciiAlnum[r] || r >= utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r))
		if word && !prev && startsPhrase(s[i:]) {
			return true
		}
		prev = word
		i += n
	}
	return false
}

// startsPhrase reports whether the fold of s starts with a phrase of
// phrasesByWord: its leading word folded is a key (an ASCII one, of at
// most maxPhraseKey bytes), and the fold of s goes on as one of its
// phrases.
func startsPhrase(s string) bool {
	var buf [16]byte
	k := 0
	for i := 0; i < len(s); {
		r, n := rune(s[i]), 1
		if r >= utf8.RuneSelf {
			r, n = utf8.DecodeRuneInString(s[i:])
		}
		r = foldRune(r)
		if r >= utf8.RuneSelf {
			if unicode.IsLetter(r) || unicode.IsDigit(r) {
				return false // a word with a non-ASCII letter: no key
			}
			break
		}
		if !asciiAlnum[r] {
			break
		}
		if k == len(buf) || k == maxPhraseKey {
			return false
		}
		buf[k] = byte(r)
		k++
		i += n
		if key := int(buf[0])<<7 | int(r); k == 2 && phraseStarts[key/64]&(1<<(key%64)) == 0 {
			return false // no key starts so
		}
	}
	if k < 2 {
		return false
	}
	for _, p := range phrasesByWord[string(buf[:k])] {
		if foldedHasPrefix(s, p) {
			return true
		}
	}
	return false
}

// foldedHasPrefix reports whether the fold of s (foldRune of each rune)
// starts with p.
func foldedHasPrefix(s, p string) bool {
	i := 0
	for _, want := range p {
		if i >= len(s) {
			return false
		}
		r, n := rune(s[i]), 1
		if r >= utf8.RuneSelf {
			r, n = utf8.DecodeRuneInString(s[i:])
		}
		if foldRune(r) != want {
			return false
		}
		i += n
	}
	return true
}

// asciiAlnum marks the ASCII letters and digits.
var asciiAlnum = func() (t [256]bool) {
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c], t[c-'a'+'A'] = true, true
	}
	return t
}()

func asciiLower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// hasPrefixFold reports whether s starts with lower-case ASCII p in any
// ASCII case.
func hasPrefixFold(s, p string) bool {
	if len(s) < len(p) {
		return false
	}
	for i := 0; i < len(p); i++ {
		if asciiLower(s[i]) != p[i] {
			return false
		}
	}
	return true
}

// containsFold reports whether s contains lower-case ASCII p in any ASCII
// case.
func containsFold(s, p string) bool {
	for i := 0; i+len(p) <= len(s); i++ {
		if asciiLower(s[i]) == p[0] && hasPrefixFold(s[i:], p) {
			return true
		}
	}
	return false
}

var formWidgets = strings.NewReplacer("[ ]", "", "[x]", "", "[*]", "", "( )", "", "(*)", "", "____", "")

// furniture reports whether a block of text is page furniture by its words.
func furniture(s string) bool {
	n := countWords(s, maxFurnitureWords+1)
	if n == 0 || n > maxFurnitureWords {
		return false
	}
	if n > 5 && foldable(s) {
		// Blocks of a few lines are tested on their own runes, folded
		// one by one as foldQuotes folds them, so that the block is
		// not copied in lower case first (TestFurnitureShortcut).
		// Without İ and the Kelvin sign, the only runes whose lower
		// case is ASCII are ASCII, and the byte-wise tests below see
		// what they would see in the lower case.
		return n <= 20 && (hasPrefixFold(s, "tags:") || containsFold(s, "copyright")) || hasPhraseFolded(s)
	}
	low := foldQuotes(s)
	if n <= 5 {
		// Text browsers draw form fields: "[ ]Subscribe", "[Search ]".
		k := strings.Trim(formWidgets.Replace(low), " .:!?*•·|>»›-–—[]_")
		if furnitureWords[k] || reNComments().MatchString(k) || strings.HasPrefix(low, "©") || strings.HasPrefix(low, "(c) ") {
			return true
		}
	}
	if strings.HasPrefix(low, "tags:") && n <= 20 {
		return true
	}
	if strings.Contains(low, "©") || strings.Contains(low, "copyright") && n <= 20 {
		return true
	}
	return hasPhrase(low)
}

// breadcrumb reports whether s is a trail of links: "Home > Essays > History".
func breadcrumb(s string) bool {
	if countWords(s, 25) > 24 || endsSentence(s) {
		return false
	}
	n, arrows := 0, 0
	for _, sep := range []string{" > ", " › ", " » ", " / ", " → ", " ⟩ "} {
		n += strings.Count(s, sep)
		if sep != " / " {
			arrows += strings.Count(s, sep)
		}
	}
	// One arrow is enough in a short line ("History › Soviet Union"): a
	// title never uses one; a slash needs a second.
	return n >= 2 || arrows == 1 && countWords(s, 13) <= 12 || n == 1 && strings.HasPrefix(strings.ToLower(s), "home ")
}

// metaLine reports whether s is a line of facts about the essay rather than
// prose: "Subject: History · Pages: 3 · Words: 1276", "Jane Doe | 20 March
// 2025 | 1,077 words", a byline "By Jane Doe".
func metaLine(s string) bool {
	n := countWords(s, 31)
	if n == 0 || n > 30 {
		return false
	}
	// The regular expressions run only where their cheap signs are: a
	// byline's first word, a key's colon, a count's digit, a separator.
	if n <= 14 && bylineStart(s) && reByline().MatchString(s) && !endsSentence(strings.TrimSpace(s)) {
		return true
	}
	keys, counts, seps := 0, 0, 0
	if strings.IndexByte(s, ':') >= 0 {
		keys = metaKeys(s)
	}
	if strings.ContainsAny(s, "0123456789") && hasCountUnit(s) {
		counts = len(reCountWords().FindAllStringIndex(s, -1))
	}
	if strings.ContainsAny(s, "·•|—–") {
		seps = len(metaSeparator().FindAllStringIndex(s, -1))
	}
	low := strings.ToLower(s)
	switch {
	case keys >= 2, keys+counts >= 2:
		return true
	case keys == 1 && n <= 8 && (strings.HasPrefix(low, "licence:") || strings.HasPrefix(low, "license:")):
		return true
	case (keys == 1 || counts == 1) && seps >= 1:
		return true
	case seps >= 1 && n <= 14:
		// "Jane Doe · 28 May 2020": a name and a date.
		for _, part := range metaSeparator().Split(s, -1) {
			if !looseDate(part).IsZero() {
				return true
			}
		}
	}
	return false
}

// metaKeyNames are the keys reMetaKey knows.
var metaKeyNames = map[string]bool{
	"subject": true, "category": true, "categories": true, "topic": true, "topics": true, "discipline": true,
	"type": true, "published": true, "date": true, "posted": true, "updated": true, "author": true, "licence": true,
	"license": true, "words": true, "pages": true, "downloads": true, "views": true, "level": true,
	"language": true, "tag": true, "tags": true, "length": true,
}

// metaKeys counts the "Key:" labels of s, as reMetaKey finds them but
// without a regular expression's cost on every short block.
func metaKeys(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] != ':' {
			continue
		}
		j := i
		for j > 0 && s[j-1] == ' ' {
			j--
		}
		k := j
		for k > 0 && (s[k-1] >= 'a' && s[k-1] <= 'z' || s[k-1] >= 'A' && s[k-1] <= 'Z') {
			k--
		}
		if k < j && metaKeyNames[strings.ToLower(s[k:j])] {
			n++
		}
	}
	return n
}

// hasCountUnit reports whether s names a unit of reCountWords.
func hasCountUnit(s string) bool {
	low := strings.ToLower(s)
	for _, u := range []string{"word", "page", "min", "view", "download"} {
		if strings.Contains(low, u) {
			return true
		}
	}
	return false
}

// bylineStart reports whether s starts like a byline: "By", "Written by",
// "Posted by", "Author:".
func bylineStart(s string) bool {
	w := strings.ToLower(leadingWord(s))
	return w == "by" || w == "written" || w == "posted" || w == "author"
}

// classify gives every block its class, and says of every list whether
// any of its items is furniture (dropFurnitureItems has work to do).
func classify(blocks []ibid.Block) (cls []boilerClass, furnItems []bool) {
	cls = make([]boilerClass, len(blocks))
	furnItems = make([]bool, len(blocks))
	// The headings, to know a table of contents by.
	headings := map[string]int{} // folded text -> index of its last heading
	for i, b := range blocks {
		if b.Type == ibid.Heading {
			headings[foldQuotes(b.Text)] = i
		}
	}
	for i, b := range blocks {
		var menu bool
		if b.Type == ibid.List {
			menu, furnItems[i] = listFurniture(b)
		}
		s := b.Text // (a list is judged by its items)
		switch {
		case b.Type == ibid.List && (menu || contentsList(b, i, headings)):
			cls[i] = classBad
		case b.Type != ibid.List && (breadcrumb(s) || metaLine(s) || countWords(s, 7) <= 6 && !looseDate(s).IsZero()):
			cls[i] = classChrome
		case b.Type != ibid.List && furniture(s):
			cls[i] = classBad
		case (b.Type == ibid.Paragraph || b.Type == ibid.Quote || b.Type == ibid.List) && prose(b):
			cls[i] = classGood
		}
	}
	return cls, furnItems
}

// contentsList reports whether the list at index i is a table of contents:
// two thirds or more of its items (at least two) are headings that come
// after it.
func contentsList(b ibid.Block, i int, headings map[string]int) bool {
	if len(headings) == 0 {
		return false // nothing to hit: no item need be folded
	}
	hits, misses := 0, 0
	var buf []byte
	for _, it := range b.Items {
		var j int
		var ok bool
		if isASCII(it) {
			// foldQuotes of ASCII text is its lower case: made in buf,
			// and the map looked up by it, without a string per item.
			buf = append(buf[:0], it...)
			for k, c := range buf {
				if c >= 'A' && c <= 'Z' {
					buf[k] = c + 'a' - 'A'
				}
			}
			j, ok = headings[string(buf)]
		} else {
			j, ok = headings[foldQuotes(it)]
		}
		if ok && j > i {
			hits++
		} else if misses++; misses*3 > len(b.Items) {
			return false // two thirds can no longer be hits
		}
	}
	return hits >= 2 && hits*3 >= len(b.Items)*2
}

// listFurniture reports whether half or more of the items of a list are
// furniture (a menu of "Home", "Log in", "Order Now"), and whether any is.
func listFurniture(b ibid.Block) (menu, some bool) {
	bad := 0
	for _, it := range b.Items {
		if furniture(it) {
			bad++
		}
	}
	return bad > 0 && bad*2 >= len(b.Items), bad > 0
}

// stripBoilerplate removes page furniture from the blocks of a page and
// sets the title (when the page's lead shows it), author, subject and date
// it finds there and in bylines. It returns blocks unchanged when they hold
// no good block at all: a page of furniture is not made empty by guessing.
func stripBoilerplate(doc *ibid.Document, blocks []ibid.Block) []ibid.Block {
	blocks = cleanBlocks(blocks)
	cls, furnItems := classify(blocks)
	first, last := -1, -1
	for i, c := range cls {
		if c == classGood {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	if first < 0 {
		return blocks
	}
	keep := make([]bool, len(blocks))
	title := -1
	if first > 0 {
		title = leadTitle(doc, blocks[:first], cls)
	}
	// A "Cite this essay" box's reference to the page itself reads like
	// prose; it is known by the title it quotes beside a link or a
	// "Retrieved from".
	if doc.Title != "" {
		for i := first + 1; i < len(blocks); i++ {
			if cls[i] == classGood && selfCitation(blockText(blocks[i]), doc.Title) {
				cls[i] = classBad
				if i == last {
					for last--; cls[last] != classGood; last-- {
					}
				}
			}
		}
	}

	// The end: the first cite box, related list, comment section or
	// footer after the essay has begun, unless much of the essay follows
	// it (a "related" box set between two sections).
	for i := first + 1; i <= last; i++ {
		if cls[i] != classBad || !endMarker(blockText(blocks[i])) {
			continue
		}
		before, after := goodWords(blocks[first:i], cls[first:i]), goodWords(blocks[i:last+1], cls[i:last+1])
		if after*3 < before {
			for last = i - 1; cls[last] != classGood; last-- {
			}
			for j := i; j < len(cls); j++ {
				cls[j] = classBad
			}
			break
		}
	}

	// The lead.
	lead := blocks[:first]
	furnished := 0
	for i := range lead {
		if cls[i] == classBad || cls[i] == classChrome {
			furnished++
		}
	}
	if furnished == 0 {
		for i := range lead {
			keep[i] = true
		}
	} else {
		if title >= 0 {
			keep[title] = true
			// A name alone under the title is its author's.
			if n := title + 1; n < first && doc.Author == "" && blocks[n].Type != ibid.List && cls[n] == classOther && personName(blocks[n].Text) {
				doc.Author = blocks[n].Text
			}
		}
		// The headings right before the essay's first paragraph are its
		// own ("Introduction").
		for i := first - 1; i >= 0 && blocks[i].Type == ibid.Heading && cls[i] == classOther && !keep[i]; i-- {
			keep[i] = true
		}
		for i := range lead {
			if cls[i] == classChrome {
				chromeMeta(doc, blocks[i].Text)
			}
		}
	}

	// The essay.
	for i := first; i <= last; i++ {
		switch cls[i] {
		case classBad:
			continue
		case classChrome:
			chromeMeta(doc, blocks[i].Text)
			continue
		}
		if blocks[i].Type == ibid.List && furnItems[i] {
			// (a list without furniture would be left as it is, after
			// the same furniture tests as classify's, item by item)
			blocks[i].Items = dropFurnitureItems(blocks[i].Items)
		}
		keep[i] = true
	}

	// The tail: what follows the last paragraph belongs to the essay (a
	// reference list, a closing line) up to the first piece of furniture.
	for i := last + 1; i < len(blocks) && cls[i] != classBad && cls[i] != classChrome; i++ {
		keep[i] = true
	}

	out := blocks[:0]
	for i, b := range blocks {
		if keep[i] {
			out = append(out, b)
		}
	}
	return out
}

// endPhrases mark furniture that comes after an essay, not inside it.
var endPhrases = []string{
	"cite this", "to export a reference", "related essays", "related posts", "related articles", "related samples",
	"similar essay", "similar samples", "similar posts", "more essays", "read next", "you may also like",
	"you might also like", "recommended for you", "popular posts", "popular essays", "was this", "rate this",
	"leave a comment", "leave a reply", "post a comment", "add a comment", "comments are closed", "share this",
	"tags:", "©", "all rights reserved", "copyright",
}

// endMarker reports whether a furniture block is one that follows an essay.
func endMarker(s string) bool {
	low := foldQuotes(s)
	if reNComments().MatchString(strings.TrimSpace(low)) || furnitureWords[strings.Trim(low, " .:!?")] && strings.Contains(low, "comment") {
		return true
	}
	for _, p := range endPhrases {
		if strings.Contains(low, p) {
			return true
		}
	}
	return false
}

// goodWords counts the words of the good blocks among blocks.
func goodWords(blocks []ibid.Block, cls []boilerClass) int {
	n := 0
	for i, b := range blocks {
		if cls[i] == classGood {
			n += len(strings.Fields(blockText(b)))
		}
	}
	return n
}

// selfCitation reports whether s is a reference to the page it is on: it
// names the title and a link or a "Retrieved from".
func selfCitation(s, title string) bool {
	low, t := foldQuotes(s), foldQuotes(title)
	if len(strings.Fields(low)) > 60 || len(strings.Fields(t)) < 2 || !strings.Contains(low, t) {
		return false
	}
	for _, p := range []string{"http://", "https://", "www.", "retrieved", "accessed", "available at", "available from"} {
		if strings.Contains(low, p) {
			return true
		}
	}
	return false
}

func dropFurnitureItems(items []string) []string {
	out := items[:0]
	for _, it := range items {
		if !furniture(it) {
			out = append(out, it)
		}
	}
	return out
}

// leadTitle finds the page's title among the blocks before the essay: the
// heading that repeats the page's own title; else the heading just before
// a byline or meta line; else the one just after a breadcrumb, or ending
// it. It returns -1 when none stands out. A title found here replaces a
// metadata title, which often carries the site's name.
func leadTitle(doc *ibid.Document, lead []ibid.Block, cls []boilerClass) int {
	heading := func(i int) bool {
		return i >= 0 && i < len(lead) && lead[i].Type == ibid.Heading && cls[i] == classOther
	}
	found := -1
	if doc.Title != "" {
		// "Title | Site" matches the site's name too: the longest
		// heading that matches is the title.
		for i := range lead {
			if heading(i) && (sameTitle(lead[i].Text, doc.Title) || strings.Contains(strings.ToLower(doc.Title), strings.ToLower(lead[i].Text)) && len(strings.Fields(lead[i].Text)) >= 3) {
				if found < 0 || len(lead[i].Text) > len(lead[found].Text) {
					found = i
				}
			}
		}
	}
	for i := range lead {
		// A title underlined with "=" (level 0) says what it is.
		if found < 0 && heading(i) && lead[i].Level == 0 {
			found = i
		}
	}
	for i := range lead {
		if found >= 0 {
			break
		}
		if cls[i] != classChrome {
			continue
		}
		switch {
		case breadcrumb(lead[i].Text) && heading(i+1):
			found = i + 1
		case !breadcrumb(lead[i].Text) && heading(i-1):
			found = i - 1
			// A name between the title and the meta line is the byline.
			if heading(i-2) && personName(lead[i-1].Text) && (strings.EqualFold(lead[i-1].Text, doc.Author) || lead[i-2].Level < lead[i-1].Level) {
				found = i - 2
			}
		}
	}
	if found < 0 {
		return -1
	}
	doc.Title = lead[found].Text
	return found
}

// chromeMeta reads a byline or meta line into the document's metadata,
// filling only fields still empty: "By Jane Doe · 28 May 2020 · 4 min
// read", "Subject: History Pages: 3 Published: 17 February 2021".
func chromeMeta(doc *ibid.Document, s string) {
	s = text.Normalize(s)
	if breadcrumb(s) {
		// "History › Diplomacy, Balance of Power": a subject and its
		// topics, as ibid's own exports print them. Longer trails lead
		// through a site's sections, not the essay's subject.
		for _, sep := range []string{" › ", " » ", " > "} {
			if strings.Count(s, sep) != 1 {
				continue
			}
			subject, topics, _ := strings.Cut(s, sep)
			if doc.Subject == "" && countWords(subject, 5) <= 4 && !strings.EqualFold(subject, "home") {
				doc.Subject = strings.TrimSpace(subject)
				if len(doc.Topics) == 0 {
					for _, t := range strings.Split(topics, ",") {
						if t = strings.TrimSpace(t); t != "" {
							doc.Topics = append(doc.Topics, t)
						}
					}
				}
			}
		}
		return
	}
	// "Key: value" pairs, each value running to the next key.
	if locs := reMetaKey().FindAllStringSubmatchIndex(s, -1); len(locs) > 0 {
		for i, l := range locs {
			end := len(s)
			if i+1 < len(locs) {
				end = locs[i+1][0]
			}
			key := strings.ToLower(s[l[2]:l[3]])
			v := strings.Trim(strings.TrimSpace(s[l[1]:end]), "·•|,;—– ")
			switch key {
			case "subject", "category", "categories", "topic", "discipline":
				if doc.Subject == "" {
					doc.Subject = v
				}
			case "published", "date", "posted":
				if doc.Published.IsZero() {
					doc.Published = looseDate(v)
				}
			case "licence", "license":
				if doc.License == "" {
					doc.License = v
				}
			case "author":
				if doc.Author == "" {
					doc.Author = v
				}
			}
		}
		return
	}
	for i, part := range metaSeparator().Split(s, -1) {
		part = strings.TrimSpace(part)
		if d := looseDate(part); !d.IsZero() {
			if doc.Published.IsZero() {
				doc.Published = d
			}
			continue
		}
		if m := reByline().FindString(part); m != "" && i == 0 {
			if doc.Author == "" {
				doc.Author = strings.TrimSpace(m[strings.IndexByte(m, ' ')+1:])
				if strings.HasPrefix(strings.ToLower(m), "written by") || strings.HasPrefix(strings.ToLower(m), "posted by") {
					doc.Author = strings.TrimSpace(strings.SplitN(m, " ", 3)[2])
				}
			}
			continue
		}
		if i == 0 && doc.Author == "" && personName(part) {
			doc.Author = part
		}
	}
}

// personName reports whether s looks like a person's name: two to four
// capitalised words.
func personName(s string) bool {
	f := strings.Fields(s)
	if len(f) < 2 || len(f) > 4 {
		return false
	}
	for _, w := range f {
		r, _ := utf8.DecodeRuneInString(w)
		if !unicode.IsUpper(r) || strings.ContainsAny(w, "0123456789:") {
			return false
		}
	}
	return true
}

// looseDate reads a date as pages print it: "17 February 2021", "February
// 17, 2021", "Feb 17 2021", "2021-02-17". It returns the zero time otherwise.
func looseDate(s string) time.Time {
	if !strings.ContainsAny(s, "0123456789") {
		return time.Time{} // every date has a year
	}
	s = strings.Trim(strings.TrimSpace(s), ".,")
	for _, p := range []string{"Published on ", "Published ", "Posted on ", "Posted ", "Updated ", "Written on "} {
		s = strings.TrimPrefix(s, p)
	}
	if t := parseDate(s); !t.IsZero() && len(s) >= 8 {
		return t
	}
	if !mayNameMonth(s) {
		// Every layout below names a month or has a slash; trying them
		// on a short line of prose made an error value each.
		return time.Time{}
	}
	for _, l := range []string{"2 January 2006", "January 2, 2006", "January 2 2006", "2 Jan 2006", "Jan 2, 2006", "Jan 2 2006", "2 Jan. 2006", "Jan. 2, 2006", "January 2006", "02/01/2006"} {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}

// mayNameMonth reports whether s has a slash or, in any case, the first
// three letters of a month's name, as each of looseDate's layouts needs.
func mayNameMonth(s string) bool {
	if strings.IndexByte(s, '/') >= 0 {
		return true
	}
	low := strings.ToLower(s)
	for _, m := range []string{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"} {
		if strings.Contains(low, m) {
			return true
		}
	}
	return false
}

// lazyRegexp returns a function that compiles expr on its first call and
// returns the same Regexp from then on.
func lazyRegexp(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}
