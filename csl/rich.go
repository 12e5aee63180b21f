package csl

import "strings"

// parseRich reads the small HTML-like markup that CSL-JSON fields may carry
// (<i>, <b>, <sup>, <sub>, <sc>, <span class="nocase">, small-caps spans) and
// straight double quotes, returning an output node. Other text is literal.
func parseRich(s string) *node {
	if s == "" {
		return nil
	}
	if !strings.ContainsAny(s, "<\"'") {
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
	quoteOpen := false
	for i := 0; i < len(s); {
		ch := s[i]
		if ch == '<' {
			rest := s[i:]
			matched := true
			switch {
			case strings.HasPrefix(rest, "<i>"):
				push(&node{f: format{fontStyle: "italic"}})
				i += 3
			case strings.HasPrefix(rest, "<b>"):
				push(&node{f: format{fontWeight: "bold"}})
				i += 3
			case strings.HasPrefix(rest, "<sup>"):
				push(&node{f: format{verticalAlign: "sup"}})
				i += 5
			case strings.HasPrefix(rest, "<sub>"):
				push(&node{f: format{verticalAlign: "sub"}})
				i += 5
			case strings.HasPrefix(rest, "<sc>"):
				push(&node{f: format{fontVariant: "small-caps"}})
				i += 4
			case strings.HasPrefix(rest, `<span class="nocase">`):
				push(&node{nocase: true})
				i += len(`<span class="nocase">`)
			case strings.HasPrefix(rest, `<span class="nodecor">`):
				push(&node{f: format{fontStyle: "normal", fontWeight: "normal", fontVariant: "normal"}})
				i += len(`<span class="nodecor">`)
			case strings.HasPrefix(rest, `<span style="font-variant:small-caps;">`), strings.HasPrefix(rest, `<span style="font-variant: small-caps;">`):
				push(&node{f: format{fontVariant: "small-caps"}})
				i += strings.Index(rest, ">") + 1
			case strings.HasPrefix(rest, "</i>"):
				matched = pop(func(n *node) bool { return n.f.fontStyle == "italic" })
				i += 4
			case strings.HasPrefix(rest, "</b>"):
				matched = pop(func(n *node) bool { return n.f.fontWeight == "bold" })
				i += 4
			case strings.HasPrefix(rest, "</sup>"):
				matched = pop(func(n *node) bool { return n.f.verticalAlign == "sup" })
				i += 6
			case strings.HasPrefix(rest, "</sub>"):
				matched = pop(func(n *node) bool { return n.f.verticalAlign == "sub" })
				i += 6
			case strings.HasPrefix(rest, "</sc>"):
				matched = pop(func(n *node) bool { return n.f.fontVariant == "small-caps" })
				i += 5
			case strings.HasPrefix(rest, "</span>"):
				matched = pop(func(n *node) bool { return n.nocase || n.f.fontVariant != "" })
				i += 7
			default:
				matched = false
			}
			if !matched {
				buf.WriteByte(ch)
				if i < len(s) && s[i] == '<' {
					i++
				}
			}
			continue
		}
		if ch == '"' {
			if !quoteOpen && (i == 0 || strings.ContainsRune(" ([{-/\u00a0", rune(s[i-1]))) && strings.Count(s[i+1:], "\"") > 0 {
				push(&node{quotes: true})
				quoteOpen = true
				i++
				continue
			}
			if quoteOpen {
				pop(func(n *node) bool { return n.quotes })
				quoteOpen = false
				i++
				continue
			}
		}
		if ch == '\'' {
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
