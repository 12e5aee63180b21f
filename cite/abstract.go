package cite

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/ibid-dev/ibid"
)

// AbstractLimit is the length, in characters, that the abstract of the
// downloads and of the essay page's description stays within when its
// first sentence allows.
const AbstractLimit = 300

// Abstract returns the opening of an essay as whole sentences of its
// paragraphs, as many as fit in limit characters. A reference manager
// keeps it as the item's abstract, where a sentence cut off with "…"
// reads as a fault of the essay. The first sentence is kept whole even
// past limit, up to three times it; only a longer one is cut at a word
// and ended with "…". Without paragraphs it is "".
func Abstract(e *ibid.Essay, limit int) string {
	var out strings.Builder
	for _, b := range e.Blocks {
		if b.Type != ibid.Paragraph {
			continue
		}
		for _, s := range Sentences(b.Text) {
			n := utf8.RuneCountInString(s)
			if out.Len() == 0 {
				if n > 3*limit {
					return cutWords(s, limit)
				}
				out.WriteString(s)
				continue
			}
			if utf8.RuneCountInString(out.String())+1+n > limit {
				return out.String()
			}
			out.WriteByte(' ')
			out.WriteString(s)
		}
	}
	return out.String()
}

// cutWords shortens s to at most limit characters at a word boundary and
// marks the cut with "…".
func cutWords(s string, limit int) string {
	r := []rune(s)
	if len(r) <= limit {
		return s
	}
	cut := limit
	for cut > 0 && !unicode.IsSpace(r[cut]) {
		cut--
	}
	if cut == 0 {
		cut = limit
	}
	return strings.TrimRight(string(r[:cut]), " ,;:") + "…"
}

// abbreviations end with a full stop that does not end a sentence.
var abbreviations = map[string]bool{
	"mr.": true, "mrs.": true, "ms.": true, "dr.": true, "prof.": true, "st.": true, "jr.": true, "sr.": true,
	"vs.": true, "e.g.": true, "i.e.": true, "etc.": true, "cf.": true, "no.": true, "vol.": true, "pp.": true,
	"p.": true, "c.": true, "ca.": true, "fig.": true, "ed.": true, "eds.": true, "al.": true,
}

// Sentences splits a paragraph into sentences: a word ending in ".", "!",
// "?" or "…" (closing quotes and brackets may follow) ends one when the
// next word starts with a capital, a digit or an opening quote, unless it
// is a common abbreviation ("Dr.", "e.g.") or a single initial ("J.").
func Sentences(p string) []string {
	words := strings.Fields(p)
	var out []string
	start := 0
	for i, w := range words {
		if i+1 < len(words) && endsSentence(w) && startsSentence(words[i+1]) {
			out = append(out, strings.Join(words[start:i+1], " "))
			start = i + 1
		}
	}
	if start < len(words) {
		out = append(out, strings.Join(words[start:], " "))
	}
	return out
}

func endsSentence(w string) bool {
	core := strings.TrimRight(w, `"'”’)]`)
	last, _ := utf8.DecodeLastRuneInString(core)
	switch last {
	case '!', '?', '…':
		return true
	case '.':
	default:
		return false
	}
	if abbreviations[strings.ToLower(strings.TrimLeft(core, `"'“‘([`))] {
		return false
	}
	// "J." is an initial; "U.S." is an abbreviation.
	letters := strings.TrimSuffix(core, ".")
	if utf8.RuneCountInString(letters) == 1 || strings.Contains(letters, ".") {
		r, _ := utf8.DecodeRuneInString(letters)
		return !unicode.IsUpper(r) && !unicode.IsLower(r)
	}
	return true
}

func startsSentence(w string) bool {
	w = strings.TrimLeft(w, `"'“‘([`)
	r, _ := utf8.DecodeRuneInString(w)
	return unicode.IsUpper(r) || unicode.IsDigit(r)
}
