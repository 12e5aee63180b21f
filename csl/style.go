package csl

import (
	"crypto/sha256"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/ibid-dev/ibid"
)

// Style is a compiled CSL style. It is safe for concurrent use.
type Style struct {
	ID, Title     string
	Class         string // "in-text" or "note"
	DefaultLocale string
	// ParentURL is set for dependent styles: the id (URL) of the independent
	// parent, whose rendering instructions the style borrows.
	ParentURL string

	locales  []*Locale
	macros   map[string]*macro
	cit, bib *layoutSpec
	// attrs are the inheritable attributes of cs:style (name options,
	// page-range-format, demote-non-dropping-particle, ...).
	attrs map[string]string

	localeCache sync.Map // localeKey -> *locale
	// yearSuffixVar is true when the style renders year-suffix itself.
	yearSuffixVar bool
	// disambigCond is true when the style tests the disambiguate condition.
	disambigCond bool
	// numbered is true when the style prints citation numbers.
	numbered bool
	// usesDisplay is true when any element of the style has a display
	// attribute; the bibliography layout's affixes then go inside the first
	// and last fields, as citeproc-js places them.
	usesDisplay bool
}

// Dependent reports whether the style is a dependent style.
func (s *Style) Dependent() bool { return s.ParentURL != "" }

// HasBibliography reports whether the style defines a bibliography.
func (s *Style) HasBibliography() bool { return s.bib != nil }

// WithParent returns the rendering style for a dependent style: the parent's
// instructions, with the dependent's default locale when it names one.
func (s *Style) WithParent(parent *Style) (*Style, error) {
	if !s.Dependent() {
		return s, nil
	}
	if parent == nil || parent.Dependent() {
		return nil, ibid.Errorf(ibid.EINVALID, "the parent of a dependent style must be an independent style")
	}
	cp := &Style{ID: s.ID, Title: s.Title, Class: parent.Class, DefaultLocale: parent.DefaultLocale,
		locales: parent.locales, macros: parent.macros, cit: parent.cit, bib: parent.bib, attrs: parent.attrs,
		yearSuffixVar: parent.yearSuffixVar, disambigCond: parent.disambigCond, numbered: parent.numbered}
	if s.DefaultLocale != "" {
		cp.DefaultLocale = s.DefaultLocale
	}
	return cp, nil
}

type macro struct {
	name  string
	elems []elem
	// busy guards against macros that call themselves.
}

type layoutSpec struct {
	layout *groupElem
	sort   []sortKey
	attrs  map[string]string // own attributes (name options, options)
}

var (
	styleCache      sync.Map // [32]byte -> *Style
	styleCacheCount atomic.Int64
)

// maxCachedStyles bounds the style cache; when it fills up it starts afresh,
// so that a process fed endless distinct styles does not grow without limit.
const maxCachedStyles = 4096

// ParseStyle compiles a style (independent or dependent). Compiled styles are
// cached by the SHA-256 of their source, so parsing the same bytes again is
// cheap and returns the same *Style.
func ParseStyle(data []byte) (st *Style, err error) {
	sum := sha256.Sum256(data)
	if v, ok := styleCache.Load(sum); ok {
		return v.(*Style), nil
	}
	st, err = compile(data)
	if err != nil {
		return nil, err
	}
	if styleCacheCount.Add(1) > maxCachedStyles {
		styleCache.Clear()
		styleCacheCount.Store(1)
	}
	styleCache.Store(sum, st)
	return st, nil
}

// compile parses and compiles a style without the cache.
func compile(data []byte) (st *Style, err error) {
	defer recoverInvalid(&err)
	root, err := parseXML(data)
	if err != nil {
		return nil, err
	}
	return compileStyle(root)
}

// recoverInvalid turns a panic in the parser into an internal error. It is a
// last resort: the compiler is written to not panic, and fuzzing checks that.
func recoverInvalid(err *error) {
	if r := recover(); r != nil {
		*err = &ibid.Error{Code: ibid.EINTERNAL, Message: "the style could not be compiled", Err: fmt.Errorf("panic: %v", r)}
	}
}

func invalid(format string, args ...any) error {
	return ibid.Errorf(ibid.EINVALID, format, args...)
}

func compileStyle(root *xnode) (*Style, error) {
	if root.name != "style" {
		return nil, invalid("a style must have <style> as its root element, not <%s>", root.name)
	}
	st := &Style{Class: root.attr("class"), DefaultLocale: root.attr("default-locale"), attrs: root.attrs, macros: map[string]*macro{}}
	if info := root.child("info"); info != nil {
		if id := info.child("id"); id != nil {
			st.ID = strings.TrimSpace(id.text)
		}
		if t := info.child("title"); t != nil {
			st.Title = strings.TrimSpace(t.text)
		}
		for _, l := range info.children("link") {
			if l.attr("rel") == "independent-parent" {
				st.ParentURL = l.attr("href")
			}
		}
	}
	for _, l := range root.children("locale") {
		loc, err := compileLocale(l)
		if err != nil {
			return nil, err
		}
		st.locales = append(st.locales, loc)
	}
	if st.ParentURL != "" {
		return st, nil
	}
	if st.Class != "in-text" && st.Class != "note" {
		return nil, invalid("the style's class must be \"in-text\" or \"note\", not %q", st.Class)
	}
	c := &compiler{st: st, macroNodes: map[string]*xnode{}}
	for _, m := range root.children("macro") {
		name := m.attr("name")
		if name == "" {
			return nil, invalid("a <macro> has no name")
		}
		c.macroNodes[name] = m
	}
	// Compile macros lazily through c.macro so that order does not matter and
	// recursion is caught.
	for name := range c.macroNodes {
		if _, err := c.macro(name); err != nil {
			return nil, err
		}
	}
	cit := root.child("citation")
	if cit == nil {
		return nil, invalid("the style has no <citation>")
	}
	var err error
	if st.cit, err = c.layoutSpec(cit); err != nil {
		return nil, err
	}
	if b := root.child("bibliography"); b != nil {
		if st.bib, err = c.layoutSpec(b); err != nil {
			return nil, err
		}
	}
	// Macros may call each other many times over; a style whose layouts
	// would expand to too many elements is refused rather than rendered slowly.
	cost := map[*macro]int{}
	for _, ls := range []*layoutSpec{st.cit, st.bib} {
		if ls == nil {
			continue
		}
		n := elemsCost(ls.layout.kids, cost)
		for _, k := range ls.sort {
			if k.macro != nil {
				n += macroCost(k.macro, cost)
			}
		}
		if n > maxExpandedElems {
			return nil, invalid("the style is too complex: its layout expands to more than %d elements", maxExpandedElems)
		}
	}
	return st, nil
}

// maxExpandedElems bounds the number of elements a layout may expand to
// through its macros. The official APA style expands to about 10,000.
const maxExpandedElems = 1_000_000

func macroCost(m *macro, memo map[*macro]int) int {
	if n, ok := memo[m]; ok {
		return n
	}
	memo[m] = maxExpandedElems + 1 // guards against cycles, which compile refuses anyway
	n := elemsCost(m.elems, memo)
	memo[m] = n
	return n
}

func elemsCost(es []elem, memo map[*macro]int) int {
	n := 0
	for _, e := range es {
		n++
		switch e := e.(type) {
		case *textElem:
			if e.macro != nil {
				n += macroCost(e.macro, memo)
			}
		case *groupElem:
			n += elemsCost(e.kids, memo)
		case *chooseElem:
			for _, b := range e.branches {
				n += elemsCost(b.kids, memo)
			}
		case *namesElem:
			n += elemsCost(e.substitute, memo)
		}
		if n > maxExpandedElems {
			return n
		}
	}
	return n
}

type compiler struct {
	st         *Style
	macroNodes map[string]*xnode
	compiling  map[string]bool
}

func (c *compiler) macro(name string) (*macro, error) {
	if m, ok := c.st.macros[name]; ok {
		return m, nil
	}
	n, ok := c.macroNodes[name]
	if !ok {
		return nil, invalid("the style calls an undefined macro %q", name)
	}
	if c.compiling == nil {
		c.compiling = map[string]bool{}
	}
	if c.compiling[name] {
		return nil, invalid("the macro %q calls itself", name)
	}
	c.compiling[name] = true
	defer delete(c.compiling, name)
	elems, err := c.elems(n.kids)
	if err != nil {
		return nil, err
	}
	m := &macro{name: name, elems: elems}
	c.st.macros[name] = m
	return m, nil
}

func (c *compiler) layoutSpec(n *xnode) (*layoutSpec, error) {
	ls := &layoutSpec{attrs: n.attrs}
	l := n.child("layout")
	if l == nil {
		return nil, invalid("<%s> has no <layout>", n.name)
	}
	kids, err := c.elems(l.kids)
	if err != nil {
		return nil, err
	}
	ls.layout = &groupElem{kids: kids, delim: l.attr("delimiter"), common: compileCommon(l)}
	if s := n.child("sort"); s != nil {
		for _, k := range s.children("key") {
			sk := sortKey{variable: k.attr("variable"), desc: k.attr("sort") == "descending", attrs: k.attrs}
			if mn := k.attr("macro"); mn != "" {
				m, err := c.macro(mn)
				if err != nil {
					return nil, err
				}
				sk.macro = m
			} else if sk.variable == "" {
				return nil, invalid("a sort <key> needs a variable or a macro")
			}
			ls.sort = append(ls.sort, sk)
		}
	}
	return ls, nil
}

func (c *compiler) elems(ns []*xnode) ([]elem, error) {
	var out []elem
	for _, n := range ns {
		e, err := c.elem(n)
		if err != nil {
			return nil, err
		}
		if e != nil {
			out = append(out, e)
		}
	}
	return out, nil
}

func compileCommon(n *xnode) common {
	cm := common{
		f: format{fontStyle: n.attr("font-style"), fontVariant: n.attr("font-variant"),
			fontWeight: n.attr("font-weight"), textDecoration: n.attr("text-decoration"),
			verticalAlign: n.attr("vertical-align")},
		prefix: n.attr("prefix"), suffix: n.attr("suffix"), display: n.attr("display"),
		quotes: n.attr("quotes") == "true", stripPeriods: n.attr("strip-periods") == "true",
		textCase: n.attr("text-case"),
	}
	return cm
}

func (c *compiler) elem(n *xnode) (elem, error) {
	cm := compileCommon(n)
	if cm.display != "" {
		c.st.usesDisplay = true
	}
	switch n.name {
	case "text":
		t := &textElem{common: cm, variable: n.attr("variable"), form: n.attr("form"), term: n.attr("term"),
			plural: n.attr("plural") == "true", value: n.attr("value")}
		if t.form == "" {
			t.form = "long"
		}
		if t.variable == "year-suffix" {
			c.st.yearSuffixVar = true
		}
		if t.variable == "citation-number" {
			c.st.numbered = true
		}
		if mn := n.attr("macro"); mn != "" {
			m, err := c.macro(mn)
			if err != nil {
				return nil, err
			}
			t.macro = m
		}
		if t.variable == "" && t.macro == nil && t.term == "" && !n.has("value") {
			return nil, invalid("a <text> element needs a variable, macro, term or value")
		}
		return t, nil
	case "number":
		if n.attr("variable") == "" {
			return nil, invalid("a <number> element needs a variable")
		}
		return &numberElem{common: cm, variable: n.attr("variable"), form: n.attr("form")}, nil
	case "label":
		return &labelElem{common: cm, variable: n.attr("variable"), form: orDefault(n.attr("form"), "long"), plural: orDefault(n.attr("plural"), "contextual")}, nil
	case "date":
		return compileDate(n, false)
	case "names":
		return c.names(n)
	case "group":
		kids, err := c.elems(n.kids)
		if err != nil {
			return nil, err
		}
		return &groupElem{common: cm, delim: n.attr("delimiter"), kids: kids}, nil
	case "choose":
		ch := &chooseElem{}
		for _, b := range n.kids {
			if b.name != "if" && b.name != "else-if" && b.name != "else" {
				return nil, invalid("<choose> may contain only <if>, <else-if> and <else>, not <%s>", b.name)
			}
			kids, err := c.elems(b.kids)
			if err != nil {
				return nil, err
			}
			br := branch{kids: kids, match: orDefault(b.attr("match"), "all"), isElse: b.name == "else"}
			if b.has("disambiguate") {
				c.st.disambigCond = true
			}
			for _, a := range []string{"type", "variable", "is-numeric", "is-uncertain-date", "locator", "position", "disambiguate"} {
				if v, ok := b.attrs[a]; ok {
					for _, f := range strings.Fields(v) {
						br.conds = append(br.conds, cond{kind: a, val: f, varKind: varKindOf(f)})
					}
				}
			}
			ch.branches = append(ch.branches, br)
		}
		return ch, nil
	case "info", "sort":
		return nil, nil
	}
	return nil, invalid("unknown element <%s> in the style", n.name)
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func compileDate(n *xnode, inLocale bool) (*dateElem, error) {
	d := &dateElem{common: compileCommon(n), variable: n.attr("variable"), form: n.attr("form"),
		dateParts: orDefault(n.attr("date-parts"), "year-month-day"), delim: n.attr("delimiter")}
	if !inLocale && d.variable == "" {
		return nil, invalid("a <date> element needs a variable")
	}
	if d.form != "" && d.form != "text" && d.form != "numeric" {
		return nil, invalid("a <date> form must be \"text\" or \"numeric\", not %q", d.form)
	}
	for _, p := range n.children("date-part") {
		name := p.attr("name")
		if name != "day" && name != "month" && name != "year" {
			return nil, invalid("a <date-part> name must be day, month or year, not %q", name)
		}
		dp := &datePart{common: compileCommon(p), name: name, form: p.attr("form")}
		if p.has("range-delimiter") {
			dp.rangeDelim = p.attr("range-delimiter")
			dp.hasRangeDelim = true
		}
		dp.attrs = p.attrs
		d.parts = append(d.parts, dp)
	}
	return d, nil
}

func (c *compiler) names(n *xnode) (elem, error) {
	ne := &namesElem{common: compileCommon(n), variables: strings.Fields(n.attr("variable")), delim: n.attr("delimiter"), hasDelim: n.has("delimiter")}
	seenName := false
	for _, k := range n.kids {
		switch k.name {
		case "name":
			nm := &nameElem{common: compileCommon(k), attrs: k.attrs}
			for _, p := range k.children("name-part") {
				pc := compileCommon(p)
				switch p.attr("name") {
				case "given":
					nm.given = &pc
				case "family":
					nm.family = &pc
				}
			}
			ne.name = nm
			seenName = true
		case "et-al":
			ne.etal = &etalElem{common: compileCommon(k), term: orDefault(k.attr("term"), "et-al")}
		case "label":
			ne.label = &labelElem{common: compileCommon(k), form: orDefault(k.attr("form"), "long"), plural: orDefault(k.attr("plural"), "contextual")}
			ne.labelBefore = !seenName
		case "substitute":
			kids, err := c.elems(k.kids)
			if err != nil {
				return nil, err
			}
			ne.substitute = kids
		default:
			return nil, invalid("unknown element <%s> in <names>", k.name)
		}
	}
	if ne.name == nil {
		// Without a cs:name the label follows the (default) names.
		ne.labelBefore = false
	}
	return ne, nil
}

// atoiDefault parses a small non-negative integer attribute without
// allocating on failure (it is called for every name list).
func atoiDefault(s string, def int) int {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 9 {
		return def
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return def
		}
		n = n*10 + int(s[i]-'0')
	}
	return n
}
