package csl

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// parseRich reads the small HTML-like markup that CSL-JSON fields may carry
// (<i>, <b>, <sup>, <sub>, <sc>, <span class="nocase">, small-caps spans) and
// straight double quotes, returning an output node. Other text is literal.
func parseRich(s string) *node {
	if s == "" {
		return nil
	}
	s = frenchSpaces(s)
	if !strings.ContainsAny(s, "<\"'\\“‘") {
		return &node{text: s}
	}
	root := &node{kids: []*node{}}
	stack := []*node{root}
	top := func() *node { return stack[len(stack)-1] }
	var buf strings.Builder
	flush := func() {
		if buf.Len() > 0 {
			t := top()
			t.kids = append(t.kids, &node{text: buf.String()})
			buf.Reset()
		}
	}
	push := func(n *node) {
		flush()
		n.kids = []*node{}
		t := top()
		t.kids = append(t.kids, n)
		stack = append(stack, n)
	}
	pop := func(match func(*node) bool) bool {
		for i := len(stack) - 1; i > 0; i-- {
			if match(stack[i]) {
				flush()
				stack = stack[:i]
				return true
			}
		}
		return false
	}
	quoteOpen, singleOpen := false, false
	for i := 0; i < len(s); {
		ch := s[i]
		if ch == '<' {
			rest := s[i:]
			matched := true
			switch {
			case strings.HasPrefix(rest, "<i>"):
				push(&node{f: fmtItalic})
				i += 3
			case strings.HasPrefix(rest, "<b>"):
				push(&node{f: fmtBold})
				i += 3
			case strings.HasPrefix(rest, "<sup>"):
				push(&node{f: fmtSup, nocase: true})
				i += 5
			case strings.HasPrefix(rest, "<sub>"):
				push(&node{f: fmtSub, nocase: true})
				i += 5
			case strings.HasPrefix(rest, "<sc>"):
				push(&node{f: fmtSmallCaps, nocase: true})
				i += 4
			case strings.HasPrefix(rest, `<span class="nocase">`):
				push(&node{nocase: true})
				i += len(`<span class="nocase">`)
			case strings.HasPrefix(rest, `<span class="nodecor">`):
				push(&node{f: fmtNoDecor, nocase: true})
				i += len(`<span class="nodecor">`)
			case strings.HasPrefix(rest, `<span style="font-variant:small-caps;">`), strings.HasPrefix(rest, `<span style="font-variant: small-caps;">`):
				push(&node{f: fmtSmallCaps, nocase: true})
				i += strings.Index(rest, ">") + 1
			case strings.HasPrefix(rest, "</i>"):
				matched = pop(func(n *node) bool { return n.f == fmtItalic })
				if matched {
					i += 4
				}
			case strings.HasPrefix(rest, "</b>"):
				matched = pop(func(n *node) bool { return n.f == fmtBold })
				if matched {
					i += 4
				}
			case strings.HasPrefix(rest, "</sup>"):
				matched = pop(func(n *node) bool { return n.f == fmtSup })
				if matched {
					i += 6
				}
			case strings.HasPrefix(rest, "</sub>"):
				matched = pop(func(n *node) bool { return n.f == fmtSub })
				if matched {
					i += 6
				}
			case strings.HasPrefix(rest, "</sc>"):
				matched = pop(func(n *node) bool { return n.f == fmtSmallCaps })
				if matched {
					i += 5
				}
			case strings.HasPrefix(rest, "</span>"):
				matched = pop(func(n *node) bool { return n.nocase || n.f == fmtSmallCaps || n.f == fmtNoDecor })
				if matched {
					i += 7
				}
			default:
				matched = false
			}
			if !matched {
				// An unknown or unbalanced tag is text.
				buf.WriteByte(ch)
				i++
			}
			continue
		}
		if strings.HasPrefix(s[i:], "“") && strings.Contains(s[i:], "”") {
			push(&node{quotes: true})
			i += len("“")
			continue
		}
		if strings.HasPrefix(s[i:], "”") && pop(func(n *node) bool { return n.quotes && !n.single }) {
			i += len("”")
			continue
		}
		if strings.HasPrefix(s[i:], "‘") && strings.Contains(s[i:], "’") {
			// Typographic single quotes stay single at the top level, as
			// citeproc-js keeps them; nested quotes alternate from there.
			push(&node{quotes: true, single: true, keepSingle: true})
			singleOpen = true
			i += len("‘")
			continue
		}
		if singleOpen && strings.HasPrefix(s[i:], "’") && !letterAt(s, i+len("’")) {
			pop(func(n *node) bool { return n.single })
			singleOpen = false
			i += len("’")
			continue
		}
		// A quotation opens after a space or an opening bracket, or right
		// at the start of a quotation or tag ('"Title"', <i>"Title"</i>).
		atStart := buf.Len() == 0 && len(top().kids) == 0
		if ch == '"' {
			if !quoteOpen && (i == 0 || atStart || strings.ContainsRune(" ([{-/\u00a0", rune(s[i-1]))) && closesDouble(s[i+1:]) {
				push(&node{quotes: true})
				quoteOpen = true
				i++
				continue
			}
			if quoteOpen && i > 0 && s[i-1] != ' ' {
				pop(func(n *node) bool { return n.quotes })
				quoteOpen = false
				i++
				continue
			}
		}
		if ch == '\\' && i+1 < len(s) {
			// A backslash escapes the next character ("3\-B" is not a range).
			buf.WriteByte(s[i+1])
			i += 2
			continue
		}
		if ch == '\'' {
			prevOK := i == 0 || atStart || strings.ContainsRune(" ([{-/\u00a0", rune(s[i-1]))
			if prevOK && !singleOpen && strings.Contains(s[i+1:], "'") && closesSingle(s[i+1:]) {
				push(&node{quotes: true, single: true})
				singleOpen = true
				i++
				continue
			}
			if singleOpen && !letterAt(s, i+1) {
				pop(func(n *node) bool { return n.single })
				singleOpen = false
				i++
				continue
			}
			buf.WriteString("’")
			i++
			continue
		}
		buf.WriteByte(ch)
		i++
	}
	flush()
	if len(root.kids) == 1 && root.kids[0].kids == nil {
		return root.kids[0]
	}
	if len(root.kids) == 0 {
		return nil
	}
	return root
}

// closesSingle reports whether s has a single quote that ends a word, which an
// opening single quote can pair with.
func closesSingle(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == '\'' && (i+1 == len(s) || !isLetterByte(s[i+1])) && i > 0 {
			return true
		}
	}
	return false
}

// letterAt reports whether a letter starts at byte i of s: an apostrophe
// before one ("Insha’Allah") does not close a quotation, one before a closing
// quotation mark or a space does.
func letterAt(s string, i int) bool {
	if i >= len(s) {
		return false
	}
	r, _ := utf8.DecodeRuneInString(s[i:])
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

func isLetterByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= 0x80
}

// parseAffix parses a cite's prefix or suffix. Quotation marks typed there
// keep following punctuation outside ("“quote”, Hello").
func parseAffix(s string) *node {
	n := parseRich(s)
	markFixed(n)
	return n
}

func markFixed(n *node) {
	if n == nil {
		return
	}
	if n.quotes {
		n.fixedQuote = true
	}
	for _, k := range n.kids {
		markFixed(k)
	}
}

// closesDouble reports whether s has a double quote that can close a
// quotation: one not preceded by a space.
func closesDouble(s string) bool {
	for i := 1; i < len(s); i++ {
		if s[i] == '"' && s[i-1] != ' ' {
			return true
		}
	}
	return false
}

// frenchSpaces turns the space before a high punctuation mark (" :", " ;",
// " ?", " !", " »") and after "«" into a narrow no-break space, so that French
// typography does not break a line there (citeproc-js does the same).
func frenchSpaces(s string) string {
	if !strings.Contains(s, " ") || !strings.ContainsAny(s, ":;?!«»") {
		return s
	}
	var b strings.Builder
	rs := []rune(s)
	for i, r := range rs {
		if r == ' ' && i+1 < len(rs) && strings.ContainsRune(":;?!»", rs[i+1]) {
			b.WriteRune('\u202f')
			continue
		}
		if r == ' ' && i > 0 && rs[i-1] == '«' {
			b.WriteRune('\u202f')
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
