package csl

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// stopWords are left lowercase by title case (CSL 1.0.2, Title case conversion).
var stopWords = map[string]bool{
	"a": true, "an": true, "and": true, "as": true, "at": true, "but": true, "by": true, "down": true,
	"for": true, "from": true, "in": true, "into": true, "nor": true, "of": true, "on": true, "onto": true,
	"or": true, "over": true, "so": true, "the": true, "till": true, "to": true, "up": true, "via": true,
	"with": true, "yet": true,
	// Further English prepositions that house styles keep lowercase in titles.
	"about": true, "above": true, "across": true, "after": true, "against": true, "along": true,
	"amid": true, "among": true, "around": true, "before": true, "behind": true, "below": true,
	"beneath": true, "beside": true, "between": true, "beyond": true, "despite": true, "during": true,
	"except": true, "inside": true, "like": true, "near": true, "off": true, "out": true, "per": true,
	"since": true, "than": true, "through": true, "toward": true, "towards": true, "under": true,
	"underneath": true, "until": true, "upon": true, "versus": true, "vs.": true, "within": true,
	"without": true, "v": true, "v.": true, "vs": true,
	// Name particles stay lowercase too.
	"von": true, "van": true, "de": true, "d’": true, "d'": true,
}

// caseLeaves returns the text leaves of n in order; leaves under a nocase node
// are returned with protected set.
func caseLeaves(n *node, protected bool, out *[]caseLeaf) {
	if n == nil {
		return
	}
	p := protected || n.nocase
	if n.kids == nil {
		*out = append(*out, caseLeaf{n, p})
		return
	}
	for _, k := range n.kids {
		caseLeaves(k, p, out)
	}
}

type caseLeaf struct {
	n         *node
	protected bool
}

// applyTextCase applies a CSL text-case to the text in n. Turkic languages
// (turkic) map i to İ and ı to I in upper and lower case.
func applyTextCase(n *node, tc string, titleOK, turkic bool) {
	var leaves []caseLeaf
	caseLeaves(n, false, &leaves)
	switch tc {
	case "lowercase":
		for _, l := range leaves {
			if !l.protected {
				if turkic {
					l.n.text = strings.ToLowerSpecial(unicode.TurkishCase, l.n.text)
				} else {
					l.n.text = strings.ToLower(l.n.text)
				}
			}
		}
	case "uppercase":
		for _, l := range leaves {
			if !l.protected {
				if turkic {
					l.n.text = strings.ToUpperSpecial(unicode.TurkishCase, l.n.text)
				} else {
					l.n.text = strings.ToUpper(l.n.text)
				}
			}
		}
	case "capitalize-first":
		capitalizeFirst(leaves)
	case "sentence":
		allUpper := true
		for _, l := range leaves {
			if !l.protected && hasLower(l.n.text) {
				allUpper = false
			}
		}
		if allUpper {
			for _, l := range leaves {
				if !l.protected {
					l.n.text = strings.ToLower(l.n.text)
				}
			}
		} else {
			// Capitalized words other than the first become lowercase;
			// acronyms and mixed-case words stay.
			wordCase(leaves, func(w string, first, last, afterColon bool) string {
				if first || !isCapitalized(w) {
					return w
				}
				return strings.ToLower(w)
			})
		}
		capitalizeFirst(leaves)
	case "capitalize-all":
		wordCase(leaves, func(w string, first, last, afterColon bool) string {
			if isLowerWord(w) {
				return upperFirst(w)
			}
			return w
		})
	case "title":
		if !titleOK {
			return
		}
		allUpper := true
		for _, l := range leaves {
			if !l.protected && hasLower(l.n.text) {
				allUpper = false
			}
		}
		_ = allUpper
		wordCase(leaves, func(w string, first, last, afterColon bool) string {
			lw := strings.ToLower(w)
			if stopWords[lw] && !first && !last && !afterColon {
				return w
			}
			if !first && !afterColon && utf8.RuneCountInString(w) == 1 {
				// A lone letter stays as written ("Saltvegane i Nord",
				// "Plan b"), as in citeproc-js.
				return w
			}
			if isLowerWord(w) {
				return upperFirst(w)
			}
			return w
		})
	}
}

// isCapitalized reports a word with an uppercase first letter and no other
// uppercase letters.
func isCapitalized(w string) bool {
	for i, r := range w {
		if i == 0 {
			if !unicode.IsUpper(r) {
				return false
			}
			continue
		}
		if unicode.IsUpper(r) {
			return false
		}
	}
	return utf8.RuneCountInString(w) > 1
}

func hasLower(s string) bool {
	for _, r := range s {
		if unicode.IsLower(r) {
			return true
		}
	}
	return false
}

func isLowerWord(w string) bool {
	for _, r := range w {
		if unicode.IsUpper(r) {
			return false
		}
	}
	return true
}

// upperFirst capitalizes the first letter of a word, unless the word starts
// with a digit ("12th").
func upperFirst(w string) string {
	for i, r := range w {
		if unicode.IsDigit(r) {
			return w
		}
		if unicode.IsLetter(r) {
			return w[:i] + string(unicode.ToTitle(r)) + w[i+utf8.RuneLen(r):]
		}
	}
	return w
}

func capitalizeFirst(leaves []caseLeaf) {
	for _, l := range leaves {
		if strings.IndexFunc(l.n.text, unicode.IsLetter) < 0 {
			continue
		}
		if !l.protected {
			l.n.text = upperFirst(l.n.text)
		}
		return
	}
}

// wordCase calls f for every word in the leaves (words split at spaces and
// hyphens), telling it whether the word is the first, the last, or follows a
// colon, and replaces the word with the result.
func wordCase(leaves []caseLeaf, f func(w string, first, last, afterColon bool) string) {
	type span struct {
		leaf       int
		start, end int
	}
	var words []span
	var afterColon []bool
	colon := false
	for li, l := range leaves {
		s := l.n.text
		i := 0
		for i < len(s) {
			r, sz := utf8.DecodeRuneInString(s[i:])
			if isWordSep(r) {
				if r == ':' || r == '?' || r == '!' {
					colon = true
				}
				i += sz
				continue
			}
			j := i
			for j < len(s) {
				r2, sz2 := utf8.DecodeRuneInString(s[j:])
				if isWordSep(r2) {
					break
				}
				j += sz2
			}
			words = append(words, span{li, i, j})
			afterColon = append(afterColon, colon)
			colon = false
			i = j
		}
	}
	// Rewrite from the end so that earlier offsets stay valid.
	for wi := len(words) - 1; wi >= 0; wi-- {
		w := words[wi]
		l := leaves[w.leaf]
		if l.protected {
			continue
		}
		s := l.n.text
		word := s[w.start:w.end]
		if utf8.RuneCountInString(word) == 1 && (strings.HasSuffix(s[:w.start], "-") || strings.HasPrefix(s[w.end:], "-")) {
			// One letter joined by a hyphen ("β-carotine", "07-x") keeps its case.
			continue
		}
		nw := f(word, wi == 0, wi == len(words)-1, afterColon[wi])
		l.n.text = s[:w.start] + nw + s[w.end:]
	}
}

func isWordSep(r rune) bool {
	return unicode.IsSpace(r) || r == '/' || r == '-' || r == ':' || r == '?' || r == '!' || r == '–' || r == '—' || r == '(' || r == ')' || r == '"' || r == '“' || r == '”'
}
