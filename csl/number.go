package csl

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// numericRe matches CSL numeric content: numbers, optionally with letter
// prefixes or suffixes ("12a", "S4"), joined by "-", "&", ",", "/" or "and".
var numericRe = regexp.MustCompile(`^[A-Za-z]*\d+[A-Za-z]*(\s*(?:[-–,&/]|\band\b)\s*[A-Za-z]*\d+[A-Za-z]*)*$`)

func isNumeric(s string) bool {
	s = strings.TrimSpace(s)
	if s == "" {
		return false
	}
	digits := true
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			digits = false
			break
		}
	}
	return digits || numericRe.MatchString(s)
}

var pluralSepRe = regexp.MustCompile(`\d[A-Za-z]*\s*(?:[-–,&]|\band\b)\s*[A-Za-z]*\d`)

// isPluralNumber reports whether a number variable holds more than one number
// ("1-3", "2, 4", "5 & 6").
func isPluralNumber(s string) bool {
	return pluralSepRe.MatchString(s) || romanRangeRe.MatchString(s)
}

var romanRangeRe = regexp.MustCompile(`^\s*[ivxlcdmIVXLCDM]+\s*[-–]\s*[ivxlcdmIVXLCDM]+\s*$`)

var numTokenRe = regexp.MustCompile(`\d+|\D+`)

// formatNumber renders numeric content in a cs:number form, leaving the
// separators between numbers as they are (hyphens become en dashes).
func (c *ctx) formatNumber(v, form, variable string) string {
	var b strings.Builder
	for _, part := range numTokenRe.FindAllString(strings.TrimSpace(v), -1) {
		if part[0] < '0' || part[0] > '9' {
			p := part
			if strings.TrimSpace(p) == "-" {
				p = strings.ReplaceAll(strings.TrimSpace(p), "-", "–")
			} else if strings.TrimSpace(p) == "," {
				p = ", "
			} else if strings.TrimSpace(p) == "&" {
				p = " & "
			}
			b.WriteString(p)
			continue
		}
		n, err := strconv.Atoi(part)
		if err != nil {
			b.WriteString(part)
			continue
		}
		switch form {
		case "ordinal":
			b.WriteString(part + c.ordinalSuffix(n, c.genderOf(variable)))
		case "long-ordinal":
			b.WriteString(c.longOrdinal(n, c.genderOf(variable)))
		case "roman":
			b.WriteString(roman(n))
		default:
			b.WriteString(part)
		}
	}
	return b.String()
}

// genderOf returns the grammatical gender of the term that names a variable,
// which gendered ordinals agree with.
func (c *ctx) genderOf(variable string) string {
	if t, ok := c.loc.term(variable, "long", ""); ok {
		return t.gender
	}
	return ""
}

// ordinalSuffix picks the ordinal suffix for n following CSL 1.0.2: a
// two-digit term (ordinal-10 to ordinal-99) matching the last two digits wins
// over a one-digit term matching the last digit, which wins over "ordinal".
func (c *ctx) ordinalSuffix(n int, gender string) string {
	if n < 0 {
		n = -n
	}
	look := func(name string) (*term, bool) {
		return c.loc.term(name, "long", gender)
	}
	if n%100 >= 10 {
		if t, ok := look(fmt.Sprintf("ordinal-%02d", n%100)); ok {
			if t.match != "whole-number" || n < 100 {
				return t.single
			}
		}
	}
	if t, ok := look(fmt.Sprintf("ordinal-%02d", n%10)); ok {
		switch t.match {
		case "whole-number":
			if n == n%10 {
				return t.single
			}
		case "last-two-digits":
			if n%100 < 10 {
				return t.single
			}
		default:
			return t.single
		}
	}
	if t, ok := look("ordinal"); ok {
		return t.single
	}
	return ""
}

func (c *ctx) longOrdinal(n int, gender string) string {
	if n >= 1 && n <= 10 {
		if t, ok := c.loc.term(fmt.Sprintf("long-ordinal-%02d", n), "long", gender); ok {
			return t.single
		}
	}
	return strconv.Itoa(n) + c.ordinalSuffix(n, gender)
}

func roman(n int) string {
	if n <= 0 || n >= 4000 {
		return strconv.Itoa(n)
	}
	vals := []int{1000, 900, 500, 400, 100, 90, 50, 40, 10, 9, 5, 4, 1}
	syms := []string{"m", "cm", "d", "cd", "c", "xc", "l", "xl", "x", "ix", "v", "iv", "i"}
	var b strings.Builder
	for i, v := range vals {
		for n >= v {
			b.WriteString(syms[i])
			n -= v
		}
	}
	return b.String()
}

var (
	rangeSepRe  = regexp.MustCompile(`\s*(?:,|&)\s*`)
	rangeRe     = regexp.MustCompile(`^(\S+?)\s*(?:-+|–|—)\s*(\S+)$`)
	prefixNumRe = regexp.MustCompile(`^(.*?)(\d+)$`)
	romanRe     = regexp.MustCompile(`^[ivxlcdmIVXLCDM]+$`)
)

// formatPageRange rewrites every "first-last" page range in s according to the
// style's page-range-format, joining the pages with delim. Ranges whose two
// ends carry different prefixes are left as they are.
func formatPageRange(s, format, delim string) string {
	seps := rangeSepRe.FindAllString(s, -1)
	parts := rangeSepRe.Split(s, -1)
	var b strings.Builder
	for i, part := range parts {
		if i > 0 {
			b.WriteString(seps[i-1])
		}
		b.WriteString(formatOneRange(part, format, delim))
	}
	return b.String()
}

func formatOneRange(s, format, delim string) string {
	m := rangeRe.FindStringSubmatch(s)
	if m == nil {
		return s
	}
	a, z := m[1], m[2]
	if romanRe.MatchString(a) && romanRe.MatchString(z) {
		return a + delim + z
	}
	ma, mz := prefixNumRe.FindStringSubmatch(a), prefixNumRe.FindStringSubmatch(z)
	if ma == nil || mz == nil {
		return a + "-" + z
	}
	p1, n1, p2, n2 := ma[1], ma[2], mz[1], mz[2]
	if p1 != p2 {
		return a + "-" + z
	}
	second := n2
	switch format {
	case "expanded":
		second = p1 + expandRange(n1, n2)
	case "minimal":
		second = minimalRange(n1, expandRange(n1, n2), 1)
	case "minimal-two":
		second = minimalRange(n1, expandRange(n1, n2), 2)
	case "chicago", "chicago-15", "chicago-16":
		second = chicagoRange(n1, expandRange(n1, n2), format)
	default:
		second = p2 + n2
	}
	return p1 + n1 + delim + second
}

// expandRange fills in the digits left out of an abbreviated second number
// ("321-4" -> "324").
func expandRange(a, b string) string {
	if len(b) < len(a) {
		return a[:len(a)-len(b)] + b
	}
	return b
}

// minimalRange keeps the digits of b that differ from a, at least min of them.
func minimalRange(a, b string, min int) string {
	if len(a) != len(b) {
		return b
	}
	i := 0
	for i < len(a) && a[i] == b[i] {
		i++
	}
	if len(b)-i < min {
		i = len(b) - min
		if i < 0 {
			i = 0
		}
	}
	return b[i:]
}

// chicagoRange abbreviates page ranges by the Chicago Manual of Style rules.
func chicagoRange(a, b, format string) string {
	na, _ := strconv.Atoi(a)
	if len(a) != len(b) || na < 100 {
		return b
	}
	if na%100 == 0 {
		return b
	}
	if na%100 < 10 {
		return minimalRange(a, b, 1)
	}
	if format != "chicago-16" && len(a) == 4 {
		// Four-digit numbers: keep all digits when more than two change.
		short := minimalRange(a, b, 2)
		if len(short) > 2 {
			return b
		}
		return short
	}
	return minimalRange(a, b, 2)
}
