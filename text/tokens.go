package text

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/rivo/uniseg"
)

// Word segmentation has two paths that give the same tokens. uniseg
// implements all of UAX #29 and is the reference; it costs most of the time
// of preparing a text. Most text is ASCII with some Latin letters and
// typographic punctuation, where the rules that can join two characters into
// one word reduce to a few, so such text takes a fast path.
//
// The text is cut after every line feed: UAX #29 always breaks after a line
// feed (WB3a) and no rule looks back across one, so the segments of a text
// are the segments of its lines. A line whose characters all have a class
// below takes the fast path; any other line goes to uniseg. FuzzTokens and
// TestFastPathMatchesUniseg check that both give the same tokens.

// wbClass is the Word_Break property (UAX #29) of a character, for the
// characters the fast path knows. Classes that only matter next to
// characters the fast path does not know (CR, LF, Newline, WSegSpace,
// Double_Quote) are folded into wbOther.
type wbClass uint8

const (
	wbUnknown      wbClass = iota // not handled by the fast path
	wbOther                       // joins nothing
	wbLetter                      // ALetter
	wbNumeric                     // Numeric
	wbMidLetter                   // MidLetter: joins letters (a:b)
	wbMidNumLet                   // MidNumLetQ: joins letters and numbers (can't, 3.5)
	wbMidNum                      // MidNum: joins numbers (1,000)
	wbExtendNumLet                // ExtendNumLet: joins with letters, numbers and itself (a_b)
)

// asciiClass is the class of every ASCII character.
var asciiClass = func() (c [utf8.RuneSelf]wbClass) {
	for r := range c {
		c[r] = wbOther
	}
	for r := 'a'; r <= 'z'; r++ {
		c[r], c[r-'a'+'A'] = wbLetter, wbLetter
	}
	for r := '0'; r <= '9'; r++ {
		c[r] = wbNumeric
	}
	c[':'] = wbMidLetter
	c['.'], c['\''] = wbMidNumLet, wbMidNumLet
	c[','], c[';'] = wbMidNum, wbMidNum
	c['_'] = wbExtendNumLet
	return c
}()

// latinClass returns the class of a non-ASCII character: the letters of
// Latin-1 and Latin Extended-A, and the punctuation of typeset prose.
func latinClass(r rune) wbClass {
	switch {
	case r >= 0xC0 && r <= 0x17F && r != 0xD7 && r != 0xF7: // À…ſ but × ÷
		return wbLetter
	}
	switch r {
	case '‘', '’':
		return wbMidNumLet
	case '\u00a0', '«', '»', '–', '—', '“', '”', '…', '•', '°', '§', '¶':
		return wbOther
	}
	return wbUnknown
}

// simple reports whether every character of line has a known class.
func simple(line string) bool {
	for i := 0; i < len(line); {
		if line[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(line[i:])
		if latinClass(r) == wbUnknown { // U+FFFD (also invalid UTF-8) included
			return false
		}
		i += n
	}
	return true
}

// classAt returns the class of the character at byte i of a simple line and
// its size in bytes.
func classAt(line string, i int) (wbClass, int) {
	if b := line[i]; b < utf8.RuneSelf {
		return asciiClass[b], 1
	}
	r, n := utf8.DecodeRuneInString(line[i:])
	return latinClass(r), n
}

// ScanWords calls emit with each word of s that Tokens returns, in order:
// its text, its rune offset and its length in runes. It builds no slice,
// for callers that keep less of a word than a Token.
func ScanWords(s string, emit func(w string, off, n int)) { scanWords(s, emit) }

// scanWords calls emit with each word of s (a segment holding a letter or
// a digit), its rune offset and its length in runes, in order.
func scanWords(s string, emit func(w string, off, n int)) {
	off := 0
	for len(s) > 0 {
		line := s
		if i := strings.IndexByte(s, '\n'); i >= 0 {
			line = s[:i+1]
		}
		s = s[len(line):]
		if simple(line) {
			off = fastWords(line, off, emit)
		} else {
			off = unisegWords(line, off, emit)
		}
	}
}

// fastWords segments a line whose characters all have a known class, with
// the rules of UAX #29 that can apply to them:
//
//	WB5  Letter × Letter            WB8  Numeric × Numeric
//	WB9  Letter × Numeric           WB10 Numeric × Letter
//	WB6, WB7    Letter × (MidLetter | MidNumLetQ) × Letter
//	WB11, WB12  Numeric × (MidNum | MidNumLetQ) × Numeric
//	WB13a (Letter | Numeric | ExtendNumLet) × ExtendNumLet
//	WB13b ExtendNumLet × (Letter | Numeric)
//
// and a break everywhere else (WB999). Only a letter, a digit or an
// ExtendNumLet can start a segment that holds a word. It returns the rune
// offset after the line.
func fastWords(line string, off int, emit func(w string, off, n int)) int {
	for i := 0; i < len(line); {
		c, n := classAt(line, i)
		if c != wbLetter && c != wbNumeric && c != wbExtendNumLet {
			i += n
			off++
			continue
		}
		start, startOff := i, off
		word := c != wbExtendNumLet
		prev := c
		i += n
		off++
		for i < len(line) {
			c, n := classAt(line, i)
			switch c {
			case wbLetter, wbNumeric, wbExtendNumLet:
				// WB5, WB8, WB9, WB10, WB13a, WB13b: these three join
				// each other in any order.
				word = word || c != wbExtendNumLet
				prev = c
				i += n
				off++
				continue
			case wbMidLetter, wbMidNumLet, wbMidNum:
				// WB6/WB7 and WB11/WB12: a middle character joins two
				// letters or two numbers, never a letter and a number.
				if i+n < len(line) {
					next, m := classAt(line, i+n)
					joins := prev == wbLetter && next == wbLetter && c != wbMidNum ||
						prev == wbNumeric && next == wbNumeric && c != wbMidLetter
					if joins {
						i += n + m
						off += 2
						continue
					}
				}
			}
			break
		}
		if word {
			emit(line[start:i], startOff, off-startOff)
		}
	}
	return off
}

// fastCount is len of what fastWords emits for line: the same rules,
// without offsets or a call per word (TestWordsCount).
func fastCount(line string) int {
	count := 0
	for i := 0; i < len(line); {
		c, n := classAt(line, i)
		i += n
		if c != wbLetter && c != wbNumeric && c != wbExtendNumLet {
			continue
		}
		word := c != wbExtendNumLet
		prev := c
		for i < len(line) {
			c, n := classAt(line, i)
			switch c {
			case wbLetter, wbNumeric, wbExtendNumLet:
				word = word || c != wbExtendNumLet
				prev = c
				i += n
				continue
			case wbMidLetter, wbMidNumLet, wbMidNum:
				if i+n < len(line) {
					next, m := classAt(line, i+n)
					joins := prev == wbLetter && next == wbLetter && c != wbMidNum ||
						prev == wbNumeric && next == wbNumeric && c != wbMidLetter
					if joins {
						i += n + m
						continue
					}
				}
			}
			break
		}
		if word {
			count++
		}
	}
	return count
}

// unisegWords segments text with uniseg, the reference implementation of
// UAX #29. It returns the rune offset after the text.
func unisegWords(s string, off int, emit func(w string, off, n int)) int {
	state := -1
	for len(s) > 0 {
		var seg string
		seg, s, state = uniseg.FirstWordInString(s, state)
		n := utf8.RuneCountInString(seg)
		if isWord(seg) {
			emit(seg, off, n)
		}
		off += n
	}
	return off
}

func isWord(seg string) bool {
	for _, r := range seg {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return true
		}
	}
	return false
}
