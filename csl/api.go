package csl

import (
	"fmt"
	"strings"
	"sync"

	"github.com/ibid-dev/ibid"
)

// Options configure rendering.
type Options struct {
	// Locale is the language tag to render in; when empty the style's
	// default-locale is used, and en-US when the style names none.
	Locale string
	// Locales supplies locale files. Without it only the style's own
	// cs:locale elements are available.
	Locales LocaleStore
}

// Entry is one rendered bibliography entry or citation.
type Entry struct {
	ID   string // the item id (bibliography entries only)
	Text string
	HTML string
}

// Processor renders citations and a bibliography for one set of items. It
// holds per-document state (citation numbers, disambiguation) and is not safe
// for concurrent use; the Style it came from is.
type Processor struct {
	st    *Style
	loc   *locale
	items []Item
	byID  map[string]int
	// per-item state, indexed like items.
	citeNum    []int
	yearSuffix []string
	addNames   []int
	givenLevel []int
	// personLevel expands the given names of particular people in cites:
	// 1 initials, 2 full given names (given-name disambiguation).
	personLevel map[string]int
	disamb      []int
	// paren counts open parentheses while a note style's citation renders
	// (see flipParens); nil otherwise.
	paren    *int
	bibOrder []int
}

type localeKey struct {
	lang    string
	a, b, c *Locale
}

// locale returns the merged locale for a language, cached on the style.
func (s *Style) locale(opt Options) *locale {
	lang := opt.Locale
	if lang == "" {
		lang = s.DefaultLocale
	}
	if lang == "" {
		lang = "en-US"
	}
	k := localeKey{lang: lang}
	if opt.Locales != nil {
		k.a = opt.Locales.Locale(lang)
		k.b = opt.Locales.Locale(primaryDialects[baseLang(lang)])
		k.c = opt.Locales.Locale("en-US")
	}
	if v, ok := s.localeCache.Load(k); ok {
		return v.(*locale)
	}
	l := buildLocale(s, lang, opt.Locales)
	s.localeCache.Store(k, l)
	return l
}

// NewProcessor prepares items for rendering: it sorts the bibliography,
// numbers the items and disambiguates cites.
func (s *Style) NewProcessor(items []Item, opt Options) (p *Processor, err error) {
	if s.Dependent() {
		return nil, ibid.Errorf(ibid.EINVALID, "the style %q is a dependent style; resolve its parent with WithParent", s.Title)
	}
	if len(items) > maxItems {
		return nil, ibid.Errorf(ibid.ETOOLARGE, "too many items (more than %d)", maxItems)
	}
	defer recoverRender(&err)
	p = &Processor{st: s, loc: s.locale(opt), items: items, byID: make(map[string]int, len(items))}
	n := len(items)
	p.citeNum = make([]int, n)
	p.yearSuffix = make([]string, n)
	p.addNames = make([]int, n)
	p.givenLevel = make([]int, n)
	p.personLevel = map[string]int{}
	p.disamb = make([]int, n)
	for i, it := range items {
		// With duplicate ids the last item wins, as in citation managers
		// that update an item by sending it again.
		p.byID[it.ID] = i
		p.citeNum[i] = i + 1
	}
	p.sortBibliography()
	p.disambiguate()
	return p, nil
}

func recoverRender(err *error) {
	if r := recover(); r != nil {
		*err = &ibid.Error{Code: ibid.EINTERNAL, Message: "the citation could not be rendered", Err: errorf("panic: %v", r)}
	}
}

func (p *Processor) newCtx(i int, spec *layoutSpec, bib bool, cite *Cite) *ctx {
	return &ctx{st: p.st, loc: p.loc, spec: spec, bib: bib, item: &p.items[i], cite: cite,
		citeNum: p.citeNum[i], yearSuffix: p.yearSuffix[i], addNames: p.addNames[i],
		givenLevel: p.givenLevel[i], disambiguate: p.disamb[i], personLevel: p.personLevel}
}

// sortBibliography orders the bibliography and assigns citation numbers.
func (p *Processor) sortBibliography() {
	idx := make([]int, len(p.items))
	for i := range idx {
		idx[i] = i
	}
	if p.st.bib != nil && len(p.st.bib.sort) > 0 {
		keys := p.st.bib.sort
		usesNumber := false
		for _, k := range keys {
			if k.variable == "citation-number" {
				usesNumber = true
			}
		}
		sortIndices(idx, keys, func(i int) []keyValue {
			c := p.newCtx(i, p.st.bib, true, nil)
			out := make([]keyValue, len(keys))
			for j := range keys {
				out[j] = c.sortValue(&keys[j])
			}
			return out
		})
		if !usesNumber {
			for pos, i := range idx {
				p.citeNum[i] = pos + 1
			}
		}
	}
	p.bibOrder = idx
}

// citeText renders the plain text of an item's cite alone, for disambiguation.
func (p *Processor) citeText(i int) string {
	s, _ := p.citeTextTests(i)
	return s
}

// citeTextTests is citeText that also counts the disambiguate="true" tests
// the cite meets.
func (p *Processor) citeTextTests(i int) (string, int) {
	c := p.newCtx(i, p.st.cit, false, &Cite{ID: p.items[i].ID, Position: 1, NearNote: true})
	c.yearSuffix = ""
	c.ambig = true
	n := group("", c.renderAll(p.st.cit.layout.kids)...)
	return n.plain(), c.disambTests
}

// disambiguate applies the style's disambiguation methods in the order the
// specification gives: given names, more names, the disambiguate condition,
// and year suffixes.
func (p *Processor) disambiguate() {
	attrs := p.st.cit.attrs
	addGiven := attrs["disambiguate-add-givenname"] == "true"
	addNames := attrs["disambiguate-add-names"] == "true"
	addYear := attrs["disambiguate-add-year-suffix"] == "true"
	if len(p.items) < 2 || !addGiven && !addNames && !addYear && !p.st.disambigCond {
		return
	}
	ambiguous := func(set []int) [][]int {
		groups := map[string][]int{}
		var order []string
		for _, i := range set {
			t := p.citeText(i)
			if _, ok := groups[t]; !ok {
				order = append(order, t)
			}
			groups[t] = append(groups[t], i)
		}
		var out [][]int
		for _, t := range order {
			if len(groups[t]) > 1 {
				out = append(out, groups[t])
			}
		}
		return out
	}
	all := make([]int, len(p.items))
	for i := range all {
		all[i] = i
	}
	rule := attrs["givenname-disambiguation-rule"]
	if addGiven && rule != "" && rule != "by-cite" {
		// Name disambiguation for the whole document: people who share a
		// family name are told apart everywhere, whether or not their cites
		// are ambiguous.
		maxLevel := 2
		if strings.HasSuffix(rule, "with-initials") {
			maxLevel = 1
		}
		p.expandPersons(all, strings.HasPrefix(rule, "primary-name"), maxLevel)
	}
	groups := ambiguous(all)
	if len(groups) == 0 {
		return
	}
	var still [][]int
	for _, g := range groups {
		if addGiven && (rule == "" || rule == "by-cite") {
			p.expandPersons(g, false, 2)
		}
		if addNames && len(ambiguous(g)) > 0 {
			p.addNamesTo(g)
		}
		for _, sub := range ambiguous(g) {
			still = append(still, sub)
		}
	}
	if p.st.disambigCond {
		// Raise the disambiguation level of a group one test at a time;
		// cites that become distinct keep their level. A group that the
		// tests do not tell apart keeps them all, as citeproc-js does, and
		// goes on to year suffixes.
		var rest [][]int
		var raise func(g []int, level int)
		raise = func(g []int, level int) {
			for _, i := range g {
				p.disamb[i] = level
			}
			subs := ambiguous(g)
			if len(subs) == 0 {
				return
			}
			tests := 0
			for _, i := range g {
				_, n := p.citeTextTests(i)
				tests = max(tests, n)
			}
			if level >= tests {
				rest = append(rest, subs...)
				return
			}
			for _, sub := range subs {
				raise(sub, level+1)
			}
		}
		for _, g := range still {
			raise(g, 1)
		}
		still = rest
	}
	if !addYear {
		return
	}
	pos := make([]int, len(p.items))
	for k, i := range p.bibOrder {
		pos[i] = k
	}
	for _, g := range still {
		ordered := append([]int(nil), g...)
		sortByPos(ordered, pos)
		for k, i := range ordered {
			p.yearSuffix[i] = yearSuffix(k)
		}
	}
}

// addNamesTo shows more names in the cites of an ambiguous group. Each cite
// keeps the smallest number of extra names that left it confused with the
// fewest others; a cite that more names do not help keeps its et-al form.
func (p *Processor) addNamesTo(g []int) {
	best := make([]int, len(g))
	bestCount := make([]int, len(g))
	for k := range g {
		bestCount[k] = len(g)
	}
	maxNames := 0
	for _, i := range g {
		for _, names := range p.items[i].Names {
			maxNames = max(maxNames, len(names))
		}
	}
	texts := make([]string, len(g))
	for extra := 1; extra <= maxNames; extra++ {
		for _, i := range g {
			p.addNames[i] = extra
		}
		for k, i := range g {
			texts[k] = p.citeText(i)
		}
		done := true
		for k := range g {
			n := 0
			for m := range g {
				if texts[m] == texts[k] {
					n++
				}
			}
			if n < bestCount[k] {
				best[k], bestCount[k] = extra, n
			}
			if bestCount[k] > 1 {
				done = false
			}
		}
		if done {
			break
		}
	}
	for k, i := range g {
		p.addNames[i] = best[k]
	}
}

func sortByPos(idx, pos []int) {
	for a := 1; a < len(idx); a++ {
		for b := a; b > 0 && pos[idx[b]] < pos[idx[b-1]]; b-- {
			idx[b], idx[b-1] = idx[b-1], idx[b]
		}
	}
}

// yearSuffix returns "a".."z", "aa".."az", ...
func yearSuffix(k int) string {
	if k < 26 {
		return string(rune('a' + k))
	}
	return yearSuffix(k/26-1) + string(rune('a'+k%26))
}

// Bibliography renders the bibliography entries in bibliography order.
// Items the style renders as empty are left out.
func (p *Processor) Bibliography() (entries []Entry, err error) {
	if p.st.bib == nil {
		return nil, nil
	}
	defer recoverRender(&err)
	spec := p.st.bib
	sub := spec.attrs["subsequent-author-substitute"]
	_, hasSub := spec.attrs["subsequent-author-substitute"]
	prevNames := ""
	for _, i := range p.bibOrder {
		if p.byID[p.items[i].ID] != i {
			continue // replaced by a later item with the same id
		}
		c := p.newCtx(i, spec, true, nil)
		n := c.renderEntry()
		if n == nil {
			if p.st.numbered {
				// A numbered list cannot skip a number silently: the
				// reader would look for the missing entry.
				s := fmt.Sprintf("%d. %s", len(entries)+1, noPrintedForm)
				entries = append(entries, Entry{ID: p.items[i].ID, Text: s, HTML: s})
			}
			continue
		}
		if hasSub && c.firstNames != nil {
			cur := c.firstNames.plain()
			if cur == prevNames && cur != "" {
				*c.firstNames = node{text: sub}
				if sub == "" {
					*c.firstNames = node{kids: []*node{}}
				}
			}
			prevNames = cur
		} else if hasSub {
			prevNames = ""
		}
		text, html := p.serialize(n)
		entries = append(entries, Entry{ID: p.items[i].ID, Text: text, HTML: html})
	}
	return entries, nil
}

// renderEntry renders one bibliography entry with the layout's affixes and
// formatting, splitting the first field off when second-field-align is set.
func (c *ctx) renderEntry() *node {
	l := c.spec.layout
	kids := c.renderAll(l.kids)
	if len(kids) == 0 {
		return nil
	}
	if c.spec.attrs["second-field-align"] != "" && len(kids) > 1 {
		first := &node{kids: []*node{kids[0]}, display: "left-margin"}
		rest := &node{kids: kids[1:], display: "right-inline"}
		// The layout's prefix goes with the first field, its suffix with the rest.
		first.prefix = l.prefix
		rest.suffix = l.suffix
		first.f, rest.f = fmtPtr(&l.f), fmtPtr(&l.f)
		return &node{kids: []*node{first, rest}}
	}
	if c.st.usesDisplay && (l.prefix != "" || l.suffix != "") {
		// citeproc-js puts the layout's prefix on the first field and its
		// suffix on the last one, inside their display blocks:
		// <div class="csl-right-inline">Title.</div>, not </div>.
		kids[0] = withAffixes(kids[0], l.prefix, "")
		kids[len(kids)-1] = withAffixes(kids[len(kids)-1], "", l.suffix)
		n := group(l.delim, kids...)
		n.f = fmtPtr(&l.f)
		return n
	}
	return c.wrap(&l.common, group(l.delim, kids...))
}

// withAffixes adds a prefix and a suffix to n inside its display block.
func withAffixes(n *node, prefix, suffix string) *node {
	if prefix == "" && suffix == "" {
		return n
	}
	inner := *n
	inner.display = ""
	return &node{kids: []*node{&inner}, prefix: prefix, suffix: suffix, display: n.display}
}

func (p *Processor) serialize(n *node) (string, string) {
	buf := tokPool.Get().(*[]tok)
	fl := &flattener{loc: p.loc, toks: (*buf)[:0]}
	fl.flatten(n)
	fl.fixPunctuation()
	fl.trimRightInline()
	fl.trimDisplayStart()
	text, html := renderText(fl.toks), renderHTML(fl.toks)
	*buf = fl.toks[:0]
	tokPool.Put(buf)
	return text, html
}

// tokPool recycles token buffers between serializations.
var tokPool = sync.Pool{New: func() any { b := make([]tok, 0, 128); return &b }}

// noPrintedForm stands in for a cite that the style renders as nothing, so
// that the gap is visible (the wording is the one other processors use).
const noPrintedForm = "[CSL STYLE ERROR: reference with no printed form.]"

// Citation renders one citation cluster.
func (p *Processor) Citation(cites []Cite) (e Entry, err error) {
	defer recoverRender(&err)
	spec := p.st.cit
	type rc struct {
		i    int
		cite *Cite
	}
	var list []rc
	for k := range cites {
		i, ok := p.byID[cites[k].ID]
		if !ok {
			continue
		}
		list = append(list, rc{i, &cites[k]})
	}
	if len(spec.sort) > 0 {
		idx := make([]int, len(list))
		for k := range idx {
			idx[k] = k
		}
		sortIndices(idx, spec.sort, func(k int) []keyValue {
			c := p.newCtx(list[k].i, spec, false, list[k].cite)
			out := make([]keyValue, len(spec.sort))
			for j := range spec.sort {
				out[j] = c.sortValue(&spec.sort[j])
			}
			return out
		})
		sorted := make([]rc, len(list))
		for k, j := range idx {
			sorted[k] = list[j]
		}
		list = sorted
	}
	if len(list) == 0 {
		return Entry{}, nil
	}
	// A note style's citation turns parentheses nested in parentheses into
	// brackets (flipParens), counting from the layout's prefix.
	l := spec.layout
	layoutPrefix, layoutSuffix := l.prefix, l.suffix
	if p.st.Class == "note" {
		depth := 0
		p.paren = &depth
		defer func() { p.paren = nil }()
		layoutPrefix = flipParens(layoutPrefix, p.paren)
	}
	outs := make([]*citeOut, len(list))
	for k, r := range list {
		outs[k] = p.renderCite(r.i, r.cite, false, p.st.Class == "note" && (k == 0 && r.cite.Prefix == "" || endsSentence(r.cite.Prefix)))
	}
	if p.paren != nil {
		layoutSuffix = flipParens(layoutSuffix, p.paren)
	}
	var body *node
	if p.collapses() {
		body = p.collapse(outs)
	} else {
		var parts []*node
		for k, o := range outs {
			if k > 0 {
				// A cite prefix that starts with punctuation (", cited in")
				// takes the place of the delimiter.
				prevSuffix := strings.TrimRight(outs[k-1].cite.Suffix, " ")
				if r := firstRune(o.cite.Prefix); r == ',' || r == ';' || r == '.' {
					// nothing: the prefix's punctuation separates the cites
				} else if r := lastRune(prevSuffix); prevSuffix != "" && (r == ',' || r == ';' || r == ':') {
					// A suffix ending in punctuation ("is one source,") keeps
					// only the delimiter's space.
					parts = append(parts, leaf(strings.TrimLeft(l.delim, ",;:")))
				} else {
					parts = append(parts, leaf(l.delim))
				}
			}
			parts = append(parts, o.n)
		}
		body = &node{kids: compact(parts)}
	}
	// The layout's affixes sit inside its formatting: "<b>(1–3)</b>".
	out := &node{kids: []*node{body}, prefix: layoutPrefix, suffix: layoutSuffix}
	if f := fmtPtr(&l.f); f != nil {
		out = &node{kids: []*node{out}, f: f}
	}
	text, html := p.serialize(out)
	return Entry{Text: text, HTML: html}, nil
}

func compact(ns []*node) []*node {
	out := ns[:0]
	for _, n := range ns {
		if n != nil {
			out = append(out, n)
		}
	}
	return out
}

// Bibliography renders a bibliography of items: a convenience for
// NewProcessor followed by Bibliography.
func (s *Style) Bibliography(items []Item, opt Options) ([]Entry, error) {
	p, err := s.NewProcessor(items, opt)
	if err != nil {
		return nil, err
	}
	return p.Bibliography()
}

// Citation renders one citation cluster of cites to items: a convenience for
// NewProcessor followed by Citation.
func (s *Style) Citation(items []Item, cites []Cite, opt Options) (Entry, error) {
	p, err := s.NewProcessor(items, opt)
	if err != nil {
		return Entry{}, err
	}
	return p.Citation(cites)
}

// Cluster is one citation in a document: its cites and, for note styles, the
// number of the footnote it sits in (0 for a citation in the running text).
type Cluster struct {
	Cites []Cite
	Note  int
}

// Citations renders the citations of a document in order, giving each cite
// its position (first, subsequent, ibid, ibid-with-locator, near-note) and
// first-reference-note-number from the cites before it, by citeproc-js's
// rules: citations in the running text (note 0) and in notes are two
// separate sequences; a cite is ibid when the cite before it in its citation
// is the same item, or, for the first cite, when the previous citation (in
// the same note, or in the note just before and alone there) starts with it.
func (p *Processor) Citations(clusters []Cluster) ([]Entry, error) {
	sorted := make([][]Cite, len(clusters))
	for n, cl := range clusters {
		sorted[n] = p.sortCites(cl.Cites)
	}
	nearDist := atoiDefault(p.st.cit.attrs["near-note-distance"], 5)
	inNote := map[int]int{} // note number -> cites in it so far
	for _, text := range []bool{true, false} {
		firstRef := map[string]int{}
		lastRef := map[string]int{}
		prev := -1 // the previous citation of this sequence
		for n, cl := range clusters {
			if (cl.Note == 0) != text {
				continue
			}
			cites := sorted[n]
			if prev >= 0 && cl.Note > 0 && clusters[prev].Note > cl.Note {
				// Notes numbered backwards start afresh.
				firstRef, lastRef, inNote = map[string]int{}, map[string]int{}, map[int]int{}
			}
			inNote[cl.Note] += len(cites)
			for k := range cites {
				c := &cites[k]
				id := c.ID
				if c.Position != 0 {
					// A position the caller gave stands.
					if _, ok := lastRef[id]; !ok {
						firstRef[id] = cl.Note
					}
					lastRef[id] = cl.Note
					continue
				}
				if _, ok := lastRef[id]; !ok {
					c.Position = 0
					firstRef[id], lastRef[id] = cl.Note, cl.Note
					continue
				}
				ibid := false
				var before *Cite // the cite an ibid refers to
				switch {
				case prev >= 0 && k == 0 && clusters[prev].Note != cl.Note:
					pc := sorted[prev]
					if len(pc) > 0 && pc[0].ID == id && clusters[prev].Note >= cl.Note-1 &&
						(inNote[clusters[prev].Note] == 1 || clusters[prev].Note == 0) {
						ibid, before = true, &pc[0]
					}
				case k > 0:
					ibid, before = cites[k-1].ID == id, &cites[k-1]
				case prev >= 0 && len(sorted[prev]) > 0:
					pc := sorted[prev]
					ibid, before = pc[len(pc)-1].ID == id, &pc[0]
				}
				c.Position = 1
				if ibid {
					prevLoc, curLoc := locatorKey(before), locatorKey(c)
					switch {
					case prevLoc != "" && curLoc == "":
						// A cite without a locator after one with a
						// locator is not ibid: it would seem to point
						// at the same pages.
					case prevLoc == curLoc:
						c.Position = 2
					default:
						c.Position = 3
					}
				}
				if firstRef[id] != cl.Note {
					c.FirstNote = firstRef[id]
				}
				c.NearNote = cl.Note == 0 || cl.Note-lastRef[id] <= nearDist
				if cl.Note > 0 {
					lastRef[id] = cl.Note
				}
			}
			prev = n
		}
	}
	var out []Entry
	for n := range clusters {
		e, err := p.Citation(sorted[n])
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

// locatorKey is a cite's locator with its label ("" without a locator): "12"
// as a page and "12" as a book differ.
func locatorKey(c *Cite) string {
	if c.Locator == "" {
		return ""
	}
	return c.Locator + "\x00" + c.Label
}

// sortCites returns the cites of a cluster in the citation's sort order.
func (p *Processor) sortCites(cites []Cite) []Cite {
	out := make([]Cite, len(cites))
	copy(out, cites)
	spec := p.st.cit
	if len(spec.sort) == 0 || len(out) < 2 {
		return out
	}
	// Cites of unknown items are left out, as Citation leaves them out.
	var idx, known []int
	for k := range out {
		if _, ok := p.byID[out[k].ID]; ok {
			idx = append(idx, len(known))
			known = append(known, k)
		}
	}
	sortIndices(idx, spec.sort, func(j int) []keyValue {
		c := p.newCtx(p.byID[out[known[j]].ID], spec, false, &out[known[j]])
		kv := make([]keyValue, len(spec.sort))
		for m := range spec.sort {
			kv[m] = c.sortValue(&spec.sort[m])
		}
		return kv
	})
	res := make([]Cite, 0, len(out))
	for _, j := range idx {
		res = append(res, out[known[j]])
	}
	return res
}

// endsSentence reports a cite prefix that ends a sentence ("See this. "). A
// prefix of one word ("Cf. ") is taken for an abbreviation, not a sentence.
func endsSentence(prefix string) bool {
	p := strings.TrimSuffix(prefix, " ")
	if p == prefix {
		return false
	}
	p = strings.TrimRight(p, "”’\"'")
	return p != "" && strings.ContainsRune(".!?", lastRune(p)) && strings.ContainsAny(strings.TrimSpace(p), " \u00a0")
}

// capitalizeLeadingTerm capitalizes a note citation that begins with a term
// ("ibid." -> "Ibid."), as the start of a footnote is the start of a sentence.
func capitalizeLeadingTerm(n *node) {
	for n != nil {
		if n.prefix != "" {
			return
		}
		if n.kids == nil {
			if n.term {
				n.text = upperFirst(n.text)
			}
			return
		}
		if len(n.kids) == 0 {
			return
		}
		n = n.kids[0]
	}
}

// personKey identifies a person for given-name disambiguation.
// Spacing and full stops in given names do not matter: "J. J." is "J.J.".
func personKey(n Name) string {
	given := strings.Map(func(r rune) rune {
		if r == ' ' || r == '.' {
			return -1
		}
		return r
	}, n.Given)
	return n.Family + "\x00" + given + "\x00" + n.NonDroppingParticle + "\x00" + n.Literal
}

// citeNames returns the names a cite shows first: the authors, else the editors.
func citeNames(it *Item) []Name {
	for _, v := range []string{"author", "editor", "translator"} {
		if ns := it.Names[v]; len(ns) > 0 {
			return ns
		}
	}
	return nil
}

// expandPersons gives people who share a family name, among the items idx,
// initials (level 1) or, when initials do not tell them apart, full given
// names (level 2, unless maxLevel is 1). With primaryOnly only first names
// count.
func (p *Processor) expandPersons(idx []int, primaryOnly bool, maxLevel int) {
	byFamily := map[string]map[string]Name{}
	for _, i := range idx {
		for k, n := range citeNames(&p.items[i]) {
			if primaryOnly && k > 0 {
				break
			}
			if n.Family == "" || n.Literal != "" {
				continue
			}
			fam := n.NonDroppingParticle + " " + n.Family
			if byFamily[fam] == nil {
				byFamily[fam] = map[string]Name{}
			}
			byFamily[fam][personKey(n)] = n
		}
	}
	for _, people := range byFamily {
		if len(people) < 2 {
			continue
		}
		for key, n := range people {
			level := 1
			init := initializeName(n.Given, ".", true, true)
			for other, m := range people {
				if other != key && initializeName(m.Given, ".", true, true) == init {
					level = 2
				}
			}
			if level > maxLevel {
				// Initials would not tell them apart: leave the name as it is.
				continue
			}
			if primaryOnly {
				// Expanded only where the person is named first.
				key = "\x01" + key
			}
			if level > p.personLevel[key] {
				p.personLevel[key] = level
			}
		}
	}
}

func locatorLabel(c *Cite) string {
	if c.Label == "" {
		return "page"
	}
	return c.Label
}
