package extract

import (
	"bytes"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	gmtext "github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"

	"github.com/ibid-dev/ibid"
)

func parseMarkdown(data []byte, opt Options) (*ibid.Document, error) {
	s, err := decodeText(data)
	if err != nil {
		return nil, err
	}
	doc := &ibid.Document{}
	fm, body := splitFrontMatter(s)
	if fm != "" {
		frontMatter(fm, doc)
	}
	if depth := mdNesting(body); depth > opt.MaxXMLDepth {
		return nil, ibid.Errorf(ibid.EINVALID, "Markdown is nested deeper than %d levels", opt.MaxXMLDepth)
	}
	if mdCost(body) > mdMaxCost {
		// goldmark would take minutes; the text itself is still worth
		// having, so read it as plain text.
		doc.Blocks = textBlocks(body, false)
		return doc, nil
	}
	src := []byte(body)
	root := goldmark.New().Parser().Parse(gmtext.NewReader(src))
	w := mdWalker{src: src, opt: opt}
	for n := root.FirstChild(); n != nil; n = n.NextSibling() {
		w.block(n, false)
	}
	doc.Blocks = w.blocks
	return doc, nil
}

// splitFrontMatter separates front matter between "---" lines at the very
// top of a Markdown file from the body. Without a closing line there is no
// front matter: a lone "---" is a thematic break.
func splitFrontMatter(s string) (fm, body string) {
	first, rest, ok := strings.Cut(s, "\n")
	if !ok || strings.TrimRight(first, " \t") != "---" {
		return "", s
	}
	for off := 0; off < len(rest); {
		line, _, _ := strings.Cut(rest[off:], "\n")
		if t := strings.TrimRight(line, " \t"); t == "---" || t == "..." {
			end := off + len(line)
			if end < len(rest) {
				end++
			}
			return rest[:off], rest[end:]
		}
		off += len(line) + 1
	}
	return "", s
}

// frontMatter reads the simple YAML our essays use: "key: value" lines,
// lists as "[a, b]" or as "- item" lines under the key, quotes optional.
func frontMatter(fm string, doc *ibid.Document) {
	fields := map[string][]string{}
	var key string
	for _, line := range strings.Split(fm, "\n") {
		t := strings.TrimSpace(line)
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		if item, ok := strings.CutPrefix(t, "- "); ok && key != "" {
			fields[key] = append(fields[key], unquote(item))
			continue
		}
		k, v, ok := strings.Cut(t, ":")
		if !ok || strings.ContainsAny(strings.TrimSpace(k), " \t\"'") {
			key = ""
			continue
		}
		key = strings.ToLower(strings.TrimSpace(k))
		v = strings.TrimSpace(v)
		switch {
		case v == "":
			fields[key] = nil
		case strings.HasPrefix(v, "[") && strings.HasSuffix(v, "]"):
			for _, it := range strings.Split(v[1:len(v)-1], ",") {
				fields[key] = append(fields[key], unquote(it))
			}
		default:
			fields[key] = []string{unquote(v)}
		}
	}
	one := func(keys ...string) string {
		for _, k := range keys {
			if v := fields[k]; len(v) > 0 {
				return strings.Join(v, ", ")
			}
		}
		return ""
	}
	doc.Title = one("title")
	doc.Author = one("author", "authors")
	doc.Subject = one("subject", "category")
	doc.License = one("licence", "license")
	doc.Published = parseDate(one("date", "published"))
	for _, k := range []string{"topics", "tags", "keywords"} {
		v := fields[k]
		if len(v) == 1 && strings.Contains(v[0], ",") {
			v = splitList(v[0]) // "topics: a, b" written without brackets
		}
		doc.Topics = append(doc.Topics, v...)
	}
}

func unquote(s string) string {
	s = strings.TrimSpace(s)
	switch {
	case len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"':
		s = strings.ReplaceAll(s[1:len(s)-1], `\"`, `"`)
	case len(s) >= 2 && s[0] == '\'' && s[len(s)-1] == '\'':
		s = strings.ReplaceAll(s[1:len(s)-1], "''", "'") // YAML's escape in single quotes
	}
	return s
}

// mdMaxCost bounds mdCost. A 16 KB paragraph of unclosed "[a](" links
// costs about 2e8 and takes goldmark a few hundred milliseconds; ordinary
// prose costs a few thousand per kilobyte.
const mdMaxCost = 1e9

// mdCost estimates the work of goldmark's inline parser, which is
// superlinear in the length of a paragraph: at each link or emphasis
// character it may scan the rest of the paragraph. The estimate is the sum,
// over blank-line separated chunks, of their length times their count of
// such characters.
func mdCost(s string) int64 {
	var cost, length, specials int64
	for line := range strings.Lines(s) {
		if strings.TrimSpace(line) == "" {
			cost += length * specials
			length, specials = 0, 0
			continue
		}
		length += int64(len(line))
		specials += int64(strings.Count(line, "[") + strings.Count(line, "]") + strings.Count(line, "(") +
			strings.Count(line, "<") + strings.Count(line, "*") + strings.Count(line, "_") + strings.Count(line, "`"))
	}
	return cost + length*specials
}

// mdNesting estimates the deepest nesting of block quotes and lists in a
// Markdown text: the ">" and list markers that open a line, plus the lists
// that earlier, less indented items left open. goldmark's parser takes
// time quadratic in the nesting depth, so a few kilobytes of ">" or of
// ever more indented "- " lines could keep it busy for minutes.
func mdNesting(s string) int {
	var open []int // indentation of the list items still open
	deepest := 0
	for line := range strings.Lines(s) {
		indent := 0
		for indent < len(line) && (line[indent] == ' ' || line[indent] == '\t') {
			indent++
		}
		rest := line[indent:]
		markers := 0
		for {
			rest = strings.TrimLeft(rest, " \t")
			if strings.HasPrefix(rest, ">") {
				rest, markers = rest[1:], markers+1
				continue
			}
			if _, _, ok := listItem(strings.TrimRight(rest, "\r\n")); ok || strings.HasPrefix(rest, "+ ") {
				// the marker ends at the space listItem saw after it,
				// which may be a no-break space
				i := strings.IndexFunc(rest, func(r rune) bool { return r == ' ' || r == '\t' || r == '\u00a0' })
				if i < 0 {
					break
				}
				rest, markers = rest[i:], markers+1
				continue
			}
			break
		}
		if markers > 0 && !strings.HasPrefix(strings.TrimSpace(line), ">") {
			for len(open) > 0 && open[len(open)-1] >= indent {
				open = open[:len(open)-1]
			}
			open = append(open, indent)
		}
		deepest = max(deepest, len(open)+markers)
	}
	return deepest
}

type mdWalker struct {
	src    []byte
	opt    Options
	blocks []ibid.Block
}

func (w *mdWalker) add(b ibid.Block) { w.blocks = append(w.blocks, b) }

// block turns one block node into blocks; inside a block quote every
// paragraph becomes a quote.
func (w *mdWalker) block(n ast.Node, quoted bool) {
	para := ibid.Paragraph
	if quoted {
		para = ibid.Quote
	}
	switch n := n.(type) {
	case *ast.Heading:
		if quoted {
			w.add(ibid.Block{Type: ibid.Quote, Text: w.inline(n)})
			return
		}
		w.add(ibid.Block{Type: ibid.Heading, Level: n.Level, Text: w.inline(n)})
	case *ast.Paragraph, *ast.TextBlock:
		w.add(ibid.Block{Type: para, Text: w.inline(n)})
	case *ast.List:
		var items []string
		w.items(n, &items)
		if quoted {
			w.add(ibid.Block{Type: ibid.Quote, Text: strings.Join(items, " ")})
			return
		}
		w.add(ibid.Block{Type: ibid.List, Ordered: n.IsOrdered(), Items: items})
	case *ast.Blockquote:
		for c := n.FirstChild(); c != nil; c = c.NextSibling() {
			w.block(c, true)
		}
	case *ast.CodeBlock, *ast.FencedCodeBlock:
		w.add(ibid.Block{Type: para, Text: string(w.lines(n))})
	case *ast.HTMLBlock:
		// Raw HTML goes through the HTML extractor, so that its text is
		// kept and its scripts are not.
		var b bytes.Buffer
		b.Write(w.lines(n))
		if n.HasClosure() {
			b.Write(n.ClosureLine.Value(w.src))
		}
		for _, hb := range htmlFragmentBlocks(b.Bytes(), w.opt) {
			if quoted && hb.Type != ibid.List {
				hb.Type = ibid.Quote
			}
			w.add(hb)
		}
	default:
		// Thematic breaks and unknown extension nodes carry no prose of
		// their own; their children might.
		for c := n.FirstChild(); c != nil; c = c.NextSibling() {
			if c.Type() == ast.TypeBlock {
				w.block(c, quoted)
			}
		}
	}
}

// items flattens a list: each item's own text, then its nested items.
func (w *mdWalker) items(list ast.Node, out *[]string) {
	for li := list.FirstChild(); li != nil; li = li.NextSibling() {
		var own []string
		var nested []string
		for c := li.FirstChild(); c != nil; c = c.NextSibling() {
			if l, ok := c.(*ast.List); ok {
				w.items(l, &nested)
				continue
			}
			own = append(own, w.plain(c))
		}
		*out = append(*out, strings.Join(own, " "))
		*out = append(*out, nested...)
	}
}

// lines returns the raw lines of a code or HTML block.
func (w *mdWalker) lines(n ast.Node) []byte {
	var b bytes.Buffer
	l := n.Lines()
	for i := 0; i < l.Len(); i++ {
		seg := l.At(i)
		b.Write(seg.Value(w.src))
	}
	return b.Bytes()
}

// plain collects the text of any node, blocks included.
func (w *mdWalker) plain(n ast.Node) string {
	switch n := n.(type) {
	case *ast.Paragraph, *ast.TextBlock, *ast.Heading:
		return w.inline(n)
	case *ast.CodeBlock, *ast.FencedCodeBlock:
		return string(w.lines(n))
	case *ast.HTMLBlock, *ast.RawHTML:
		return ""
	}
	var parts []string
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		parts = append(parts, w.plain(c))
	}
	return strings.Join(parts, " ")
}

// inline returns the text of a block's inline children with the markup
// dropped: emphasis and links keep their text, images and raw HTML tags go.
func (w *mdWalker) inline(n ast.Node) string {
	var b strings.Builder
	w.inlineTo(&b, n, false)
	return b.String()
}

func (w *mdWalker) inlineTo(b *strings.Builder, n ast.Node, raw bool) {
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		switch c := c.(type) {
		case *ast.Text:
			v := c.Segment.Value(w.src)
			if !raw && !c.IsRaw() {
				v = unescapeMarkdown(v)
			}
			b.Write(v)
			if c.SoftLineBreak() || c.HardLineBreak() {
				b.WriteByte(' ')
			}
		case *ast.String:
			b.Write(c.Value)
		case *ast.CodeSpan:
			w.inlineTo(b, c, true)
		case *ast.AutoLink:
			b.Write(c.Label(w.src))
		case *ast.RawHTML, *ast.Image:
			// tags and pictures are not prose
		default:
			w.inlineTo(b, c, raw)
		}
	}
}

func unescapeMarkdown(v []byte) []byte {
	v = util.UnescapePunctuations(v)
	v = util.ResolveNumericReferences(v)
	return util.ResolveEntityNames(v)
}
