package extract

import (
	"encoding/json"
	"strings"
	"time"
	"unicode/utf8"

	"codeberg.org/readeck/go-readability/v2"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
	"golang.org/x/net/html/charset"

	"github.com/ibid-dev/ibid"
	"github.com/ibid-dev/ibid/text"
)

func parseHTML(data []byte, opt Options) (*ibid.Document, error) {
	s, err := decodeHTML(data)
	if err != nil {
		return nil, err
	}
	root, err := html.Parse(strings.NewReader(s))
	if err != nil {
		return nil, &ibid.Error{Code: ibid.EINVALID, Message: "not a readable HTML page", Err: err}
	}
	doc := &ibid.Document{}
	htmlMeta(root, doc)
	if h1 := firstH1(root); h1 != "" && (doc.Title == "" || sameTitle(h1, doc.Title)) {
		// The page's own h1 is the cleanest title: <title> often carries
		// the site name too.
		doc.Title = h1
	}
	if maxNodeDepth(root, opt.MaxXMLDepth+1) > opt.MaxXMLDepth {
		return nil, ibid.Errorf(ibid.EINVALID, "HTML is nested deeper than %d levels", opt.MaxXMLDepth)
	}
	// Readability rewrites the tree it reads (no copy of a large page is
	// made); when it declines, the page is parsed afresh for mainContent.
	var content *html.Node
	if art, ok := readable(root); ok {
		content = art.Node
		if doc.Author == "" {
			doc.Author = art.Byline()
		}
		if t, err := art.PublishedTime(); err == nil && doc.Published.IsZero() {
			doc.Published = t.UTC()
		}
	} else {
		fresh, err := html.Parse(strings.NewReader(s))
		if err != nil {
			return nil, &ibid.Error{Code: ibid.EINVALID, Message: "not a readable HTML page", Err: err}
		}
		content = mainContent(fresh)
	}
	w := htmlWalker{maxDepth: opt.MaxXMLDepth}
	w.walk(content, 0)
	w.flush()
	if w.tooDeep {
		return nil, ibid.Errorf(ibid.EINVALID, "HTML is nested deeper than %d levels", opt.MaxXMLDepth)
	}
	doc.Blocks = stripBoilerplate(doc, w.blocks)
	return doc, nil
}

// readable finds a page's main content with go-readability (changing root), Mozilla
// Readability's port: it scores containers by their prose and their class
// names and drops menus, sidebars, share and comment boxes. It reports
// false when the page has too little text for that to be worth more than
// taking the <article>, <main> or <body> whole.
func readable(root *html.Node) (readability.Article, bool) {
	p := readability.NewParser()
	p.MaxElemsToParse = 100000
	art, err := p.ParseAndMutate(root, nil)
	if err != nil || art.Node == nil {
		return art, false
	}
	// Below Readability's own threshold of 500 characters it returns the
	// best it could find, often the whole body: the page's <article> or
	// <main> is a better guide then.
	return art, utf8.RuneCountInString(strings.Join(strings.Fields(nodeText(art.Node)), " ")) >= p.CharThresholds
}

// decodeHTML decodes a page by its BOM or <meta charset>, UTF-8 and
// Windows-1252 going through the same path as plain text.
func decodeHTML(data []byte) (string, error) {
	enc, name, _ := charset.DetermineEncoding(data, "text/html")
	switch name {
	case "utf-8", "windows-1252", "utf-16le", "utf-16be":
		return decodeText(data)
	}
	out, err := enc.NewDecoder().Bytes(data)
	if err != nil {
		return "", errBinary()
	}
	s := string(out)
	if strings.IndexByte(s, 0) >= 0 || binaryLike(s) {
		return "", errBinary()
	}
	return s, nil
}

// htmlFragmentBlocks extracts the blocks of an HTML fragment, such as raw
// HTML inside Markdown. Depth errors leave the fragment out.
func htmlFragmentBlocks(data []byte, opt Options) []ibid.Block {
	ctx := &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body}
	nodes, err := html.ParseFragment(strings.NewReader(string(data)), ctx)
	if err != nil {
		return nil
	}
	w := htmlWalker{maxDepth: opt.MaxXMLDepth}
	for _, n := range nodes {
		w.walk(n, 0)
	}
	w.flush()
	if w.tooDeep {
		return nil
	}
	return w.blocks
}

// dropped reports whether an element is not part of the prose: code,
// embedded objects, navigation and page furniture, hidden elements.
func dropped(n *html.Node) bool {
	if n.Type != html.ElementNode {
		return n.Type == html.CommentNode || n.Type == html.DoctypeNode
	}
	switch n.DataAtom {
	case atom.Script, atom.Style, atom.Noscript, atom.Template, atom.Iframe, atom.Nav,
		atom.Header, atom.Footer, atom.Aside, atom.Form, atom.Svg, atom.Math, atom.Object,
		atom.Embed, atom.Canvas, atom.Button, atom.Select, atom.Textarea, atom.Input,
		atom.Audio, atom.Video, atom.Head, atom.Title, atom.Dialog, atom.Menu:
		return true
	}
	if n.Data == "svg" || n.Data == "math" {
		return true
	}
	return hiddenAttrs(n)
}

func hiddenAttrs(n *html.Node) bool {
	for _, a := range n.Attr {
		v := strings.ToLower(strings.TrimSpace(a.Val))
		switch strings.ToLower(a.Key) {
		case "hidden":
			return true
		case "aria-hidden":
			if v == "true" {
				return true
			}
		case "role":
			switch v {
			case "navigation", "banner", "contentinfo", "complementary", "search":
				return true
			}
		case "style":
			v = strings.ReplaceAll(v, " ", "")
			if strings.Contains(v, "display:none") || strings.Contains(v, "visibility:hidden") {
				return true
			}
		}
	}
	return false
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if strings.EqualFold(a.Key, key) {
			return a.Val
		}
	}
	return ""
}

// htmlMeta reads the title and metadata of a page from its <title>, <meta>
// and <link rel=license> elements.
func htmlMeta(root *html.Node, doc *ibid.Document) {
	var title, ogTitle, desc, date string
	var ld []string // JSON-LD scripts
	var stack []*html.Node
	stack = append(stack, root)
	for len(stack) > 0 && len(stack) < 1<<16 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for c := n.LastChild; c != nil; c = c.PrevSibling {
			stack = append(stack, c)
		}
		if n.Type != html.ElementNode {
			continue
		}
		switch n.DataAtom {
		case atom.Script:
			if strings.Contains(strings.ToLower(attr(n, "type")), "ld+json") && n.FirstChild != nil {
				ld = append(ld, n.FirstChild.Data)
			}
		case atom.Title:
			if title == "" && n.Parent != nil && n.Parent.DataAtom == atom.Head {
				title = nodeText(n)
			}
		case atom.Link:
			if strings.Contains(" "+strings.ToLower(attr(n, "rel"))+" ", " license ") && doc.License == "" {
				doc.License = attr(n, "href")
			}
		case atom.Meta:
			key := strings.ToLower(attr(n, "name") + attr(n, "property") + attr(n, "itemprop"))
			val := attr(n, "content")
			if strings.TrimSpace(val) == "" {
				continue
			}
			switch key {
			case "og:title", "twitter:title", "dc.title", "dcterms.title", "citation_title":
				if ogTitle == "" {
					ogTitle = val
				}
			case "author", "dc.creator", "dcterms.creator", "citation_author", "article:author":
				if doc.Author == "" && !strings.HasPrefix(val, "http") {
					doc.Author = val
				}
			case "keywords", "news_keywords", "dc.subject.keywords":
				doc.Topics = append(doc.Topics, splitList(val)...)
			case "article:tag":
				doc.Topics = append(doc.Topics, val)
			case "subject", "dc.subject", "dcterms.subject", "article:section":
				if doc.Subject == "" {
					doc.Subject = val
				}
			case "description", "og:description", "dc.description":
				if desc == "" {
					desc = val
				}
			case "date", "dc.date", "dcterms.date", "dcterms.created", "dc.date.issued", "article:published_time", "datepublished", "citation_publication_date":
				if date == "" {
					date = val
				}
			case "license", "licence", "dc.rights", "dcterms.rights", "dcterms.license":
				if doc.License == "" {
					doc.License = val
				}
			}
		}
	}
	// JSON-LD (schema.org's Article and kin) fills what <meta> left empty.
	for _, src := range ld {
		a := jsonLDArticle(src)
		if ogTitle == "" {
			ogTitle = a.Title
		}
		if doc.Author == "" {
			doc.Author = a.Author
		}
		if doc.Subject == "" {
			doc.Subject = a.Subject
		}
		if len(doc.Topics) == 0 {
			doc.Topics = a.Topics
		}
		if date == "" && !a.Published.IsZero() {
			date = a.Published.Format(time.RFC3339)
		}
	}
	doc.Title = ogTitle
	if doc.Title == "" {
		doc.Title = title
	}
	// A description is a sentence about the essay, not its subject; only
	// a short label ("Economics") can stand in for a missing subject.
	if d := strings.TrimSpace(desc); doc.Subject == "" && d != "" && utf8.RuneCountInString(d) <= 40 && !endsSentence(d) {
		doc.Subject = d
	}
	doc.Published = parseDate(date)
}

// mainContent picks the part of a page that holds the essay: the first
// <article>, else <main>, else <body>.
func mainContent(root *html.Node) *html.Node {
	var article, mainEl, body *html.Node
	var visit func(n *html.Node, depth int)
	visit = func(n *html.Node, depth int) {
		if depth > 1024 || article != nil {
			return
		}
		if n.Type == html.ElementNode {
			if n.DataAtom != atom.Body && n.DataAtom != atom.Html && dropped(n) {
				return
			}
			switch {
			case n.DataAtom == atom.Article:
				article = n
				return
			case n.DataAtom == atom.Main || attr(n, "role") == "main":
				if mainEl == nil {
					mainEl = n
				}
			case n.DataAtom == atom.Body:
				body = n
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			visit(c, depth+1)
		}
	}
	visit(root, 0)
	switch {
	case article != nil:
		return article
	case mainEl != nil:
		return mainEl
	case body != nil:
		return body
	}
	return root
}

// firstH1 returns the text of the page's first h1 outside scripts and
// navigation. Headers count: articles often put their title in one.
func firstH1(root *html.Node) string {
	var found string
	var visit func(n *html.Node, depth int)
	visit = func(n *html.Node, depth int) {
		if found != "" || depth > 1024 {
			return
		}
		if n.Type == html.ElementNode {
			if n.DataAtom == atom.H1 {
				found = strings.TrimSpace(nodeText(n))
				return
			}
			if n.DataAtom != atom.Header && n.DataAtom != atom.Body && n.DataAtom != atom.Html && dropped(n) {
				return
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			visit(c, depth+1)
		}
	}
	visit(root, 0)
	return found
}

// nodeText returns the visible text of n: text nodes outside dropped
// elements, line breaks and block boundaries as spaces.
func nodeText(n *html.Node) string {
	var b strings.Builder
	var visit func(n *html.Node, depth int)
	visit = func(n *html.Node, depth int) {
		if depth > 1024 {
			return
		}
		switch {
		case n.Type == html.TextNode:
			b.WriteString(n.Data)
			return
		case n.Type == html.ElementNode && n.DataAtom == atom.Title:
			// <title> holds raw text; reached only when asked for directly
		case dropped(n):
			return
		}
		if n.Type == html.ElementNode && !inlineElement(n) {
			b.WriteByte(' ')
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			visit(c, depth+1)
		}
		if n.Type == html.ElementNode && !inlineElement(n) {
			b.WriteByte(' ')
		}
	}
	visit(n, 0)
	return b.String()
}

// inlineElement reports whether an element flows inside a paragraph.
func inlineElement(n *html.Node) bool {
	switch n.DataAtom {
	case atom.A, atom.Abbr, atom.B, atom.Bdi, atom.Bdo, atom.Cite, atom.Code, atom.Data,
		atom.Del, atom.Dfn, atom.Em, atom.Font, atom.I, atom.Ins, atom.Kbd, atom.Label,
		atom.Mark, atom.Q, atom.Rp, atom.Rt, atom.Ruby, atom.S, atom.Samp, atom.Small,
		atom.Span, atom.Strike, atom.Strong, atom.Sub, atom.Sup, atom.Time, atom.Tt,
		atom.U, atom.Var, atom.Wbr, atom.Img, atom.Picture, atom.Source, atom.Nobr, atom.Big:
		return true
	}
	return false
}

// htmlWalker collects blocks from an element tree; inline text gathers in
// pending until a block boundary turns it into a paragraph.
type htmlWalker struct {
	blocks   []ibid.Block
	pending  strings.Builder
	maxDepth int
	tooDeep  bool
}

func (w *htmlWalker) flush() {
	if strings.TrimSpace(w.pending.String()) != "" {
		w.blocks = append(w.blocks, ibid.Block{Type: ibid.Paragraph, Text: w.pending.String()})
	}
	w.pending.Reset()
}

func (w *htmlWalker) walk(n *html.Node, depth int) {
	if depth > w.maxDepth {
		w.tooDeep = true
		return
	}
	if n.Type == html.TextNode {
		w.pending.WriteString(n.Data)
		return
	}
	if n.Type != html.ElementNode && n.Type != html.DocumentNode {
		return
	}
	if n.Type == html.ElementNode && dropped(n) && n.DataAtom != atom.Body && n.DataAtom != atom.Html {
		return
	}
	switch n.DataAtom {
	case atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
		w.flush()
		w.blocks = append(w.blocks, ibid.Block{Type: ibid.Heading, Level: int(n.Data[1] - '0'), Text: w.textOf(n, depth)})
		return
	case atom.Br:
		w.pending.WriteByte(' ')
		return
	case atom.Img, atom.Wbr:
		return
	case atom.Ul, atom.Ol:
		w.flush()
		var items []string
		w.listItems(n, depth, &items)
		w.blocks = append(w.blocks, ibid.Block{Type: ibid.List, Ordered: n.DataAtom == atom.Ol, Items: items})
		return
	case atom.Blockquote:
		w.flush()
		sub := htmlWalker{maxDepth: w.maxDepth}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			sub.walk(c, depth+1)
		}
		sub.flush()
		w.tooDeep = w.tooDeep || sub.tooDeep
		for _, b := range sub.blocks {
			t := b.Text
			if b.Type == ibid.List {
				t = strings.Join(b.Items, " ")
			}
			w.blocks = append(w.blocks, ibid.Block{Type: ibid.Quote, Text: t})
		}
		return
	case atom.Tr:
		if layoutRow(n) {
			break // a layout table's cells hold whole blocks: walk them as such
		}
		// A table row reads as one line of its cells.
		w.flush()
		var cells []string
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type == html.ElementNode && !dropped(c) {
				cells = append(cells, w.textOf(c, depth+1))
			}
		}
		w.blocks = append(w.blocks, ibid.Block{Type: ibid.Paragraph, Text: strings.Join(cells, " ")})
		return
	}
	if (n.DataAtom == atom.P || n.DataAtom == atom.Div) && !hasBlockChild(n) && boldOnly(n, 0) {
		// Pages written without heading elements mark their headings by
		// a bold paragraph of its own.
		if t := strings.TrimSpace(w.textOf(n, depth)); titleLike(text.Normalize(t)) {
			w.flush()
			w.blocks = append(w.blocks, ibid.Block{Type: ibid.Heading, Level: 2, Text: t})
			return
		}
	}
	inline := n.Type == html.ElementNode && inlineElement(n)
	if !inline {
		w.flush()
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		w.walk(c, depth+1)
	}
	if !inline {
		w.flush()
	}
}

// listItems flattens a list: each item's own text, then its nested items.
func (w *htmlWalker) listItems(list *html.Node, depth int, out *[]string) {
	if depth > w.maxDepth {
		w.tooDeep = true
		return
	}
	for li := list.FirstChild; li != nil; li = li.NextSibling {
		if li.Type != html.ElementNode || dropped(li) {
			continue
		}
		var own strings.Builder
		var nested []string
		for c := li.FirstChild; c != nil; c = c.NextSibling {
			if c.Type == html.ElementNode && (c.DataAtom == atom.Ul || c.DataAtom == atom.Ol) {
				w.listItems(c, depth+2, &nested)
				continue
			}
			own.WriteString(" " + w.textOf(c, depth+2))
		}
		*out = append(*out, own.String())
		*out = append(*out, nested...)
	}
}

// textOf is nodeText with the walker's depth limit.
func (w *htmlWalker) textOf(n *html.Node, depth int) string {
	if depth+maxNodeDepth(n, w.maxDepth-depth+1) > w.maxDepth {
		w.tooDeep = true
		return ""
	}
	return nodeText(n)
}

// maxNodeDepth returns the depth of the tree under n, counting no further
// than limit.
func maxNodeDepth(n *html.Node, limit int) int {
	if limit <= 0 {
		return 0
	}
	d := 0
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		d = max(d, 1+maxNodeDepth(c, limit-1))
		if d >= limit {
			break
		}
	}
	return d
}

// layoutRow reports whether a table row lays out a page rather than
// holding data: one of its cells holds paragraphs, headings or lists.
func layoutRow(tr *html.Node) bool {
	for c := tr.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode && hasBlockChild(c) {
			return true
		}
	}
	return false
}

// hasBlockChild reports whether n has a paragraph, heading, list, table
// or division among its children.
func hasBlockChild(n *html.Node) bool {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type != html.ElementNode {
			continue
		}
		switch c.DataAtom {
		case atom.P, atom.Div, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Ul, atom.Ol,
			atom.Table, atom.Blockquote, atom.Section, atom.Article, atom.Pre, atom.Dl:
			return true
		}
	}
	return false
}

// boldOnly reports whether all the visible text under n is bold: inside
// <b>, <strong> or an element styled font-weight bold.
func boldOnly(n *html.Node, depth int) bool {
	if depth > 32 {
		return false
	}
	any := false
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		switch {
		case c.Type == html.TextNode:
			if strings.TrimSpace(c.Data) != "" {
				return false
			}
		case c.Type != html.ElementNode || dropped(c):
		case bold(c):
			if strings.TrimSpace(nodeText(c)) != "" {
				any = true
			}
		case c.DataAtom == atom.Br:
		default:
			if strings.TrimSpace(nodeText(c)) == "" {
				continue
			}
			if !boldOnly(c, depth+1) {
				return false
			}
			any = true
		}
	}
	return any
}

func bold(n *html.Node) bool {
	if n.DataAtom == atom.B || n.DataAtom == atom.Strong {
		return true
	}
	st := strings.ReplaceAll(strings.ToLower(attr(n, "style")), " ", "")
	return strings.Contains(st, "font-weight:bold") || strings.Contains(st, "font-weight:700") || strings.Contains(st, "font-weight:800") || strings.Contains(st, "font-weight:900")
}

// jsonLDArticle reads the first article-like object of a JSON-LD script
// (at its top, in an array or in "@graph"): headline, author, date,
// articleSection and keywords. Anything else, or invalid JSON, gives an
// empty document.
func jsonLDArticle(src string) ibid.Document {
	if len(src) > 1<<20 {
		return ibid.Document{}
	}
	var v any
	if json.Unmarshal([]byte(src), &v) != nil {
		return ibid.Document{}
	}
	var found map[string]any
	var visit func(v any, depth int)
	visit = func(v any, depth int) {
		if found != nil || depth > 8 {
			return
		}
		switch t := v.(type) {
		case []any:
			for _, x := range t {
				visit(x, depth+1)
			}
		case map[string]any:
			if jsonLDArticleType(t["@type"]) {
				found = t
				return
			}
			visit(t["@graph"], depth+1)
		}
	}
	visit(v, 0)
	if found == nil {
		return ibid.Document{}
	}
	str := func(v any) string {
		switch t := v.(type) {
		case string:
			return t
		case map[string]any:
			s, _ := t["name"].(string)
			return s
		case []any:
			var parts []string
			for _, x := range t {
				switch y := x.(type) {
				case string:
					parts = append(parts, y)
				case map[string]any:
					if s, ok := y["name"].(string); ok {
						parts = append(parts, s)
					}
				}
			}
			return strings.Join(parts, ", ")
		}
		return ""
	}
	var doc ibid.Document
	doc.Title = str(found["headline"])
	if doc.Title == "" {
		doc.Title = str(found["name"])
	}
	doc.Author = str(found["author"])
	doc.Subject = strings.SplitN(str(found["articleSection"]), ",", 2)[0]
	for _, k := range splitList(str(found["keywords"])) {
		if k = strings.TrimSpace(k); k != "" {
			doc.Topics = append(doc.Topics, k)
		}
	}
	doc.Published = parseDate(str(found["datePublished"]))
	return doc
}

// jsonLDArticleType reports whether a JSON-LD @type names a piece of
// writing.
func jsonLDArticleType(v any) bool {
	var types []string
	switch t := v.(type) {
	case string:
		types = []string{t}
	case []any:
		for _, x := range t {
			if s, ok := x.(string); ok {
				types = append(types, s)
			}
		}
	}
	for _, t := range types {
		switch strings.TrimPrefix(t, "schema:") {
		case "Article", "NewsArticle", "BlogPosting", "ScholarlyArticle", "Report", "CreativeWork",
			"TechArticle", "OpinionNewsArticle", "AnalysisNewsArticle", "Essay":
			return true
		}
	}
	return false
}
