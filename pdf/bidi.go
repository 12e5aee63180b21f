package pdf

import (
	"unicode"

	"golang.org/x/text/unicode/bidi"
)

// Word directions.
const (
	neutral int8 = iota
	ltr
	rtl
)

// direction is the direction of the first strong letter of s, or neutral
// for digits and punctuation.
func direction(s string) int8 {
	for _, r := range s {
		p, _ := bidi.LookupRune(r)
		switch p.Class() {
		case bidi.L:
			return ltr
		case bidi.R, bidi.AL:
			return rtl
		}
	}
	return neutral
}

// baseRTL reports whether a block reads right to left: its first strong
// letter is Hebrew, Arabic or another right-to-left script (rules P2 and P3
// of the Unicode bidirectional algorithm).
func baseRTL(ws []word) bool {
	for _, w := range ws {
		if w.dir != neutral {
			return w.dir == rtl
		}
	}
	return false
}

// visual reorders a line from logical to visual order, word by word: a
// simplified Unicode bidirectional algorithm in which words are the units.
// Neutral words between two words of one direction take it, others take the
// block's; runs are then reversed by embedding level (rule L2), and the
// letters of right-to-left words are reversed too. PDF text is drawn left to
// right, so this is what makes Hebrew read correctly and lets text
// extraction, which undoes the visual order, give back the logical one.
func visual(ln line, baseIsRTL bool) line {
	has := false
	for _, w := range ln.words {
		if w.dir == rtl {
			has = true
			break
		}
	}
	if !has {
		return ln
	}
	base := ltr
	if baseIsRTL {
		base = rtl
	}
	n := len(ln.words)
	// Resolve neutral words (rules N1 and N2, at the word level).
	dirs := make([]int8, n)
	for i, w := range ln.words {
		dirs[i] = w.dir
	}
	for i := 0; i < n; {
		if dirs[i] != neutral {
			i++
			continue
		}
		j := i
		for j < n && dirs[j] == neutral {
			j++
		}
		before, after := base, base
		if i > 0 {
			before = dirs[i-1]
		}
		if j < n {
			after = dirs[j]
		}
		d := base
		if before == after {
			d = before
		}
		for k := i; k < j; k++ {
			dirs[k] = d
		}
		i = j
	}
	// Embedding levels: 0 for LTR text in an LTR block, 1 for RTL text, 2
	// for LTR text inside an RTL block.
	levels := make([]int, n)
	maxL := 0
	for i, d := range dirs {
		switch {
		case d == rtl:
			levels[i] = 1
		case base == rtl:
			levels[i] = 2
		}
		maxL = max(maxL, levels[i])
	}
	out := line{w: ln.w, words: make([]word, n)}
	copy(out.words, ln.words)
	for lv := maxL; lv >= 1; lv-- {
		for i := 0; i < n; {
			if levels[i] < lv {
				i++
				continue
			}
			j := i
			for j < n && levels[j] >= lv {
				j++
			}
			for a, b := i, j-1; a < b; a, b = a+1, b-1 {
				out.words[a], out.words[b] = out.words[b], out.words[a]
				levels[a], levels[b] = levels[b], levels[a]
			}
			i = j
		}
	}
	for i, w := range out.words {
		if w.dir == rtl {
			out.words[i] = mirrorWord(w)
		}
	}
	return out
}

// mirrorWord reverses the letters of a right-to-left word, keeping each
// combining mark after its base letter.
func mirrorWord(w word) word {
	spans := make([]span, len(w.spans))
	for i, s := range w.spans {
		spans[len(w.spans)-1-i] = span{s: reverseClusters(s.s), key: s.key, w: s.w}
	}
	w.spans = spans
	return w
}

func reverseClusters(s string) string {
	rs := []rune(s)
	out := make([]rune, 0, len(rs))
	for end := len(rs); end > 0; {
		start := end - 1
		for start > 0 && (unicode.Is(unicode.Mn, rs[start]) || unicode.Is(unicode.Me, rs[start])) {
			start--
		}
		out = append(out, rs[start:end]...)
		end = start
	}
	return string(out)
}
