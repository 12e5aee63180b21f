package csl

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// format holds the CSL formatting attributes of one element.
type format struct {
	fontStyle, fontVariant, fontWeight, textDecoration, verticalAlign string
}

func (f *format) zero() bool { return f == nil || *f == format{} }

// fmtPtr returns f, or nil when it sets nothing, so that output nodes share
// the compiled element's formatting instead of copying it.
func fmtPtr(f *format) *format {
	if f.zero() {
		return nil
	}
	return f
}

// Formatting of markup in field values.
var (
	fmtItalic    = &format{fontStyle: "italic"}
	fmtBold      = &format{fontWeight: "bold"}
	fmtSup       = &format{verticalAlign: "sup"}
	fmtSub       = &format{verticalAlign: "sub"}
	fmtSmallCaps = &format{fontVariant: "small-caps"}
	fmtNoDecor   = &format{fontStyle: "normal", fontWeight: "normal", fontVariant: "normal"}
)

// node is the rendered output tree. A node is either a leaf (text) or a list of
// kids joined by delim; affixes, formatting, quotes and display wrap it.
type node struct {
	text           string
	kids           []*node
	f              *format
	prefix, suffix string
	delim          string
	quotes         bool
	display        string
	nocase         bool // protected from text-case (<span class="nocase">)
	single         bool // quotes that came from single quotation marks in the input
	keepSingle     bool // typographic single quotes (‘ ’): single at the top level
	fixedQuote     bool // quotes typed in a cite's prefix or suffix: punctuation stays outside
	// term marks text that came from a locale term rather than a variable.
	term bool
}

// leaf returns a text node, or nil for empty text.
func leaf(s string) *node {
	if s == "" {
		return nil
	}
	return &node{text: s}
}

// group returns a node holding the non-nil kids, or nil when there are none.
// The kids slice is reused: callers pass slices they own.
func group(delim string, kids ...*node) *node {
	n := 0
	for _, k := range kids {
		if k != nil {
			kids[n] = k
			n++
		}
	}
	if n == 0 {
		return nil
	}
	return &node{kids: kids[:n:n], delim: delim}
}

// plain returns the text of n without markup, quotes or punctuation fixes; it
// is used for sort keys and comparisons.
func (n *node) plain() string {
	if n == nil {
		return ""
	}
	var b strings.Builder
	n.writePlain(&b)
	return b.String()
}

func (n *node) writePlain(b *strings.Builder) {
	if n == nil {
		return
	}
	b.WriteString(n.prefix)
	if n.kids == nil {
		b.WriteString(n.text)
	}
	for i, k := range n.kids {
		if i > 0 {
			b.WriteString(n.delim)
		}
		k.writePlain(b)
	}
	b.WriteString(n.suffix)
}

// hasText reports whether any text below n (not counting its affixes) is
// not empty.
func (n *node) hasText() bool {
	if n == nil {
		return false
	}
	if n.kids == nil {
		return n.text != ""
	}
	for _, k := range n.kids {
		if k.hasText() {
			return true
		}
	}
	return false
}

type tokKind uint8

const (
	tText tokKind = iota
	tOpen
	tClose
	tQuoteOpen
	tQuoteClose
	tDisplayOpen
	tDisplayClose
)

type tok struct {
	kind tokKind
	s    string // text, or quote mark, or display class
	attr string // formatting attribute name for tOpen/tClose
	val  string
}

type flattener struct {
	toks []tok
	// quoteBits holds, innermost in the lowest bit, whether each open
	// quotation is an inner (single) one; quoteN counts them.
	quoteBits uint64
	quoteN    int
	loc       *locale
}

func (fl *flattener) text(s string) {
	if s != "" {
		fl.toks = append(fl.toks, tok{kind: tText, s: s})
	}
}

var fmtOrder = [5]string{"font-weight", "font-style", "font-variant", "text-decoration", "vertical-align"}

func (f *format) get(a string) string {
	if f == nil {
		return ""
	}
	switch a {
	case "font-style":
		return f.fontStyle
	case "font-variant":
		return f.fontVariant
	case "font-weight":
		return f.fontWeight
	case "text-decoration":
		return f.textDecoration
	case "vertical-align":
		return f.verticalAlign
	}
	return ""
}

func (fl *flattener) flatten(n *node) {
	if n == nil {
		return
	}
	if n.display != "" && !n.hasText() {
		// A block left empty (its names replaced by an empty
		// subsequent-author-substitute) is not printed at all.
		return
	}
	if n.display != "" {
		fl.toks = append(fl.toks, tok{kind: tDisplayOpen, s: n.display})
	}
	fl.text(n.prefix)
	for _, a := range fmtOrder {
		if n.f == nil {
			break
		}
		if v := n.f.get(a); v != "" {
			fl.toks = append(fl.toks, tok{kind: tOpen, attr: a, val: v})
		}
	}
	if n.quotes {
		// Quotes alternate with nesting: the outermost are double unless the
		// data typed them single (‘ ’), the next ones the other kind.
		inner := n.keepSingle
		if fl.quoteN > 0 {
			inner = fl.quoteBits&1 == 0
		}
		fl.quoteBits <<= 1
		if inner {
			fl.quoteBits |= 1
		}
		fl.quoteN++
		open, _ := fl.quoteMarks(inner)
		fl.toks = append(fl.toks, tok{kind: tQuoteOpen, s: open})
	}
	if n.kids == nil {
		fl.text(n.text)
	}
	for i, k := range n.kids {
		if i > 0 {
			fl.text(n.delim)
		}
		fl.flatten(k)
	}
	if n.quotes {
		inner := fl.quoteBits&1 == 1
		fl.quoteBits >>= 1
		fl.quoteN--
		_, cl := fl.quoteMarks(inner)
		// Only quotes the style adds take punctuation inside; quotation marks
		// typed in the data stay where they are.
		fl.toks = append(fl.toks, tok{kind: tQuoteClose, s: cl, val: map[bool]string{true: "data"}[n.fixedQuote]})
	}
	for i := len(fmtOrder) - 1; i >= 0 && n.f != nil; i-- {
		if v := n.f.get(fmtOrder[i]); v != "" {
			fl.toks = append(fl.toks, tok{kind: tClose, attr: fmtOrder[i], val: v})
		}
	}
	fl.text(n.suffix)
	if n.display != "" {
		fl.toks = append(fl.toks, tok{kind: tDisplayClose, s: n.display})
	}
}

func (fl *flattener) quoteMarks(inner bool) (string, string) {
	if inner {
		return fl.termOr("open-inner-quote", "‘"), fl.termOr("close-inner-quote", "’")
	}
	return fl.termOr("open-quote", "“"), fl.termOr("close-quote", "”")
}

func (fl *flattener) termOr(name, def string) string {
	if fl.loc != nil {
		if t, ok := fl.loc.term(name, "long", ""); ok {
			return t.single
		}
	}
	return def
}

func lastRune(s string) rune {
	r, _ := utf8.DecodeLastRuneInString(s)
	return r
}

func firstRune(s string) rune {
	r, _ := utf8.DecodeRuneInString(s)
	return r
}

// fixPunctuation joins adjacent punctuation the way typesetters do: it drops a
// duplicated full stop, comma, colon or semicolon where an affix or delimiter
// meets text that already ends with it, and, when the locale asks for it, moves
// a following full stop or comma inside closing quotation marks.
func (fl *flattener) fixPunctuation() {
	inQuote := fl.loc != nil && fl.loc.opt("punctuation-in-quote") == "true"
	prev := -1      // index of the last non-empty text token
	prevQuote := -1 // the closing quote just before prev, if any
	prevPrev, prevPrevQuote := -1, -1
	for i := range fl.toks {
		t := &fl.toks[i]
		if t.kind != tText || t.s == "" {
			continue
		}
		if prev < 0 {
			prev = i
			continue
		}
		// Is there a closing quote between prev and i? Punctuation moves
		// inside a run of closing quotes when any of them is the style's.
		quoteAt, styleQuote, blocked := fl.closingQuote(prev, i)
		c := firstRune(t.s)
		p := &fl.toks[prev]
		if !blocked && quoteAt < 0 && prevQuote >= 0 && inQuote && isQuotePunct(p.s) && strings.ContainsRune(".,!?:;", c) {
			// Punctuation already set outside the quotes ("“colon”:") meets
			// more: one of the two goes, or both stay outside.
			switch punctJoin[string(lastRune(p.s))+string(c)] {
			case 'd':
				t.s = t.s[len(string(c)):]
			case 'r':
				p.s = p.s[:len(p.s)-len(string(lastRune(p.s)))]
				if p.s == "" {
					// The quotation is again the last thing: c meets it.
					prev, prevQuote = prevPrev, prevPrevQuote
					p = &fl.toks[prev]
					quoteAt, styleQuote, blocked = fl.closingQuote(prev, i)
				}
			}
			if quoteAt < 0 {
				goto next
			}
		}
		if !blocked {
			pc := lastRune(p.s)
			if quoteAt >= 0 {
				// The mark before the quotation mark: one moved inside
				// earlier, or the quoted text's own.
				q := &fl.toks[quoteAt]
				moved := len(q.s) - len(strings.TrimLeft(q.s, ".,!?"))
				qc := pc
				if moved > 0 {
					qc = lastRune(q.s[:moved])
				}
				switch {
				case inQuote && styleQuote && strings.ContainsRune(".,!?", c):
					// Move the mark inside the quotes, after any mark
					// already there, unless it repeats what is there.
					t.s = t.s[len(string(c)):]
					if punctJoin[string(qc)+string(c)] != 'd' {
						q.s = q.s[:moved] + string(c) + q.s[moved:]
					}
				case inQuote && styleQuote && (c == ':' || c == ';'):
					if punctJoin[string(qc)+string(c)] == 'd' {
						t.s = t.s[len(string(c)):]
					}
				default:
					qc := lastRune(q.s)
					if c == qc && (c == '.' || c == ',') {
						t.s = t.s[1:]
					}
				}
			} else {
				switch punctJoin[string(pc)+string(c)] {
				case 'd':
					t.s = t.s[len(string(c)):]
				case 'r':
					p.s = p.s[:len(p.s)-len(string(pc))]
				}
				if c == ' ' && pc == ' ' {
					t.s = t.s[1:]
				}
			}
		}
	next:
		if t.s != "" {
			prevPrev, prevPrevQuote = prev, prevQuote
			prev, prevQuote = i, quoteAt
		}
	}
}

// closingQuote finds the first closing quotation mark between tokens a and b,
// whether any of the closing marks there is the style's (not typed in the
// data), and whether a display block or an opening quote stands between.
func (fl *flattener) closingQuote(a, b int) (at int, styleQuote, blocked bool) {
	at = -1
	for j := a + 1; j < b; j++ {
		switch fl.toks[j].kind {
		case tQuoteClose:
			if at < 0 {
				at = j
			}
			if fl.toks[j].val != "data" {
				styleQuote = true
			}
		case tDisplayOpen, tDisplayClose, tQuoteOpen:
			blocked = true
		}
	}
	return at, styleQuote, blocked
}

// isQuotePunct reports text that is only a colon or semicolon, as a suffix
// after a quotation.
func isQuotePunct(s string) bool {
	return s == ":" || s == ";"
}

// punctJoin says what happens where two punctuation marks meet: 'd' drops the
// second, 'r' drops the first; others keep both.
var punctJoin = map[string]byte{
	"::": 'd', ";:": 'd', "!:": 'd', "?:": 'd',
	":.": 'd', "..": 'd', ";.": 'd', "!.": 'd', "?.": 'd',
	";;": 'd', "!!": 'd', "??": 'd', ",,": 'd',
	":!": 'r', ";!": 'r', ":?": 'r', ";?": 'r',
}

// renderText writes the tokens as plain text. A left-margin field (a
// citation number) is set off from the rest of the entry by a space.
func renderText(toks []tok) string {
	var b strings.Builder
	for _, t := range toks {
		switch t.kind {
		case tText, tQuoteOpen, tQuoteClose:
			b.WriteString(t.s)
		case tDisplayClose:
			if t.s == "left-margin" && b.Len() > 0 && !unicode.IsSpace(lastRune(b.String())) {
				b.WriteString(" ")
			}
		}
	}
	return b.String()
}

var htmlEscaper = strings.NewReplacer("&", "&#38;", "<", "&#60;", ">", "&#62;")

// renderHTML writes the tokens as HTML. Nested italics flip to normal (and
// bold and small caps likewise), as CSL processors conventionally do.
func renderHTML(toks []tok) string {
	var b strings.Builder
	b.Grow(256)
	var state [5]string // current value per formatting attribute (fmtOrder)
	type opened struct {
		close string
		attr  int
		prev  string
	}
	var stackBuf [16]opened
	stack := stackBuf[:0]
	for _, t := range toks {
		switch t.kind {
		case tText, tQuoteOpen, tQuoteClose:
			b.WriteString(superscripts(htmlEscaper.Replace(t.s)))
		case tOpen:
			val := t.val
			ai := attrIndex(t.attr)
			prev := state[ai]
			if val == prev && ai <= 2 && val != "normal" {
				val = "normal"
			} else if val == "normal" && (prev == "" || prev == "normal") {
				// Normal inside normal text changes nothing.
				stack = append(stack, opened{"", ai, prev})
				continue
			}
			open, cl := htmlTags(t.attr, val)
			b.WriteString(open)
			stack = append(stack, opened{cl, ai, prev})
			state[ai] = val
		case tClose:
			if len(stack) > 0 {
				o := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				b.WriteString(o.close)
				state[o.attr] = o.prev
			}
		case tDisplayOpen:
			b.WriteString(`<div class="csl-` + t.s + `">`)
		case tDisplayClose:
			b.WriteString("</div>")
		}
	}
	return b.String()
}

// attrIndex is the position of a formatting attribute in fmtOrder; the first
// three (style, variant, weight) flip when nested.
func attrIndex(a string) int {
	for i, x := range fmtOrder {
		if x == a {
			return i
		}
	}
	return 0
}

func htmlTags(attr, val string) (string, string) {
	switch attr + ":" + val {
	case "font-style:italic":
		return "<i>", "</i>"
	case "font-weight:bold":
		return "<b>", "</b>"
	case "vertical-align:sup":
		return "<sup>", "</sup>"
	case "vertical-align:sub":
		return "<sub>", "</sub>"
	case "vertical-align:baseline":
		return `<span style="baseline">`, "</span>"
	}
	return `<span style="` + attr + ":" + val + `;">`, "</span>"
}

// superscriptChars maps the Unicode superscript characters (those whose
// compatibility decomposition is tagged <super>, generated from the Unicode
// Character Database, Basic Multilingual Plane) to their base characters,
// which HTML output wraps in <sup>. Some locales write ordinals with them
// ("1ʳᵉ").
var superscriptChars = map[rune]string{
	'ˀ': "ʔ", // a modifier letter without the <super> tag, printed raised all the same
	'ª': "a", '²': "2", '³': "3", '¹': "1", 'º': "o", 'ʰ': "h", 'ʱ': "ɦ", 'ʲ': "j",
	'ʳ': "r", 'ʴ': "ɹ", 'ʵ': "ɻ", 'ʶ': "ʁ", 'ʷ': "w", 'ʸ': "y", 'ˠ': "ɣ", 'ˡ': "l",
	'ˢ': "s", 'ˣ': "x", 'ˤ': "ʕ", 'ჼ': "ნ", 'ᴬ': "A", 'ᴭ': "Æ", 'ᴮ': "B", 'ᴰ': "D",
	'ᴱ': "E", 'ᴲ': "Ǝ", 'ᴳ': "G", 'ᴴ': "H", 'ᴵ': "I", 'ᴶ': "J", 'ᴷ': "K", 'ᴸ': "L",
	'ᴹ': "M", 'ᴺ': "N", 'ᴼ': "O", 'ᴽ': "Ȣ", 'ᴾ': "P", 'ᴿ': "R", 'ᵀ': "T", 'ᵁ': "U",
	'ᵂ': "W", 'ᵃ': "a", 'ᵄ': "ɐ", 'ᵅ': "ɑ", 'ᵆ': "ᴂ", 'ᵇ': "b", 'ᵈ': "d", 'ᵉ': "e",
	'ᵊ': "ə", 'ᵋ': "ɛ", 'ᵌ': "ɜ", 'ᵍ': "g", 'ᵏ': "k", 'ᵐ': "m", 'ᵑ': "ŋ", 'ᵒ': "o",
	'ᵓ': "ɔ", 'ᵔ': "ᴖ", 'ᵕ': "ᴗ", 'ᵖ': "p", 'ᵗ': "t", 'ᵘ': "u", 'ᵙ': "ᴝ", 'ᵚ': "ɯ",
	'ᵛ': "v", 'ᵜ': "ᴥ", 'ᵝ': "β", 'ᵞ': "γ", 'ᵟ': "δ", 'ᵠ': "φ", 'ᵡ': "χ", 'ᵸ': "н",
	'ᶛ': "ɒ", 'ᶜ': "c", 'ᶝ': "ɕ", 'ᶞ': "ð", 'ᶟ': "ɜ", 'ᶠ': "f", 'ᶡ': "ɟ", 'ᶢ': "ɡ",
	'ᶣ': "ɥ", 'ᶤ': "ɨ", 'ᶥ': "ɩ", 'ᶦ': "ɪ", 'ᶧ': "ᵻ", 'ᶨ': "ʝ", 'ᶩ': "ɭ", 'ᶪ': "ᶅ",
	'ᶫ': "ʟ", 'ᶬ': "ɱ", 'ᶭ': "ɰ", 'ᶮ': "ɲ", 'ᶯ': "ɳ", 'ᶰ': "ɴ", 'ᶱ': "ɵ", 'ᶲ': "ɸ",
	'ᶳ': "ʂ", 'ᶴ': "ʃ", 'ᶵ': "ƫ", 'ᶶ': "ʉ", 'ᶷ': "ʊ", 'ᶸ': "ᴜ", 'ᶹ': "ʋ", 'ᶺ': "ʌ",
	'ᶻ': "z", 'ᶼ': "ʐ", 'ᶽ': "ʑ", 'ᶾ': "ʒ", 'ᶿ': "θ", '⁰': "0", 'ⁱ': "i", '⁴': "4",
	'⁵': "5", '⁶': "6", '⁷': "7", '⁸': "8", '⁹': "9", '⁺': "+", '⁻': "−", '⁼': "=",
	'⁽': "(", '⁾': ")", 'ⁿ': "n", '℠': "SM", '™': "TM", 'ⱽ': "V", 'ⵯ': "ⵡ", '㆒': "一",
	'㆓': "二", '㆔': "三", '㆕': "四", '㆖': "上", '㆗': "中", '㆘': "下", '㆙': "甲", '㆚': "乙",
	'㆛': "丙", '㆜': "丁", '㆝': "天", '㆞': "地", '㆟': "人", 'ꚜ': "ъ", 'ꚝ': "ь", 'ꝰ': "ꝯ",
	'ꟲ': "C", 'ꟳ': "F", 'ꟴ': "Q", 'ꟸ': "Ħ", 'ꟹ': "œ", 'ꭜ': "ꜧ", 'ꭝ': "ꬷ", 'ꭞ': "ɫ",
	'ꭟ': "ꭒ", 'ꭩ': "ʍ",
	'ˁ': "ʕ", 'ۥ': "و", 'ۦ': "ي",
}

func superscripts(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii || !strings.ContainsFunc(s, func(r rune) bool { _, ok := superscriptChars[r]; return ok }) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if p, ok := superscriptChars[r]; ok {
			b.WriteString("<sup>" + p + "</sup>")
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// trimDisplayStart drops the spaces that open an entry starting with a
// display block (a left-margin field with prefix=" "), as citeproc-js does.
func (fl *flattener) trimDisplayStart() {
	if len(fl.toks) == 0 || fl.toks[0].kind != tDisplayOpen {
		return
	}
	for j := 1; j < len(fl.toks); j++ {
		p := &fl.toks[j]
		if p.kind == tText {
			p.s = strings.TrimLeft(p.s, " ")
			if p.s != "" {
				return
			}
			continue
		}
		if p.kind != tOpen {
			return
		}
	}
}

// trimRightInline drops trailing spaces at the end of a right-inline block
// (the body of an entry whose first field is set in the margin).
func (fl *flattener) trimRightInline() {
	for i, t := range fl.toks {
		if t.kind != tDisplayClose || t.s != "right-inline" {
			continue
		}
		for j := i - 1; j >= 0; j-- {
			p := &fl.toks[j]
			if p.kind == tText {
				p.s = strings.TrimRight(p.s, " ")
				if p.s != "" {
					break
				}
				continue
			}
			if p.kind != tClose {
				break
			}
		}
	}
}
