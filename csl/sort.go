package csl

import (
	"bytes"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"
)

// sortKey is one cs:key of a cs:sort.
type sortKey struct {
	variable string
	macro    *macro
	desc     bool
	attrs    map[string]string
}

// keyValue is one computed sort key: text, or a number when numeric.
type keyValue struct {
	s       string
	num     []int // for numeric keys
	numeric bool
	empty   bool
	ck      []byte // collation key of s, filled in by sortIndices
}

func (c *ctx) sortValue(k *sortKey) keyValue {
	c.sortKey = true
	c.suppressed = nil // each key starts afresh: substitution is per rendering
	c.sortEtAlMin, c.sortEtAlUseFirst, c.sortEtAlUseLast = k.attrs["names-min"], k.attrs["names-use-first"], k.attrs["names-use-last"]
	defer func() {
		c.sortKey = false
		c.sortEtAlMin, c.sortEtAlUseFirst, c.sortEtAlUseLast = "", "", ""
	}()
	if k.macro != nil {
		kids := c.renderAll(k.macro.elems)
		s := group("", kids...).plain()
		if s == "" {
			return keyValue{empty: true}
		}
		if onlyNumbers(s) {
			if nums, ok := numericKey(s); ok {
				return keyValue{num: nums, numeric: true}
			}
		}
		return keyValue{s: s}
	}
	v := k.variable
	switch {
	case nameVars[v]:
		names := c.item.Names[v]
		if len(names) == 0 || c.suppressed[v] {
			return keyValue{empty: true}
		}
		n := c.renderNameList(nil, nil, names)
		return keyValue{s: n.plain()}
	case dateVars[v]:
		d := c.item.Dates[v]
		if d == nil || len(d.Parts) == 0 {
			return keyValue{empty: true}
		}
		var b strings.Builder
		for _, p := range d.Parts {
			y := p[0]
			// Offset years so that BC dates sort before AD dates as strings.
			fmt.Fprintf(&b, "%06d%02d%02d", y+500000, p[1], p[2])
		}
		return keyValue{s: b.String()}
	case v == "citation-number":
		return keyValue{num: []int{c.citeNum}, numeric: true}
	case numberVars[v]:
		s := c.value(v)
		if s == "" {
			return keyValue{empty: true}
		}
		if nums, ok := numericKey(s); ok {
			return keyValue{num: nums, numeric: true}
		}
		return keyValue{s: s}
	}
	s := c.value(v)
	if s == "" {
		return keyValue{empty: true}
	}
	// Markup does not take part in sorting.
	return keyValue{s: parseRich(s).plain()}
}

func onlyNumbers(s string) bool {
	for _, r := range s {
		if (r < '0' || r > '9') && r != '-' && r != ' ' {
			return false
		}
	}
	return true
}

// numericKey returns the numbers in s, in order.
func numericKey(s string) ([]int, bool) {
	var out []int
	for i := 0; i < len(s); {
		if s[i] < '0' || s[i] > '9' {
			i++
			continue
		}
		j := i
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		n, err := strconv.Atoi(s[i:j])
		if err != nil {
			return nil, false
		}
		out = append(out, n)
		i = j
	}
	return out, len(out) > 0
}

var collatorPool = sync.Pool{New: func() any {
	return collate.New(language.English, collate.IgnoreCase, collate.IgnoreDiacritics)
}}

// compareKeys compares two key lists; empty keys sort last whatever the
// direction. Text keys compare by their precomputed collation keys.
func compareKeys(a, b []keyValue, keys []sortKey) int {
	for i := range keys {
		x, y := a[i], b[i]
		if x.empty || y.empty {
			if x.empty && y.empty {
				continue
			}
			if x.empty {
				return 1
			}
			return -1
		}
		var r int
		if x.numeric && y.numeric {
			r = compareInts(x.num, y.num)
		} else {
			r = bytes.Compare(x.ck, y.ck)
		}
		if keys[i].desc {
			r = -r
		}
		if r != 0 {
			return r
		}
	}
	return 0
}

// stripSortPunct drops markup-like punctuation that should not affect order
// (leading quotes and brackets, typographic apostrophes).
func stripSortPunct(s string) string {
	s = strings.TrimLeft(s, "\"'“‘([")
	return strings.Map(func(r rune) rune {
		switch r {
		case '“', '”', '"', '‘', ',', '.', ';', ':', '!', '?', '(', ')', '[', ']':
			return -1
		}
		return r
	}, s)
}

func compareInts(a, b []int) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			if a[i] < b[i] {
				return -1
			}
			return 1
		}
	}
	return len(a) - len(b)
}

// sortIndices sorts idx by the keys computed with keyOf, stably.
func sortIndices(idx []int, keys []sortKey, keyOf func(i int) []keyValue) {
	if len(keys) == 0 || len(idx) < 2 {
		return
	}
	col := collatorPool.Get().(*collate.Collator)
	defer collatorPool.Put(col)
	var buf collate.Buffer
	vals := make(map[int][]keyValue, len(idx))
	for _, i := range idx {
		kv := keyOf(i)
		for j := range kv {
			if kv[j].empty {
				continue
			}
			s := kv[j].s
			if kv[j].numeric {
				// A number compared with text compares as text.
				s = fmt.Sprint(kv[j].num)
			}
			kv[j].ck = append([]byte(nil), col.KeyFromString(&buf, stripSortPunct(s))...)
			buf.Reset()
		}
		vals[i] = kv
	}
	sort.SliceStable(idx, func(a, b int) bool {
		return compareKeys(vals[idx[a]], vals[idx[b]], keys) < 0
	})
}
