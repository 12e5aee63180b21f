// Package text holds the text primitives every other package relies on:
// Unicode normalisation, word tokens with rune offsets, word and page counts,
// reading time and URL slugs. It is pure: no I/O, no storage.
package text

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Token is a word of a text with its position in runes.
type Token struct {
	Text   string // the word as it appears in the text
	Offset int    // rune offset of its first rune
	Length int    // length in runes
}

// Tokens splits s into words by Unicode word boundaries (UAX #29). Segments
// without a letter or digit (spaces, punctuation) are not words.
func Tokens(s string) []Token {
	// Prose averages about six bytes a word: one allocation mostly.
	toks := make([]Token, 0, len(s)/6+1)
	scanWords(s, func(w string, off, n int) {
		toks = append(toks, Token{Text: w, Offset: off, Length: n})
	})
	if len(toks) == 0 {
		return nil
	}
	return toks
}

// Words counts the words of s by Unicode word boundaries: the number of
// Tokens, without making them. Every essay stored is counted, and a call
// per word and the rune offsets were most of the cost.
func Words(s string) int {
	n := 0
	for len(s) > 0 {
		line := s
		if i := strings.IndexByte(s, '\n'); i >= 0 {
			line = s[:i+1]
		}
		s = s[len(line):]
		if simple(line) {
			n += fastCount(line)
		} else {
			unisegWords(line, 0, func(string, int, int) { n++ })
		}
	}
	return n
}

// DefaultWordsPerPage is the essay-site convention: 500 words make one
// single-spaced page, so 3,836 words read "8 pages".
const DefaultWordsPerPage = 500

// ReadingWPM is the mean adult silent-reading rate for non-fiction.
const ReadingWPM = 238

// Pages returns ceil(words / perPage), at least 1 for a non-empty text.
// A perPage of 0 or less means DefaultWordsPerPage.
func Pages(words, perPage int) int {
	if perPage <= 0 {
		perPage = DefaultWordsPerPage
	}
	if words <= 0 {
		return 0
	}
	return (words + perPage - 1) / perPage
}

// ReadingMinutes returns the reading time at ReadingWPM, rounded to the
// nearest minute and at least 1 for a non-empty text.
func ReadingMinutes(words int) int {
	if words <= 0 {
		return 0
	}
	m := (words + ReadingWPM/2) / ReadingWPM
	if m < 1 {
		m = 1
	}
	return m
}

// WordsForPages returns the inclusive range of word counts that show as the
// given number of pages, for filters written in pages.
func WordsForPages(pages, perPage int) (min, max int) {
	if perPage <= 0 {
		perPage = DefaultWordsPerPage
	}
	if pages <= 0 {
		return 0, 0
	}
	return (pages-1)*perPage + 1, pages * perPage
}

// Normalize returns s in Unicode NFC with runs of white space (including
// non-breaking spaces and line breaks) collapsed to single spaces and trimmed.
// Extractors use it for the inline text of blocks.
func Normalize(s string) string {
	// Most text is ASCII, and most of it is normal already (the blocks of
	// an extracted document are normalised twice): such text is returned
	// as it is, with no copy, and other ASCII text is collapsed byte by
	// byte. Both give what the general path below gives, since NFC leaves
	// ASCII unchanged (TestNormalizeASCII).
	if normal, ascii := asciiNormal(s); normal {
		return s
	} else if ascii {
		return normalizeASCII(s)
	}
	if unicodeNormal(s) {
		return s
	}
	return normalizeUnicode(s)
}

// unicodeNormal reports whether s is what Normalize makes of it: valid
// UTF-8 in NFC, without control characters, and without white space but
// single ASCII spaces between other characters. Checking costs less than
// a copy, and extractors normalise every block twice.
func unicodeNormal(s string) bool {
	// Text of ASCII and of the Latin letters and typographic punctuation
	// that NFC leaves alone whatever stands around them (nfcInert) is
	// checked in one pass here, without asking the norm package about
	// every rune; anything else goes the general way.
	space := true // a space may not lead
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == ' ':
				if space {
					return false
				}
				space = true
			case c < 0x20 || c == 0x7F: // ASCII white space other than ' ', and controls
				return false
			default:
				space = false
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if !nfcInert(r) {
			return unicodeNormalGeneral(s)
		}
		space = false
		i += n
	}
	return !space || s == ""
}

// nfcInert reports whether r is one of the non-ASCII characters that are
// in NFC, never combine with a character before them, and are neither
// white space nor a control: the Latin-1 letters and signs after the
// no-break space, Latin Extended-A and -B, IPA and the spacing modifiers
// (all before the combining accents at U+0300), and the general
// punctuation of typeset text (dashes, quotes, bullets, ellipsis, per
// mille, primes), the euro and the trade mark signs. A text of ASCII and
// these is in NFC (TestNFCInert).
func nfcInert(r rune) bool {
	return r > 0xA0 && r < 0x300 || r >= 0x2010 && r <= 0x2027 || r >= 0x2030 && r <= 0x205E || r == 0x20AC || r == 0x2122
}

// unicodeNormalGeneral is unicodeNormal for any text.
func unicodeNormalGeneral(s string) bool {
	if !utf8.ValidString(s) || !norm.NFC.IsNormalString(s) {
		return false
	}
	space := true // a space may not lead
	for _, r := range s {
		switch {
		case r == ' ':
			if space {
				return false
			}
			space = true
			continue
		case unicode.IsSpace(r) || r == '\u00a0' || r == '\u200b' || r == '\ufeff' || unicode.IsControl(r):
			return false
		}
		space = false
	}
	return !space || s == ""
}

// normalizeUnicode is Normalize for any text.
func normalizeUnicode(s string) string {
	s = norm.NFC.String(s)
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) || r == '\u00a0' || r == '\u200b' || r == '\ufeff' {
			space = true
			continue
		}
		if unicode.IsControl(r) {
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

// asciiNormal reports whether s is ASCII, and whether it is also what
// Normalize makes of it: no control characters, no white space but single
// spaces between other characters.
func asciiNormal(s string) (normal, ascii bool) {
	normal = len(s) == 0 || s[0] != ' ' && s[len(s)-1] != ' '
	// Eight bytes at a time (TestASCIINormalWords): a block of text is
	// checked twice by every extractor, byte by byte this was the most
	// costly part of reading plain text after its boilerplate tests.
	const lo7, hi = 0x7F7F7F7F7F7F7F7F, 0x8080808080808080
	i := 0
	var prevSpace uint64 // 0x80 when the byte before the chunk is a space
	for ; i+8 <= len(s); i += 8 {
		x := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
			uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
		if x&hi != 0 {
			return false, false
		}
		if !normal {
			continue // only whether it is ASCII is left to know
		}
		// Every byte is below 0x80 now, so adding to one never carries
		// into the next: a byte below 0x20 stays below 0x80 after adding
		// 0x60, and 0x7F alone reaches 0x80 after adding 1.
		ctl := ^(x + 0x6060606060606060) & hi
		del := (x + 0x0101010101010101) & hi
		// The spaces: the bytes equal to 0x20 are the zero bytes of y,
		// and only they have 0x80 after adding 0x7F to y's low 7 bits
		// not set, with y's own high bit clear.
		y := x ^ 0x2020202020202020
		sp := ^((y&lo7 + lo7) | y | lo7)
		if ctl|del != 0 || sp&(sp<<8|prevSpace) != 0 {
			normal = false
		}
		prevSpace = sp >> 56
	}
	for ; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= utf8.RuneSelf:
			return false, false
		case c < 0x20 || c == 0x7F:
			normal = false
		case c == ' ' && i+1 < len(s) && s[i+1] == ' ':
			normal = false
		case c == ' ' && i > 0 && s[i-1] == ' ':
			normal = false
		}
	}
	return normal, true
}

// normalizeASCII is Normalize for ASCII text: the white space of ASCII is
// "\t\n\v\f\r " (unicode.IsSpace), its other control characters are
// below 0x20 and 0x7F (unicode.IsControl).
func normalizeASCII(s string) string {
	b := make([]byte, 0, len(s))
	space := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c >= '\t' && c <= '\r':
			space = true
			continue
		case c < 0x20 || c == 0x7F:
			continue
		}
		if space && len(b) > 0 {
			b = append(b, ' ')
		}
		space = false
		b = append(b, c)
	}
	return string(b)
}

// Slugify turns s into a lower-case URL slug of ASCII letters, digits and
// hyphens, at most 80 bytes, folding accents ("Économie" → "economie").
// A text with nothing to keep gives "".
func Slugify(s string) string {
	s = norm.NFKD.String(s)
	var b strings.Builder
	hyphen := false
	for _, r := range s {
		switch {
		case r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			if hyphen && b.Len() > 0 {
				b.WriteByte('-')
			}
			hyphen = false
			b.WriteRune(unicode.ToLower(r))
		case unicode.Is(unicode.Mn, r):
			// combining marks left by NFKD: drop them so accents fold
		case r == '\'' || r == '’':
			// apostrophes join: "Europe's" → "europes"
		default:
			hyphen = true
		}
	}
	out := b.String()
	if len(out) > 80 {
		// cut at a word boundary so that slugs never end mid-word
		out = out[:80]
		if i := strings.LastIndexByte(out, '-'); i > 0 {
			out = out[:i]
		}
	}
	return strings.TrimRight(out, "-")
}
