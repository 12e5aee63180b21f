package csl

import (
	"fmt"
	"strconv"
)

// dateElem is cs:date, in a style or (as a localized date format) in a locale.
type dateElem struct {
	common
	variable, form, dateParts, delim string
	parts                            []*datePart
}

type datePart struct {
	common
	name, form    string
	rangeDelim    string
	hasRangeDelim bool
	attrs         map[string]string
}

var partIndex = map[string]int{"year": 0, "month": 1, "day": 2}

func (d *dateElem) render(c *ctx) *node {
	c.called++
	dv := c.item.Dates[d.variable]
	if dv == nil || c.suppressed[d.variable] || c.ambig && d.variable == "accessed" {
		return nil
	}
	parts, delim := d.effectiveParts(c)
	var n *node
	if dv.Literal != "" && len(dv.Parts) == 0 {
		n = parseRich(dv.Literal)
	} else if len(dv.Parts) == 0 && dv.Season == "" {
		return nil
	} else {
		n = c.renderDate(dv, parts, delim)
	}
	if n == nil {
		return nil
	}
	c.rendered++
	c.record(d.variable)
	// The affixes and formatting of a localized date come from the style's
	// cs:date; those on the locale's cs:date are ignored.
	return c.wrap(&d.common, n)
}

// effectiveParts returns the date-parts to render: for a localized date the
// locale's, limited by date-parts and overridden by the style's cs:date-part
// attributes.
func (d *dateElem) effectiveParts(c *ctx) ([]*datePart, string) {
	if d.form == "" {
		return d.parts, d.delim
	}
	if v, ok := c.loc.effParts.Load(d); ok {
		e := v.(effDate)
		return e.parts, e.delim
	}
	parts, delim := d.localizedParts(c)
	c.loc.effParts.Store(d, effDate{parts, delim})
	return parts, delim
}

func (d *dateElem) localizedParts(c *ctx) ([]*datePart, string) {
	ld := c.loc.dates[d.form]
	if ld == nil {
		return d.parts, d.delim
	}
	want := map[string]bool{"year": true}
	switch d.dateParts {
	case "year-month":
		want["month"] = true
	case "year":
	default:
		want["month"], want["day"] = true, true
	}
	var out []*datePart
	for _, lp := range ld.parts {
		if !want[lp.name] {
			continue
		}
		p := *lp
		for _, sp := range d.parts {
			if sp.name != p.name {
				continue
			}
			for k, v := range sp.attrs {
				switch k {
				case "form":
					p.form = v
				case "range-delimiter":
					p.rangeDelim, p.hasRangeDelim = v, true
				case "text-case":
					p.textCase = v
				case "strip-periods":
					p.stripPeriods = v == "true"
				case "font-style":
					p.f.fontStyle = v
				case "font-variant":
					p.f.fontVariant = v
				case "font-weight":
					p.f.fontWeight = v
				case "text-decoration":
					p.f.textDecoration = v
				case "vertical-align":
					p.f.verticalAlign = v
				}
			}
		}
		out = append(out, &p)
	}
	return out, ld.delim
}

func (c *ctx) renderDate(dv *Date, parts []*datePart, delim string) *node {
	if dv.Season != "" && !isDigits(dv.Season) && !hasYearPart(parts) {
		// A free-text season stands in for the month only in a date that
		// also shows the year ("Summer 2019"); numeric seasons always do.
		cp := *dv
		cp.Season = ""
		dv = &cp
	}
	if len(dv.Parts) == 0 {
		// Season only.
		dv = &Date{Parts: [][3]int{{0, 0, 0}}, Season: dv.Season, Circa: dv.Circa}
	}
	start := dv.Parts[0]
	if len(dv.Parts) == 1 {
		return c.renderDateParts(dv, start, parts, delim, true)
	}
	if dv.Parts[1] == ([3]int{}) {
		// An open range: "1987–".
		n := c.renderDateParts(dv, start, parts, delim, true)
		if n == nil {
			return nil
		}
		rd := "–"
		for _, p := range parts {
			if p.name == "year" && p.hasRangeDelim {
				rd = p.rangeDelim
			}
		}
		return &node{kids: []*node{n, leaf(rd)}}
	}
	end := dv.Parts[1]
	if end[0] == 0 {
		end[0] = start[0]
	}
	// The largest part that differs decides which parts form the range.
	diff := -1
	for i := 0; i < 3; i++ {
		if start[i] != end[i] {
			diff = i
			break
		}
	}
	if diff < 0 {
		return c.renderDateParts(dv, start, parts, delim, true)
	}
	inRange := func(p *datePart) bool { return partIndex[p.name] >= diff }
	first, last := -1, -1
	for i, p := range parts {
		if inRange(p) && hasPart(start, p.name, dv) {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	if first < 0 {
		return c.renderDateParts(dv, start, parts, delim, true)
	}
	yearFirst := len(parts) > 0 && parts[0].name == "year"
	rangeDelim := "–"
	for _, p := range parts {
		if partIndex[p.name] == diff && p.hasRangeDelim {
			rangeDelim = p.rangeDelim
		}
	}
	if diff == 0 {
		// Years differ: two whole dates.
		a := c.renderDateParts(dv, start, parts, delim, true)
		endParts, endDelim := parts, delim
		if yearFirst {
			// citeproc-js sets the end of a year-first range without the
			// date's delimiter and without the prefix of its second part
			// ("2019 Dec–2020Jan", NLM).
			endDelim = ""
			if len(parts) > 1 {
				endParts = append([]*datePart{parts[0]}, trimAffix(parts[1:], true, false)...)
			}
		}
		b := c.renderDateParts(dv, end, endParts, endDelim, false)
		return joinRange(a, b, rangeDelim)
	}
	before := parts[:first]
	mid := parts[first : last+1]
	after := parts[last+1:]
	a := c.renderDateParts(dv, start, trimAffix(mid, false, true), delim, true)
	endDelim := delim
	if yearFirst {
		endDelim = "" // "2019 Mar 4–May6", as above
	}
	b := c.renderDateParts(dv, end, trimAffix(mid, true, false), endDelim, false)
	var kids []*node
	if n := c.renderDateParts(dv, start, before, delim, true); n != nil {
		kids = append(kids, n)
	}
	kids = append(kids, joinRange(a, b, rangeDelim))
	if n := c.renderDateParts(dv, start, after, delim, false); n != nil {
		kids = append(kids, n)
	}
	return group(delim, kids...)
}

func joinRange(a, b *node, delim string) *node {
	if a == nil {
		return b
	}
	if b == nil {
		return a
	}
	return &node{kids: []*node{a, b}, delim: delim}
}

// trimAffix copies parts, dropping the prefix of the first (dropPrefix) or the
// suffix of the last (dropSuffix), so that a range delimiter sits directly
// between the two halves.
func trimAffix(parts []*datePart, dropPrefix, dropSuffix bool) []*datePart {
	out := make([]*datePart, len(parts))
	copy(out, parts)
	if len(out) == 0 {
		return out
	}
	if dropPrefix {
		p := *out[0]
		p.prefix = ""
		out[0] = &p
	}
	if dropSuffix {
		p := *out[len(out)-1]
		p.suffix = ""
		out[len(out)-1] = &p
	}
	return out
}

func hasPart(v [3]int, name string, dv *Date) bool {
	switch name {
	case "year":
		return v[0] != 0
	case "month":
		return v[1] != 0 || dv.Season != ""
	case "day":
		return v[2] != 0 && v[1] != 0
	}
	return false
}

// renderDateParts renders one date through the given parts; first is true for
// the start of a range (the only place a year-suffix goes).
func (c *ctx) renderDateParts(dv *Date, v [3]int, parts []*datePart, delim string, first bool) *node {
	var kids []*node
	for _, p := range parts {
		var s string
		switch p.name {
		case "year":
			if v[0] == 0 {
				continue
			}
			s = c.formatYear(v[0], p.form)
		case "month":
			s = c.formatMonth(v[1], dv.Season, p)
			if s == "" {
				continue
			}
		case "day":
			if v[2] == 0 || v[1] == 0 {
				continue
			}
			s = c.formatDay(v[2], v[1], p.form)
		}
		n := leaf(s)
		if p.name == "year" && first && c.yearSuffix != "" && !c.st.usesYearSuffix() && !c.yearSuffixUsed {
			c.yearSuffixUsed = true
			n = &node{kids: []*node{n, leaf(c.yearSuffix)}}
		}
		kids = append(kids, c.wrap(&p.common, n))
	}
	return group(delim, kids...)
}

func (c *ctx) formatYear(y int, form string) string {
	switch {
	case y < 0:
		return strconv.Itoa(-y) + c.loc.termText("bc", "long", false)
	case form == "short":
		return fmt.Sprintf("%02d", y%100)
	case y < 1000:
		return strconv.Itoa(y) + c.loc.termText("ad", "long", false)
	}
	return strconv.Itoa(y)
}

func (c *ctx) formatMonth(m int, season string, p *datePart) string {
	if m >= 13 && m <= 24 {
		// Months 13-16 are the seasons (CSL-JSON); 17-20 and 21-24 are
		// other encodings of the same four, as citeproc-js reads them.
		return c.loc.termText(fmt.Sprintf("season-%02d", (m-13)%4+1), "long", false)
	}
	if m < 1 || m > 12 {
		if season == "" {
			return ""
		}
		if n := atoiDefault(season, 0); n >= 1 && n <= 4 {
			return c.loc.termText(fmt.Sprintf("season-%02d", n), "long", false)
		}
		return season
	}
	switch p.form {
	case "numeric":
		return strconv.Itoa(m)
	case "numeric-leading-zeros":
		return fmt.Sprintf("%02d", m)
	case "short":
		return c.loc.termText(fmt.Sprintf("month-%02d", m), "short", false)
	}
	return c.loc.termText(fmt.Sprintf("month-%02d", m), "long", false)
}

func (c *ctx) formatDay(d, m int, form string) string {
	switch form {
	case "numeric-leading-zeros":
		return fmt.Sprintf("%02d", d)
	case "ordinal":
		if d != 1 && c.loc.opt("limit-day-ordinals-to-day-1") == "true" {
			return strconv.Itoa(d)
		}
		gender := ""
		if t, ok := c.loc.term(fmt.Sprintf("month-%02d", m), "long", ""); ok {
			gender = t.gender
		}
		return strconv.Itoa(d) + c.ordinalSuffix(d, gender)
	}
	return strconv.Itoa(d)
}

// usesYearSuffix reports whether the style renders year-suffix explicitly; if
// not, the suffix is attached to the first year rendered.
func (s *Style) usesYearSuffix() bool {
	return s.yearSuffixVar
}

func hasYearPart(parts []*datePart) bool {
	for _, p := range parts {
		if p.name == "year" {
			return true
		}
	}
	return false
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
