package pdf

import (
	"fmt"
	"strings"
	"unicode/utf16"
)

// Arabic letters change shape with their neighbours: a letter joined on
// both sides takes its medial form, one joined only to the letter before it
// its final form, and so on. fpdf draws characters as they come, so the
// forms are chosen here, from the presentation forms of Unicode (which
// DejaVu Sans draws), and the word carries its original letters as
// ActualText so that copying and text extraction give the letters, not the
// forms.

// joining is how an Arabic letter joins: its isolated presentation form,
// and whether it is dual-joining (joins the letter after it too, with
// initial and medial forms) or right-joining (final and isolated only).
type joining struct {
	isolated rune
	dual     bool
}

// arabicForms lists the letters of Arabic and Persian with their isolated
// presentation form; final, initial and medial forms follow it in order.
var arabicForms = map[rune]joining{
	'\u0622': {'\uFE81', false}, '\u0623': {'\uFE83', false}, '\u0624': {'\uFE85', false},
	'\u0625': {'\uFE87', false}, '\u0626': {'\uFE89', true}, '\u0627': {'\uFE8D', false},
	'\u0628': {'\uFE8F', true}, '\u0629': {'\uFE93', false}, '\u062A': {'\uFE95', true},
	'\u062B': {'\uFE99', true}, '\u062C': {'\uFE9D', true}, '\u062D': {'\uFEA1', true},
	'\u062E': {'\uFEA5', true}, '\u062F': {'\uFEA9', false}, '\u0630': {'\uFEAB', false},
	'\u0631': {'\uFEAD', false}, '\u0632': {'\uFEAF', false}, '\u0633': {'\uFEB1', true},
	'\u0634': {'\uFEB5', true}, '\u0635': {'\uFEB9', true}, '\u0636': {'\uFEBD', true},
	'\u0637': {'\uFEC1', true}, '\u0638': {'\uFEC5', true}, '\u0639': {'\uFEC9', true},
	'\u063A': {'\uFECD', true}, '\u0641': {'\uFED1', true}, '\u0642': {'\uFED5', true},
	'\u0643': {'\uFED9', true}, '\u0644': {'\uFEDD', true}, '\u0645': {'\uFEE1', true},
	'\u0646': {'\uFEE5', true}, '\u0647': {'\uFEE9', true}, '\u0648': {'\uFEED', false},
	'\u0649': {'\uFEEF', false}, '\u064A': {'\uFEF1', true},
	'\u067E': {'\uFB56', true}, '\u0686': {'\uFB7A', true}, '\u0698': {'\uFB8A', false},
	'\u06A9': {'\uFB8E', true}, '\u06AF': {'\uFB92', true}, '\u06CC': {'\uFBFC', true},
}

// lamAlef maps the alef that follows a lam to the isolated form of their
// ligature; the final form follows it.
var lamAlef = map[rune]rune{'\u0622': '\uFEF5', '\u0623': '\uFEF7', '\u0625': '\uFEF9', '\u0627': '\uFEFB'}

const (
	lam     = '\u0644'
	tatweel = '\u0640' // the joining stroke: joins on both sides, has no forms
)

// transparent reports whether r is a mark that joining looks through
// (harakat, the superscript alef).
func transparent(r rune) bool {
	return r >= '\u064B' && r <= '\u065F' || r == '\u0670'
}

// hasArabic reports whether rs holds a letter that shaping changes.
func hasArabic(rs []rune) bool {
	for _, r := range rs {
		if _, ok := arabicForms[r]; ok {
			return true
		}
	}
	return false
}

// shapeArabic replaces the Arabic letters of a word, in logical order, by
// their contextual forms and lam-alef ligatures, as far as drawable says a
// font has them; styles stay with their letters.
func shapeArabic(rs []rune, styles []int, drawable func(rune) bool) ([]rune, []int) {
	// neighbour finds the next letter from i in direction step, looking
	// through marks.
	neighbour := func(i, step int) rune {
		for j := i + step; j >= 0 && j < len(rs); j += step {
			if !transparent(rs[j]) {
				return rs[j]
			}
		}
		return 0
	}
	joinsNext := func(r rune) bool { // r can join the letter after it
		j, ok := arabicForms[r]
		return r == tatweel || ok && j.dual
	}
	joinsPrev := func(r rune) bool { // r can join the letter before it
		_, ok := arabicForms[r]
		return r == tatweel || ok
	}
	outR := make([]rune, 0, len(rs))
	outS := make([]int, 0, len(rs))
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		j, ok := arabicForms[r]
		if !ok {
			outR, outS = append(outR, r), append(outS, styles[i])
			continue
		}
		prev := joinsPrev(r) && joinsNext(neighbour(i, -1))
		if r == lam && i+1 < len(rs) {
			if lig, ok := lamAlef[rs[i+1]]; ok {
				if prev {
					lig++
				}
				if drawable(lig) {
					outR, outS = append(outR, lig), append(outS, styles[i])
					i++ // the alef is in the ligature
					continue
				}
			}
		}
		next := j.dual && joinsPrev(neighbour(i, +1))
		form := j.isolated
		switch {
		case prev && next:
			form += 3
		case next:
			form += 2
		case prev:
			form++
		}
		if !drawable(form) {
			form = r
		}
		outR, outS = append(outR, form), append(outS, styles[i])
	}
	return outR, outS
}

// actualText is the marked-content operator that gives the text of what
// follows it, up to EMC, for copying and extraction.
func actualText(s string) string {
	var b strings.Builder
	b.WriteString("/Span <</ActualText <FEFF")
	for _, u := range utf16.Encode([]rune(s)) {
		fmt.Fprintf(&b, "%04X", u)
	}
	b.WriteString(">>> BDC")
	return b.String()
}

func reverseRunes(s string) string {
	rs := []rune(s)
	for i, j := 0, len(rs)-1; i < j; i, j = i+1, j-1 {
		rs[i], rs[j] = rs[j], rs[i]
	}
	return string(rs)
}
