package csl

import (
	"strings"
	"sync"

	"github.com/ibid-dev/ibid"
)

// A Locale holds the terms, date formats and options of one locale file (or of
// one cs:locale element inside a style).
type Locale struct {
	Lang  string
	terms map[termKey]*term
	dates map[string]*dateElem // "text" and "numeric"
	// opts holds style-options attributes that were set.
	opts map[string]string
	// hasOrdinals records that this layer defines ordinal terms; they then
	// replace all ordinal terms of the layers below it (CSL 1.0.2, Ordinal Suffixes).
	hasOrdinals bool
}

type termKey struct {
	name   string
	form   string // long, short, verb, verb-short, symbol
	gender string // "", masculine, feminine (gender-form)
}

type term struct {
	single, multiple string
	gender           string // gender of the noun, for ordinals
	match            string // last-digit, last-two-digits, whole-number
}

// ParseLocale parses a CSL locale file (cs:locale as its root element).
func ParseLocale(data []byte) (loc *Locale, err error) {
	defer recoverInvalid(&err)
	root, err := parseXML(data)
	if err != nil {
		return nil, err
	}
	if root.name != "locale" {
		return nil, ibid.Errorf(ibid.EINVALID, "a locale file must have <locale> as its root element, not <%s>", root.name)
	}
	return compileLocale(root)
}

func compileLocale(n *xnode) (*Locale, error) {
	loc := &Locale{Lang: n.attr("xml:lang"), terms: map[termKey]*term{}, dates: map[string]*dateElem{}, opts: map[string]string{}}
	for _, k := range n.kids {
		switch k.name {
		case "style-options":
			for a, v := range k.attrs {
				loc.opts[a] = v
			}
		case "date":
			d, err := compileDate(k, true)
			if err != nil {
				return nil, err
			}
			loc.dates[k.attr("form")] = d
		case "terms":
			for _, t := range k.children("term") {
				tm := &term{gender: t.attr("gender"), match: t.attr("match")}
				if s := t.child("single"); s != nil {
					tm.single = blankTerm(s.text)
					tm.multiple = tm.single
					if m := t.child("multiple"); m != nil {
						tm.multiple = blankTerm(m.text)
					}
				} else {
					tm.single = blankTerm(t.text)
					tm.multiple = tm.single
				}
				form := t.attr("form")
				if form == "" {
					form = "long"
				}
				name := t.attr("name")
				if strings.HasPrefix(name, "ordinal") || strings.HasPrefix(name, "long-ordinal") {
					loc.hasOrdinals = true
				}
				loc.terms[termKey{name, form, t.attr("gender-form")}] = tm
			}
		}
	}
	return loc, nil
}

// blankTerm is a term's text as written, except that a term of only white
// space (a line break left between its tags) is empty, as citeproc-js reads it.
func blankTerm(s string) string {
	if strings.TrimSpace(s) == "" {
		return ""
	}
	return s
}

// LocaleStore finds locale files by language tag ("en-US", "de"). Lookups of
// unknown tags return nil.
type LocaleStore interface {
	Locale(lang string) *Locale
}

// LocaleMap is a LocaleStore keyed by the xml:lang of each locale.
type LocaleMap map[string]*Locale

// Locale implements LocaleStore.
func (m LocaleMap) Locale(lang string) *Locale { return m[lang] }

// Add parses a locale file and stores it under its xml:lang.
func (m LocaleMap) Add(data []byte) error {
	l, err := ParseLocale(data)
	if err != nil {
		return err
	}
	if l.Lang == "" {
		return ibid.Errorf(ibid.EINVALID, "the locale has no xml:lang")
	}
	m[l.Lang] = l
	return nil
}

// primaryDialects maps a bare language to the dialect whose file stands for it,
// as the CSL locales repository does.
var primaryDialects = map[string]string{
	"af": "af-ZA", "ar": "ar", "bg": "bg-BG", "ca": "ca-AD", "cs": "cs-CZ", "cy": "cy-GB",
	"da": "da-DK", "de": "de-DE", "el": "el-GR", "en": "en-US", "es": "es-ES", "et": "et-EE",
	"eu": "eu", "fa": "fa-IR", "fi": "fi-FI", "fr": "fr-FR", "he": "he-IL", "hr": "hr-HR",
	"hu": "hu-HU", "id": "id-ID", "is": "is-IS", "it": "it-IT", "ja": "ja-JP", "km": "km-KH",
	"ko": "ko-KR", "la": "la", "lt": "lt-LT", "lv": "lv-LV", "mn": "mn-MN", "nb": "nb-NO",
	"nl": "nl-NL", "nn": "nn-NO", "pl": "pl-PL", "pt": "pt-PT", "ro": "ro-RO", "ru": "ru-RU",
	"sk": "sk-SK", "sl": "sl-SI", "sr": "sr-RS", "sv": "sv-SE", "th": "th-TH", "tr": "tr-TR",
	"uk": "ua-UA", "vi": "vi-VN", "zh": "zh-CN",
}

// locale is the merged view used while rendering: layers from most to least
// specific.
type locale struct {
	lang   string
	layers []*Locale
	// ordinalLayers are the layers searched for ordinal terms: those down to and
	// including the first layer that defines any.
	ordinalLayers []*Locale
	opts          map[string]string
	dates         map[string]*dateElem
	// merged holds, for each term name, the most specific definition of each
	// form and gender; ordinal terms are merged from ordinalLayers only. A
	// name has only a few forms, so they are scanned rather than hashed.
	merged map[string][]formTerm
	// effParts caches the date-parts of localized dates per style cs:date
	// (*dateElem -> effDate).
	effParts sync.Map
}

type formTerm struct {
	form, gender string
	t            *term
}

func (l *locale) setMerged(k termKey, t *term) {
	fs := l.merged[k.name]
	for i := range fs {
		if fs[i].form == k.form && fs[i].gender == k.gender {
			fs[i].t = t
			return
		}
	}
	l.merged[k.name] = append(fs, formTerm{k.form, k.gender, t})
}

type effDate struct {
	parts []*datePart
	delim string
}

func baseLang(lang string) string {
	if i := strings.IndexAny(lang, "-_"); i > 0 {
		return lang[:i]
	}
	return lang
}

// buildLocale merges, from most to least specific: the style's cs:locale for the
// exact tag, for the bare language, and without xml:lang; the locale file for the
// tag, for the language's primary dialect; and en-US.
func buildLocale(st *Style, lang string, store LocaleStore) *locale {
	var layers []*Locale
	base := baseLang(lang)
	for _, want := range []string{lang, base, ""} {
		for _, l := range st.locales {
			if l.Lang == want {
				layers = append(layers, l)
			}
		}
	}
	seen := map[*Locale]bool{}
	for _, l := range layers {
		seen[l] = true
	}
	if store != nil {
		for _, tag := range []string{lang, primaryDialects[base], "en-US"} {
			if l := store.Locale(tag); l != nil && !seen[l] {
				seen[l] = true
				layers = append(layers, l)
			}
		}
	}
	// Deduplicate style layers when lang == base.
	var uniq []*Locale
	dup := map[*Locale]bool{}
	for _, l := range layers {
		if !dup[l] {
			dup[l] = true
			uniq = append(uniq, l)
		}
	}
	loc := &locale{lang: lang, layers: uniq, opts: map[string]string{}, dates: map[string]*dateElem{}}
	for i := len(uniq) - 1; i >= 0; i-- {
		for k, v := range uniq[i].opts {
			loc.opts[k] = v
		}
		for k, v := range uniq[i].dates {
			loc.dates[k] = v
		}
	}
	for _, l := range uniq {
		loc.ordinalLayers = append(loc.ordinalLayers, l)
		if l.hasOrdinals {
			break
		}
	}
	loc.merged = map[string][]formTerm{}
	for i := len(uniq) - 1; i >= 0; i-- {
		for k, t := range uniq[i].terms {
			if !isOrdinalTerm(k.name) {
				loc.setMerged(k, t)
			}
		}
	}
	for i := len(loc.ordinalLayers) - 1; i >= 0; i-- {
		for k, t := range loc.ordinalLayers[i].terms {
			if isOrdinalTerm(k.name) {
				loc.setMerged(k, t)
			}
		}
	}
	return loc
}

func isOrdinalTerm(name string) bool {
	return strings.HasPrefix(name, "ordinal") || strings.HasPrefix(name, "long-ordinal")
}

// formFallback lists the forms tried for a term form, per the spec: verb-short
// falls back to verb then long, symbol to short then long, short to long.
var formFallback = map[string][]string{
	"long":       {"long"},
	"short":      {"short", "long"},
	"verb":       {"verb", "long"},
	"verb-short": {"verb-short", "verb", "long"},
	"symbol":     {"symbol", "short", "long"},
}

// term finds a term; ok is false when no layer defines it.
func (l *locale) term(name, form, gender string) (*term, bool) {
	forms := formFallback[form]
	if forms == nil {
		forms = []string{"long"}
	}
	fts := l.merged[name]
	if len(fts) == 0 {
		return nil, false
	}
	for _, f := range forms {
		if gender != "" {
			for _, ft := range fts {
				if ft.form == f && ft.gender == gender {
					return ft.t, true
				}
			}
		}
		for _, ft := range fts {
			if ft.form == f && ft.gender == "" {
				return ft.t, true
			}
		}
	}
	return nil, false
}

// termText returns the single or plural form of a term, "" when undefined.
func (l *locale) termText(name, form string, plural bool) string {
	t, ok := l.term(name, form, "")
	if !ok {
		return ""
	}
	if plural {
		return t.multiple
	}
	return t.single
}

func (l *locale) opt(name string) string { return l.opts[name] }
