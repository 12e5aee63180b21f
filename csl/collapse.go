package csl

// Cite grouping and collapsing (CSL 1.0.2, Citation-specific Options):
// cites by the same authors are moved together, and with collapse set their
// repeated names, years or citation numbers are left out.

// citeOut is one rendered cite of a cluster.
type citeOut struct {
	i      int
	cite   *Cite
	n      *node  // the cite with its prefix and suffix
	author string // the text of its first cs:names output, "" when none
	plain  bool   // no locator, prefix or suffix: the cite may collapse
}

// renderCite renders one cite; with noNames the first cs:names output is left
// out (for the second and later cites of an author group).
func (p *Processor) renderCite(i int, cite *Cite, noNames, capitalize bool) *citeOut {
	spec := p.st.cit
	c := p.newCtx(i, spec, false, cite)
	c.paren = p.paren
	c.trackNames = true
	c.skipFirstNames = noNames
	n := group("", c.renderAll(spec.layout.kids)...)
	o := &citeOut{i: i, cite: cite, plain: cite.Locator == "" && cite.Prefix == "" && cite.Suffix == ""}
	if c.firstNames != nil {
		o.author = c.firstNames.plain()
	}
	if n == nil && !noNames {
		n = leaf(noPrintedForm)
	}
	if capitalize {
		capitalizeLeadingTerm(n)
	}
	if n != nil && (cite.Prefix != "" || cite.Suffix != "") {
		prefix, suffix := cite.Prefix, cite.Suffix
		if p.paren != nil {
			prefix, suffix = flipParens(prefix, p.paren), flipParens(suffix, p.paren)
		}
		n = &node{kids: compact([]*node{parseAffix(prefix), n, parseAffix(suffix)})}
	}
	o.n = n
	return o
}

// collapses reports whether the citation groups or collapses cites.
func (p *Processor) collapses() bool {
	a := p.st.cit.attrs
	_, group := a["cite-group-delimiter"]
	return a["collapse"] != "" || group
}

func (p *Processor) citAttr(name, def string) string {
	if v, ok := p.st.cit.attrs[name]; ok {
		return v
	}
	return def
}

// collapse joins the cites of a cluster, grouping and collapsing them.
func (p *Processor) collapse(outs []*citeOut) *node {
	layoutDelim := p.st.cit.layout.delim
	mode := p.st.cit.attrs["collapse"]
	afterCollapse := p.citAttr("after-collapse-delimiter", layoutDelim)
	var kids []*node
	add := func(delim string, n *node) {
		if n == nil {
			return
		}
		if len(kids) > 0 {
			kids = append(kids, leaf(delim))
		}
		kids = append(kids, n)
	}
	if mode == "citation-number" {
		nextDelim := layoutDelim
		for k := 0; k < len(outs); {
			j := k
			for j+1 < len(outs) && outs[j+1].plain && outs[j].plain &&
				p.citeNum[outs[j+1].i] == p.citeNum[outs[j].i]+1 {
				j++
			}
			if j-k >= 2 {
				add(nextDelim, &node{kids: []*node{outs[k].n, outs[j].n}, delim: "–"})
				nextDelim = afterCollapse
			} else {
				for m := k; m <= j; m++ {
					add(nextDelim, outs[m].n)
					nextDelim = layoutDelim
				}
			}
			k = j + 1
		}
		return &node{kids: kids}
	}
	// Group cites by author. A sorted citation gathers each author's cites at
	// the first one; an unsorted one keeps the order and groups neighbours.
	var groups [][]*citeOut
	at := map[string]int{}
	sorted := len(p.st.cit.sort) > 0
	suffixMode := mode == "year-suffix" || mode == "year-suffix-ranged"
	for _, o := range outs {
		if o.author == "" && suffixMode && len(groups) > 0 {
			// A style that prints no names still collapses the year
			// suffixes of neighbouring cites that differ only in them:
			// "(1965a, b)".
			last := groups[len(groups)-1]
			prev := last[len(last)-1]
			if prev.author == "" && o.plain && prev.plain && p.yearSuffix[o.i] != "" && p.yearSuffix[prev.i] != "" &&
				p.yearKey(o) == p.yearKey(prev) {
				groups[len(groups)-1] = append(last, o)
				continue
			}
		}
		if o.author != "" {
			if g, ok := at[o.author]; ok && (sorted || g == len(groups)-1) {
				groups[g] = append(groups[g], o)
				continue
			}
			at[o.author] = len(groups)
		}
		groups = append(groups, []*citeOut{o})
	}
	// The delimiter before a cite follows citeproc-js (getSpliceDelimiter).
	// With an after-collapse-delimiter it comes after a cite with a locator,
	// after a collapsed run, and between two whole cites (unless collapsing
	// year suffixes); the layout delimiter joins a collapsed cite. Without
	// one, a collapsed cite follows the cite-group-delimiter, or ", " in an
	// in-text style.
	_, hasAfter := p.st.cit.attrs["after-collapse-delimiter"]
	groupDelim, hasGroup := p.st.cit.attrs["cite-group-delimiter"]
	if !hasGroup {
		groupDelim = layoutDelim
		if p.st.Class != "note" {
			groupDelim = ", "
		}
	}
	prevLoc, prevColl := false, false
	sep := func(o *citeOut, coll bool) string {
		d := layoutDelim
		switch {
		case hasAfter:
			if prevLoc || prevColl && !coll || !prevColl && !coll && mode != "year-suffix" {
				d = afterCollapse
			}
		case coll:
			d = groupDelim
		}
		prevLoc, prevColl = o.cite.Locator != "", coll
		return d
	}
	suffixDelim := p.citAttr("year-suffix-delimiter", p.citAttr("cite-group-delimiter", layoutDelim))
	pendingAfter := false // a year-suffix run was just printed
	for _, g := range groups {
		if len(g) == 1 || mode == "" && !hasGroup {
			for _, o := range g {
				add(sep(o, false), o.n)
			}
			continue
		}
		if mode == "" {
			// Grouping without collapsing: the cites stay whole.
			add(sep(g[0], false), g[0].n)
			for _, o := range g[1:] {
				add(sep(o, true), o.n)
			}
			continue
		}
		add(sep(g[0], false), g[0].n)
		prevYear := p.yearKey(g[0])
		head := p.yearSuffix[g[0].i] // suffix of the last cite printed whole
		var run []string             // suffixes printed alone after it
		flush := func() {
			if len(run) == 0 {
				return
			}
			seq := append([]string{head}, run...)
			for j := 0; j < len(seq); {
				k := j
				for k+1 < len(seq) && suffixIndex(seq[k+1]) == suffixIndex(seq[k])+1 {
					k++
				}
				if mode == "year-suffix-ranged" && k-j >= 2 {
					if j == 0 {
						kids = append(kids, leaf("–"+seq[k]))
					} else {
						kids = append(kids, leaf(suffixDelim), leaf(seq[j]+"–"+seq[k]))
					}
				} else {
					for m := j; m <= k; m++ {
						if m > 0 {
							kids = append(kids, leaf(suffixDelim), leaf(seq[m]))
						}
					}
				}
				j = k + 1
			}
			run = nil
		}
		for _, o := range g[1:] {
			ys := p.yearSuffix[o.i]
			year := p.yearKey(o)
			if (mode == "year-suffix" || mode == "year-suffix-ranged") && ys != "" && head != "" && o.plain && year == prevYear {
				run = append(run, ys)
				prevLoc, prevColl = false, true
				continue
			}
			pendingAfter = len(run) > 0
			flush()
			short := p.renderCite(o.i, o.cite, true, false)
			if short.n == nil {
				// Nothing is left without the names (an undated cite):
				// citeproc-js prints nothing for it, not even a delimiter.
				continue
			}
			d := sep(o, true)
			if pendingAfter {
				d = afterCollapse
			}
			add(d, short.n)
			prevYear = year
			head = ys
		}
		flush()
		prevColl = true
	}
	return &node{kids: kids}
}

// yearKey is the text of a cite without its names and year suffix: cites with
// equal keys differ only in the suffix.
func (p *Processor) yearKey(o *citeOut) string {
	saved := p.yearSuffix[o.i]
	p.yearSuffix[o.i] = ""
	short := p.renderCite(o.i, o.cite, true, false)
	p.yearSuffix[o.i] = saved
	return short.n.plain()
}

// suffixIndex inverts yearSuffix: "a" is 0, "z" 25, "aa" 26.
func suffixIndex(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*26 + int(s[i]-'a') + 1
	}
	return n - 1
}
