package csl

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// elem is a compiled rendering element.
type elem interface {
	render(c *ctx) *node
}

// common holds the attributes shared by rendering elements.
type common struct {
	f              format
	prefix, suffix string
	display        string
	quotes         bool
	stripPeriods   bool
	textCase       string
}

// ctx is the state of rendering one cite or one bibliography entry.
type ctx struct {
	st      *Style
	loc     *locale
	spec    *layoutSpec
	bib     bool // rendering the bibliography
	item    *Item
	cite    *Cite
	citeNum int
	// yearSuffix is the disambiguating suffix ("a", "b", ...) of the item.
	yearSuffix string
	// suppressed holds variables already used by cs:substitute.
	suppressed map[string]bool
	// called and rendered count variables for the group suppression rule.
	called, rendered int
	// sortKey renders names as for sorting (all names in sort order).
	sortKey bool
	// sortNames overrides et-al settings while rendering a sort key.
	sortEtAlMin, sortEtAlUseFirst, sortEtAlUseLast string
	// disambiguation state: disambiguate is the number of
	// disambiguate="true" tests that pass; disambTests and disambPassed
	// count those met and passed so far.
	disambiguate              int
	disambTests, disambPassed int
	addNames                  int            // extra names shown beyond et-al-use-first
	givenLevel                int            // 0 none, 1 initials, 2 full given names
	personLevel               map[string]int // the same, per person (see Processor)
	depth                     int
	yearSuffixUsed            bool
	// parentNames is set while rendering cs:substitute: a bare cs:names
	// there inherits its children.
	parentNames *namesElem
	// recording, when set, collects the variables rendered (for substitute).
	recording *[]string
	// firstNames is the first rendered cs:names output of a bibliography entry
	// (for subsequent-author-substitute) or, with trackNames, of a cite.
	firstNames *node
	firstList  *node
	trackNames bool
	// skipFirstNames leaves out the first cs:names output (cite collapsing).
	skipFirstNames bool
	namesSeen      bool
	// ambig is set while rendering a cite to find ambiguous ones: as in
	// citeproc-js, the accessed date does not tell cites apart there.
	ambig bool
	// paren, in a note style's citation, counts the parentheses that the
	// affixes of groups and macro calls have opened (see flipParens).
	paren *int
}

// record notes a rendered variable. Inside cs:substitute it is suppressed at
// once, so that a substituted variable prints only once even within the
// substituting element.
func (c *ctx) record(v string) {
	if c.recording != nil {
		*c.recording = append(*c.recording, v)
		if c.suppressed == nil {
			c.suppressed = map[string]bool{}
		}
		c.suppressed[v] = true
	}
}

const maxRenderDepth = 64

// pageFirstRe finds the first page of a page variable.
var pageFirstRe = regexp.MustCompile(`^[^\s,&–-]*\d+[^\s,&–-]*|^[ivxlcdm]+`)

// value returns the text of an ordinary or number variable of the current item.
func (c *ctx) value(name string) string {
	if c.suppressed[name] {
		return ""
	}
	return c.rawValue(name)
}

// rawValue is value without the suppression of substituted variables: the
// conditions of cs:choose still see a variable that cs:substitute printed.
func (c *ctx) rawValue(name string) string {
	switch name {
	case "locator":
		if c.cite != nil {
			return strings.TrimSpace(c.cite.Locator)
		}
		return ""
	case "citation-number":
		if c.citeNum > 0 {
			return strconv.Itoa(c.citeNum)
		}
		return ""
	case "year-suffix":
		return c.yearSuffix
	case "citation-label":
		if v := c.item.Vars[name]; v != "" {
			return v + c.yearSuffix
		}
		return c.trigraph()
	case "first-reference-note-number":
		if c.cite != nil && c.cite.FirstNote > 0 && !c.bib {
			return strconv.Itoa(c.cite.FirstNote)
		}
		return ""
	case "page-first":
		if v := c.item.Vars[name]; v != "" {
			return v
		}
		if m := pageFirstRe.FindString(c.item.Vars["page"]); m != "" {
			return m
		}
		return ""
	}
	return c.item.Vars[name]
}

// trigraph makes the default citation-label: letters of the authors' family
// names and the two-digit year ("Doe65", "RoNo78", "DoRoNoAb00").
func (c *ctx) trigraph() string {
	var names []Name
	for _, v := range []string{"author", "editor", "translator"} {
		if ns := c.item.Names[v]; len(ns) > 0 {
			names = ns
			break
		}
	}
	var b strings.Builder
	take := func(s string, n int) {
		r := []rune(s)
		if len(r) > n {
			r = r[:n]
		}
		b.WriteString(string(r))
	}
	switch {
	case len(names) == 1:
		take(names[0].Family+names[0].Literal, 4)
	case len(names) >= 2 && len(names) <= 3:
		for _, n := range names {
			take(n.Family+n.Literal, 2)
		}
	case len(names) >= 4:
		for _, n := range names[:4] {
			take(n.Family+n.Literal, 1)
		}
	}
	if d := c.item.Dates["issued"]; d != nil && len(d.Parts) > 0 && d.Parts[0][0] != 0 {
		fmt.Fprintf(&b, "%02d", d.Parts[0][0]%100)
	}
	if b.Len() == 0 {
		return ""
	}
	return b.String() + c.yearSuffix
}

// shortValue returns the short form of a variable, falling back to the long form.
func (c *ctx) shortValue(name string) string {
	if c.suppressed[name] {
		return ""
	}
	for _, alt := range shortForms[name] {
		if v := c.item.Vars[alt]; v != "" {
			return v
		}
	}
	return c.value(name)
}

var shortForms = map[string][]string{
	"title":                 {"title-short", "shortTitle"},
	"container-title":       {"container-title-short", "journalAbbreviation"},
	"container-title-short": {"journalAbbreviation"},
	"collection-title":      {"collection-title-short"},
}

// hasVar reports whether a variable of any kind is non-empty.
func (c *ctx) hasVar(name string) bool {
	if c.suppressed[name] {
		return false
	}
	if nameVars[name] {
		return len(c.item.Names[name]) > 0
	}
	if dateVars[name] {
		return c.item.Dates[name] != nil
	}
	return c.value(name) != ""
}

// renderAll renders a list of elements, splicing the output of cs:choose into
// the list so that an enclosing delimiter applies between its children.
func (c *ctx) renderAll(elems []elem) []*node {
	// Most calls render nothing (untaken branches, empty variables), so the
	// slice is allocated only when something appears.
	var out []*node
	for i, e := range elems {
		if ch, ok := e.(*chooseElem); ok {
			if sub := c.renderAll(ch.pick(c)); len(sub) > 0 {
				if out == nil {
					out = make([]*node, 0, len(sub)+len(elems)-i-1)
				}
				out = append(out, sub...)
			}
			continue
		}
		if n := e.render(c); n != nil {
			if out == nil {
				out = make([]*node, 0, len(elems)-i)
			}
			out = append(out, n)
		}
	}
	return out
}

// wrap applies text-case, strip-periods, formatting, quotes, affixes and display.
func (c *ctx) wrap(cm *common, n *node) *node {
	if n == nil {
		return nil
	}
	if cm.stripPeriods {
		stripPeriods(n)
	}
	if cm.textCase != "" {
		applyTextCase(n, cm.textCase, c.titleCaseOK(), c.turkic())
	}
	if cm.f.zero() && cm.prefix == "" && cm.suffix == "" && !cm.quotes && cm.display == "" {
		return n
	}
	if n.f.zero() && n.prefix == "" && n.suffix == "" && !n.quotes && n.display == "" && !n.nocase {
		// Reuse the node rather than nesting another level.
		n.f, n.prefix, n.suffix, n.quotes, n.display = fmtPtr(&cm.f), cm.prefix, cm.suffix, cm.quotes, cm.display
		return n
	}
	return &node{kids: []*node{n}, f: fmtPtr(&cm.f), prefix: cm.prefix, suffix: cm.suffix, quotes: cm.quotes, display: cm.display}
}

// titleCaseOK reports whether title case may be applied: only to English items
// (per the item's language, or the locale when the item has none).
// turkic reports an item in Turkish or Azerbaijani, whose dotted and dotless
// i change case differently.
func (c *ctx) turkic() bool {
	lang := strings.ToLower(c.item.Vars["language"])
	if lang == "" {
		lang = strings.ToLower(c.loc.lang)
	}
	return lang == "tr" || lang == "az" || strings.HasPrefix(lang, "tr-") || strings.HasPrefix(lang, "az-")
}

func (c *ctx) titleCaseOK() bool {
	lang := c.item.Vars["language"]
	if lang == "" {
		return strings.HasPrefix(c.loc.lang, "en")
	}
	return strings.HasPrefix(strings.ToLower(lang), "en")
}

func stripPeriods(n *node) {
	if n == nil {
		return
	}
	if n.kids == nil {
		n.text = strings.ReplaceAll(n.text, ".", "")
	}
	for _, k := range n.kids {
		stripPeriods(k)
	}
}

// textElem is cs:text.
type textElem struct {
	common
	variable, form, term, value string
	plural                      bool
	macro                       *macro
}

// leadingWordRe finds a value that starts with a word ("US 9,876,543"): a
// name with a number, one thing, not a list.
var leadingWordRe = regexp.MustCompile(`^\s*\pL{2,}\s`)

var hyphenRangeRe = regexp.MustCompile(`(\d)\s*-\s*(\d)`)

func (t *textElem) render(c *ctx) *node {
	var n *node
	// macroCommon is t.common with the parentheses of a macro call's
	// affixes flipped by nesting (see flipParens).
	macroCommon := &t.common
	switch {
	case t.variable != "":
		// year-suffix is the processor's, not the item's: an empty one does
		// not make a group vanish (APA's "(n.d.)" relies on this).
		if t.variable != "year-suffix" {
			c.called++
		}
		var v string
		if t.form == "short" {
			v = c.shortValue(t.variable)
		} else {
			v = c.value(t.variable)
		}
		if v == "" {
			return nil
		}
		c.rendered++
		c.record(t.variable)
		switch t.variable {
		case "page":
			v = c.andSymbol(formatPageRange(v, c.st.attrs["page-range-format"], c.pageDelim()))
		case "locator":
			// Locator ranges are written out in full unless the style says
			// otherwise.
			v = c.andSymbol(formatPageRange(v, orDefault(c.st.attrs["page-range-format"], "expanded"), c.pageDelim()))
		case "year-suffix":
			c.yearSuffixUsed = true
		case "citation-label":
			// The label carries the year-suffix ("RoNo78a"); the year
			// then goes without it, as in citeproc-js.
			c.yearSuffixUsed = c.yearSuffixUsed || c.yearSuffix != ""
		case "issue", "volume", "number", "collection-number", "chapter-number", "number-of-volumes", "part-number", "supplement-number", "printing":
			// A range of numbers ("3-4") is a range, set with an en dash.
			if strings.Contains(v, "-") && isNumeric(v) {
				v = hyphenRangeRe.ReplaceAllString(v, "$1–$2")
			}
		}
		if t.variable == "URL" || t.variable == "DOI" {
			n = leaf(v)
		} else {
			n = parseRich(v)
		}
	case t.macro != nil:
		if c.depth > maxRenderDepth {
			return nil
		}
		// A macro call is suppressed, like a group, when it calls variables
		// and all of them are empty.
		c.depth++
		if c.paren != nil {
			macroCommon = c.flipCommon(&t.common)
		}
		called, rendered := c.called, c.rendered
		c.called, c.rendered = 0, 0
		kids := c.renderAll(t.macro.elems)
		ic, ir := c.called, c.rendered
		c.called, c.rendered = called+ic, rendered+ir
		c.depth--
		if c.paren != nil {
			macroCommon = c.flipSuffix(macroCommon, &t.common)
		}
		if ic > 0 && ir == 0 {
			return nil
		}
		n = group("", kids...)
		if n != nil && ic == 0 {
			// A macro that prints only terms ("In") counts, like a nested
			// group, as content for the group around it (NLM's "In." with
			// no container, as citeproc-js prints it).
			c.rendered++
		}
	case t.term != "":
		n = leaf(c.loc.termText(t.term, t.form, t.plural))
		if n != nil {
			// "n.d." takes no implicit year-suffix: as in citeproc-js, only a
			// rendered year or the style's own year-suffix variable does.
			n.term = true
		}
	default:
		// Text values may carry the same markup as field values.
		n = parseRich(t.value)
	}
	return c.wrap(macroCommon, n)
}

func (c *ctx) pageDelim() string {
	if t, ok := c.loc.term("page-range-delimiter", "long", ""); ok {
		return t.single
	}
	return "–"
}

// groupElem is cs:group (and the layout).
type groupElem struct {
	common
	delim string
	kids  []elem
}

func (g *groupElem) render(c *ctx) *node {
	cm := &g.common
	if c.paren != nil {
		cm = c.flipCommon(cm)
	}
	called, rendered := c.called, c.rendered
	c.called, c.rendered = 0, 0
	kids := c.renderAll(g.kids)
	if c.paren != nil {
		cm = c.flipSuffix(cm, &g.common)
	}
	innerCalled, innerRendered := c.called, c.rendered
	c.called, c.rendered = called+innerCalled, rendered+innerRendered
	if innerCalled > 0 && innerRendered == 0 {
		return nil
	}
	n := group(g.delim, kids...)
	if n == nil {
		return nil
	}
	// A non-empty nested group counts as rendered content for the group
	// around it, even when it holds only terms or text values.
	c.rendered++
	// A group that rendered only terms and text values (no variables) still
	// appears; the suppression rule only applies when variables were called.
	return c.wrap(cm, n)
}

// flipParens rewrites the parentheses of an affix by their nesting in a note
// style's citation, as citeproc-js does: a parenthesis inside another becomes
// a square bracket, "(Fjord Books, 1994; originally published as X [Nordlys,
// 1987])". depth counts the parentheses open so far in the citation.
func flipParens(s string, depth *int) string {
	if !strings.ContainsAny(s, "()") {
		return s
	}
	b := []byte(s)
	for i, ch := range b {
		switch ch {
		case '(':
			if *depth%2 == 1 {
				b[i] = '['
			}
			*depth++
		case ')':
			if *depth%2 == 0 {
				b[i] = ']'
			}
			*depth--
		}
	}
	return string(b)
}

// flipCommon returns cm with its prefix's parentheses flipped (a copy when
// they change).
func (c *ctx) flipCommon(cm *common) *common {
	p := flipParens(cm.prefix, c.paren)
	if p == cm.prefix {
		return cm
	}
	cp := *cm
	cp.prefix = p
	return &cp
}

// flipSuffix returns cm (or a copy of orig) with the suffix's parentheses
// flipped.
func (c *ctx) flipSuffix(cm, orig *common) *common {
	sfx := flipParens(orig.suffix, c.paren)
	if sfx == orig.suffix {
		return cm
	}
	if cm == orig {
		cp := *orig
		cm = &cp
	}
	cm.suffix = sfx
	return cm
}

// chooseElem is cs:choose.
type chooseElem struct {
	branches []branch
}

type branch struct {
	conds  []cond
	match  string
	isElse bool
	kids   []elem
}

type cond struct {
	kind, val string
	varKind   uint8 // for variable conditions: varName, varDate or varOther
}

const (
	varOther uint8 = iota
	varName
	varDate
)

func varKindOf(name string) uint8 {
	switch {
	case nameVars[name]:
		return varName
	case dateVars[name]:
		return varDate
	}
	return varOther
}

func (ch *chooseElem) render(c *ctx) *node {
	return group("", c.renderAll(ch.pick(c))...)
}

func (ch *chooseElem) pick(c *ctx) []elem {
	for _, b := range ch.branches {
		if b.isElse || c.test(&b) {
			return b.kids
		}
	}
	return nil
}

func (c *ctx) test(b *branch) bool {
	if len(b.conds) == 0 {
		return false
	}
	for _, cd := range b.conds {
		ok := c.cond(cd)
		switch b.match {
		case "any":
			if ok {
				return true
			}
		case "none":
			if ok {
				return false
			}
		default:
			if !ok {
				return false
			}
		}
	}
	return b.match != "any"
}

func (c *ctx) cond(cd cond) bool {
	switch cd.kind {
	case "type":
		return c.item.Type == cd.val
	case "variable":
		switch cd.varKind {
		case varName:
			return len(c.item.Names[cd.val]) > 0
		case varDate:
			return c.item.Dates[cd.val] != nil
		}
		return c.rawValue(cd.val) != ""
	case "is-numeric":
		return isNumeric(c.value(cd.val))
	case "is-uncertain-date":
		d := c.item.Dates[cd.val]
		return d != nil && d.Circa
	case "locator":
		if c.cite == nil || c.cite.Locator == "" {
			return false
		}
		l := c.locatorLabel()
		return l == cd.val || (cd.val == "sub-verbo" && l == "sub verbo")
	case "position":
		if c.bib || c.cite == nil {
			return false
		}
		p := c.cite.Position
		switch cd.val {
		case "first":
			return p == 0
		case "subsequent":
			return p >= 1
		case "ibid":
			return p >= 2
		case "ibid-with-locator":
			return p == 3
		case "near-note":
			return c.cite.NearNote
		}
	case "disambiguate":
		if cd.val != "true" {
			return c.disambiguate == 0
		}
		// As in citeproc-js, the disambiguation level says how many
		// disambiguate="true" tests pass, in the order they are met, so
		// that cites gain only as much extra text as they need.
		c.disambTests++
		if c.disambPassed < c.disambiguate {
			c.disambPassed++
			return true
		}
		return false
	}
	return false
}

// locatorTerms are the locator types of CSL 1.0.2.
var locatorTerms = []string{"act", "appendix", "article-locator", "book", "canon", "chapter", "column",
	"elocation", "equation", "figure", "folio", "issue", "line", "note", "opus", "page", "paragraph",
	"part", "rule", "scene", "section", "sub-verbo", "supplement", "table", "timestamp", "title-locator",
	"verse", "volume"}

// labelledNumber renders numeric content whose later parts carry labels of
// their own ("7, p. 3-8" -> "7th, pp. 3–8"): the unlabelled numbers take the
// form, each label its locale short form, singular or plural as its number.
func (c *ctx) labelledNumber(v, form, variable string) (string, bool) {
	parts := strings.Split(v, ",")
	out := make([]string, len(parts))
	labelled := false
	for i, p := range parts {
		p = strings.TrimSpace(p)
		if isNumeric(p) {
			out[i] = c.formatNumber(p, form, variable)
			continue
		}
		word, rest, ok := strings.Cut(p, " ")
		if !ok || !isNumeric(rest) {
			return "", false
		}
		term := ""
		for _, t := range locatorTerms {
			if word == c.loc.termText(t, "short", false) || word == c.loc.termText(t, "short", true) {
				term = t
				break
			}
		}
		if term == "" {
			return "", false
		}
		labelled = true
		out[i] = c.loc.termText(term, "short", isPluralNumber(rest)) + " " + c.formatNumber(rest, "numeric", variable)
	}
	return strings.Join(out, ", "), labelled
}

// labelledLocator reports a locator that starts with a locator label of its
// own, in the locale's short form ("vol. 1", "s.v. gargoyle").
func (c *ctx) labelledLocator(v string) bool {
	word, _, ok := strings.Cut(strings.TrimSpace(v), " ")
	if !ok || !strings.HasSuffix(word, ".") {
		return false
	}
	for _, t := range locatorTerms {
		if word == c.loc.termText(t, "short", false) || word == c.loc.termText(t, "short", true) {
			return true
		}
	}
	return false
}

func (c *ctx) locatorLabel() string {
	if c.cite == nil || c.cite.Label == "" {
		return "page"
	}
	return c.cite.Label
}

// andSymbol writes the locale's symbol for "and" between numbers ("5 & 7").
func (c *ctx) andSymbol(v string) string {
	if !strings.Contains(v, " & ") {
		return v
	}
	if s := c.loc.termText("and", "symbol", false); s != "" && s != "&" {
		return strings.ReplaceAll(v, " & ", " "+s+" ")
	}
	return v
}

// andPlural reports numbers joined by the locale's word for "and" ("213 et 235").
func (c *ctx) andPlural(v string) bool {
	for _, form := range []string{"long", "symbol"} {
		if and := c.loc.termText("and", form, false); and != "" && strings.Contains(v, " "+and+" ") {
			return true
		}
	}
	return false
}

// numberElem is cs:number.
type numberElem struct {
	common
	variable, form string
}

func (ne *numberElem) render(c *ctx) *node {
	c.called++
	v := c.value(ne.variable)
	if v == "" {
		return nil
	}
	c.rendered++
	c.record(ne.variable)
	var n *node
	if isNumeric(v) {
		n = leaf(c.formatNumber(v, ne.form, ne.variable))
	} else if s, ok := c.labelledNumber(v, ne.form, ne.variable); ok {
		n = leaf(s)
	} else {
		// Non-numeric content is printed as it is, markup included.
		n = leaf(v)
	}
	return c.wrap(&ne.common, n)
}

// labelElem is cs:label, alone or inside cs:names.
type labelElem struct {
	common
	variable, form, plural string
}

func (l *labelElem) render(c *ctx) *node {
	v := c.value(l.variable)
	if v == "" && c.recording != nil && slices.Contains(*c.recording, l.variable) {
		// The variable was printed just now by the substitute being
		// rendered; its label goes with it ("5th ed.").
		v = c.rawValue(l.variable)
	}
	if v == "" {
		if l.variable == "volume" && c.rawValue("number-of-volumes") != "" {
			// "(4 vols)": Harvard labels number-of-volumes with the volume
			// term; citeproc-js prints a label whatever its variable holds.
			return c.wrap(&l.common, leaf(c.loc.termText("volume", l.form, false)))
		}
		return nil
	}
	termName := l.variable
	if l.variable == "locator" {
		termName = c.locatorLabel()
		if c.labelledLocator(v) {
			// "vol. 1, fol. 186" carries its own labels.
			return nil
		}
	}
	plural := false
	switch l.plural {
	case "always":
		plural = true
	case "never":
	default:
		if l.variable == "number-of-pages" || l.variable == "number-of-volumes" {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			plural = err == nil && n > 1
		} else {
			plural = isPluralNumber(v) && !leadingWordRe.MatchString(v) || c.andPlural(v)
		}
	}
	t := c.loc.termText(termName, l.form, plural)
	if t == "" {
		return nil
	}
	n := leaf(t)
	return c.wrap(&l.common, n)
}
