package extract

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/ibid-dev/ibid"
	"github.com/ibid-dev/ibid/text"
)

func notWord(why string, err error) error {
	return &ibid.Error{Code: ibid.EINVALID, Message: "not a Word document (" + why + ")", Err: err}
}

// errUnpacked is returned by budgetReader when the parts read so far
// decompress to more than Options.MaxUnpacked.
var errUnpacked = errors.New("decompressed size over the limit")

// errTooDeep is returned when a part's XML nests deeper than allowed.
var errTooDeep = errors.New("xml nested too deep")

func parseDOCX(data []byte, opt Options) (*ibid.Document, error) {
	if !bytes.HasPrefix(data, []byte("PK\x03\x04")) && !bytes.HasPrefix(data, []byte("PK\x05\x06")) {
		return nil, notWord("zip header missing", nil)
	}
	// Count entries before archive/zip loads the whole central directory:
	// a small file can declare millions of them.
	if n, ok := zipEntryCount(data); ok && n > maxZipEntries {
		return nil, ibid.Errorf(ibid.ETOOLARGE, "Word document has more than 10,000 parts")
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, notWord("corrupt zip archive", err)
	}
	if len(zr.File) > maxZipEntries {
		return nil, ibid.Errorf(ibid.ETOOLARGE, "Word document has more than 10,000 parts")
	}
	parts := map[string]*zip.File{}
	var declared uint64
	for _, f := range zr.File {
		declared += f.UncompressedSize64
		parts[f.Name] = f
	}
	if declared > uint64(opt.MaxUnpacked) {
		return nil, unpackedTooLarge(opt)
	}
	main := parts["word/document.xml"]
	if main == nil {
		return nil, notWord("word/document.xml missing", nil)
	}
	// Declared sizes lie, so every part is also read through one shared
	// budget of decompressed bytes.
	rd := &docxReader{opt: opt, left: opt.MaxUnpacked}
	styles, err := rd.styles(parts["word/styles.xml"])
	if err != nil {
		return nil, err
	}
	nums, err := rd.numbering(parts["word/numbering.xml"])
	if err != nil {
		return nil, err
	}
	doc := &ibid.Document{}
	if err := rd.core(parts["docProps/core.xml"], doc); err != nil {
		return nil, err
	}
	paras, err := rd.document(main)
	if err != nil {
		return nil, err
	}
	blocks, inferred := docxBlocks(paras, styles, nums)
	// The Title-style paragraph is what readers see as the title; the
	// core.xml title is often a template's or an old draft's. A title
	// known only by its looks comes after core.xml's.
	for _, b := range blocks {
		if b.Type == ibid.Heading && b.Level == 0 {
			if !inferred || doc.Title == "" {
				doc.Title = b.Text
			}
			break
		}
	}
	// core.xml's date is when the file was made; a date printed under the
	// title says when the essay was published, and wins.
	made := doc.Published
	doc.Published = time.Time{}
	doc.Blocks = stripBoilerplate(doc, blocks)
	if doc.Published.IsZero() {
		doc.Published = made
	}
	return doc, nil
}

func unpackedTooLarge(opt Options) error {
	return ibid.Errorf(ibid.ETOOLARGE, "Word document unpacks to more than %s", humanSize(opt.MaxUnpacked))
}

// zipEntryCount reads the number of entries from a zip's end-of-central-
// directory record. Zip64 archives report 0xFFFF, more than we accept.
func zipEntryCount(data []byte) (int, bool) {
	const eocdLen = 22
	start := max(0, len(data)-(eocdLen+0xFFFF))
	i := bytes.LastIndex(data[start:], []byte("PK\x05\x06"))
	if i < 0 || start+i+eocdLen > len(data) {
		return 0, false
	}
	rec := data[start+i:]
	return int(binary.LittleEndian.Uint16(rec[10:12])), true
}

type docxReader struct {
	opt  Options
	left int64
}

// budgetReader counts decompressed bytes against the shared budget.
type budgetReader struct {
	r  io.Reader
	rd *docxReader
}

func (b *budgetReader) Read(p []byte) (int, error) {
	if b.rd.left < 0 {
		return 0, errUnpacked
	}
	n, err := b.r.Read(p)
	b.rd.left -= int64(n)
	if b.rd.left < 0 {
		return n, errUnpacked
	}
	return n, err
}

// xmlHandler sees each token of a part with the element stack (local
// names, innermost last; a closing element still on it).
type xmlHandler func(stack []string, tok xml.Token) error

// walk streams a part's XML tokens to fn, enforcing the depth limit and the
// decompression budget. mc:Fallback subtrees are skipped: they repeat the
// content of mc:Choice for older readers.
func (rd *docxReader) walk(f *zip.File, fn xmlHandler) error {
	rc, err := f.Open()
	if err != nil {
		return notWord("corrupt zip archive", err)
	}
	defer rc.Close()
	d := xml.NewDecoder(&budgetReader{r: rc, rd: rd})
	var stack []string
	skip := 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return rd.partError(f.Name, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			stack = append(stack, t.Name.Local)
			if len(stack) > rd.opt.MaxXMLDepth {
				return rd.partError(f.Name, errTooDeep)
			}
			if skip > 0 || t.Name.Local == "Fallback" {
				skip++
				continue
			}
		case xml.EndElement:
			// The handler sees the stack with the closing element still
			// on it, as it saw it at the start.
			top := stack
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
			if skip > 0 {
				skip--
				continue
			}
			if err := fn(top, tok); err != nil {
				return err
			}
			continue
		default:
			if skip > 0 {
				continue
			}
		}
		if err := fn(stack, tok); err != nil {
			return err
		}
	}
}

func (rd *docxReader) partError(name string, err error) error {
	switch {
	case errors.Is(err, errUnpacked):
		return unpackedTooLarge(rd.opt)
	case errors.Is(err, errTooDeep):
		return &ibid.Error{Code: ibid.EINVALID, Message: fmt.Sprintf("Word document XML is nested deeper than %d levels", rd.opt.MaxXMLDepth), Err: err}
	case errors.Is(err, zip.ErrChecksum), errors.Is(err, zip.ErrFormat), errors.Is(err, zip.ErrAlgorithm), errors.Is(err, io.ErrUnexpectedEOF):
		return notWord("corrupt zip archive", err)
	}
	return notWord("corrupt "+name, err)
}

func val(t xml.StartElement) string {
	for _, a := range t.Attr {
		if a.Name.Local == "val" {
			return a.Value
		}
	}
	return ""
}

func attrLocal(t xml.StartElement, local string) string {
	for _, a := range t.Attr {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

func parent(stack []string, n int) string {
	if len(stack) <= n {
		return ""
	}
	return stack[len(stack)-1-n]
}

// docxStyle is what a paragraph style says about structure.
type docxStyle struct {
	name, basedOn string
	outline       int // outline level 0–8 from the style's pPr, -1 when absent
	numID         string
	bold          int // 1 bold, 0 not, -1 inherited
	size          int // font size in half-points, 0 inherited
	jc            string
}

type docxStyles map[string]*docxStyle

func (rd *docxReader) styles(f *zip.File) (docxStyles, error) {
	styles := docxStyles{}
	if f == nil {
		return styles, nil
	}
	var cur *docxStyle
	err := rd.walk(f, func(stack []string, tok xml.Token) error {
		t, ok := tok.(xml.StartElement)
		if !ok {
			return nil
		}
		switch t.Name.Local {
		case "style":
			cur = nil
			if attrLocal(t, "type") == "paragraph" {
				cur = &docxStyle{outline: -1, bold: -1}
				styles[attrLocal(t, "styleId")] = cur
			}
		case "rPrDefault":
			cur = nil
		case "b":
			if cur != nil && parent(stack, 1) == "rPr" && parent(stack, 2) == "style" {
				cur.bold = onOff(t)
			}
		case "sz":
			n, _ := strconv.Atoi(val(t))
			switch {
			case cur != nil && parent(stack, 1) == "rPr" && parent(stack, 2) == "style":
				cur.size = n
			case parent(stack, 1) == "rPr" && parent(stack, 2) == "rPrDefault":
				styles[defaultStyle] = &docxStyle{outline: -1, bold: -1, size: n}
			}
		case "jc":
			if cur != nil && parent(stack, 1) == "pPr" && parent(stack, 2) == "style" {
				cur.jc = val(t)
			}
		case "name":
			if cur != nil && parent(stack, 1) == "style" {
				cur.name = val(t)
			}
		case "basedOn":
			if cur != nil && parent(stack, 1) == "style" {
				cur.basedOn = val(t)
			}
		case "outlineLvl":
			if cur != nil && parent(stack, 1) == "pPr" {
				if n, err := strconv.Atoi(val(t)); err == nil {
					cur.outline = n
				}
			}
		case "numId":
			if cur != nil && parent(stack, 1) == "numPr" {
				cur.numID = val(t)
			}
		}
		return nil
	})
	return styles, err
}

// defaultStyle keys the document defaults (w:docDefaults) in docxStyles.
const defaultStyle = "\x00defaults"

// onOff reads a toggle property such as w:b: on unless its val says off.
func onOff(t xml.StartElement) int {
	switch val(t) {
	case "0", "false", "off", "none":
		return 0
	}
	return 1
}

// format returns what a paragraph style says of bold, size and alignment,
// following basedOn, with the document defaults last.
func (s docxStyles) format(id string) (bold, size int, jc string) {
	bold = -1
	for hops := 0; id != "" && hops < 16; hops++ {
		st := s[id]
		if st == nil {
			break
		}
		if bold < 0 {
			bold = st.bold
		}
		if size == 0 {
			size = st.size
		}
		if jc == "" {
			jc = st.jc
		}
		id = st.basedOn
	}
	if size == 0 && s[defaultStyle] != nil {
		size = s[defaultStyle].size
	}
	if size == 0 {
		size = 20 // Word's default, 10 pt
	}
	return max(bold, 0), size, jc
}

// kind returns what a paragraph style makes of a paragraph: a heading
// level (0 for the Title style), quote, or list, following basedOn.
func (s docxStyles) kind(id string) (level int, quote, list, ordered bool, numID string) {
	level = -1
	for hops := 0; id != "" && hops < 16; hops++ {
		st := s[id]
		name := strings.ToLower(id)
		if st != nil && st.name != "" {
			name = strings.ToLower(st.name)
		}
		compact := strings.ReplaceAll(name, " ", "")
		switch {
		case compact == "title":
			return 0, false, false, false, ""
		case strings.HasPrefix(compact, "heading") && len(compact) == len("heading")+1 && compact[7] >= '1' && compact[7] <= '9':
			return int(compact[7] - '0'), false, false, false, ""
		case st != nil && st.outline >= 0 && st.outline <= 8:
			return st.outline + 1, false, false, false, ""
		case strings.Contains(compact, "quote"):
			return -1, true, false, false, ""
		case st != nil && st.numID != "" && st.numID != "0":
			return -1, false, true, false, st.numID
		case strings.HasPrefix(compact, "listbullet"):
			return -1, false, true, false, ""
		case strings.HasPrefix(compact, "listnumber"):
			return -1, false, true, true, ""
		}
		if st == nil {
			break
		}
		id = st.basedOn
	}
	return -1, false, false, false, ""
}

// docxNumbering maps numId and level to whether the list is numbered.
type docxNumbering struct {
	abstract map[string]map[string]string // abstractNumId -> ilvl -> numFmt
	nums     map[string]string            // numId -> abstractNumId
	override map[string]map[string]string // numId -> ilvl -> numFmt
}

func (rd *docxReader) numbering(f *zip.File) (*docxNumbering, error) {
	n := &docxNumbering{abstract: map[string]map[string]string{}, nums: map[string]string{}, override: map[string]map[string]string{}}
	if f == nil {
		return n, nil
	}
	var abs, num, lvl string
	err := rd.walk(f, func(stack []string, tok xml.Token) error {
		t, ok := tok.(xml.StartElement)
		if !ok {
			return nil
		}
		switch t.Name.Local {
		case "abstractNum":
			abs, num = attrLocal(t, "abstractNumId"), ""
			if n.abstract[abs] == nil {
				n.abstract[abs] = map[string]string{}
			}
		case "num":
			num, abs = attrLocal(t, "numId"), ""
		case "abstractNumId":
			if num != "" && parent(stack, 1) == "num" {
				n.nums[num] = val(t)
			}
		case "lvl":
			lvl = attrLocal(t, "ilvl")
		case "numFmt":
			switch {
			case parent(stack, 1) != "lvl":
			case abs != "":
				n.abstract[abs][lvl] = val(t)
			case num != "":
				if n.override[num] == nil {
					n.override[num] = map[string]string{}
				}
				n.override[num][lvl] = val(t)
			}
		}
		return nil
	})
	return n, err
}

// ordered reports whether items of numId at level ilvl are numbered rather
// than bulleted.
func (n *docxNumbering) ordered(numID, ilvl string) bool {
	if ilvl == "" {
		ilvl = "0"
	}
	f, ok := n.override[numID][ilvl]
	if !ok {
		f = n.abstract[n.nums[numID]][ilvl]
	}
	switch f {
	case "", "bullet", "none":
		return false
	}
	return true
}

func (rd *docxReader) core(f *zip.File, doc *ibid.Document) error {
	if f == nil {
		return nil
	}
	var b strings.Builder
	return rd.walk(f, func(stack []string, tok xml.Token) error {
		if len(stack) != 2 {
			return nil // only the children of cp:coreProperties
		}
		switch t := tok.(type) {
		case xml.StartElement:
			b.Reset()
		case xml.CharData:
			if b.Len() < 1<<16 {
				b.Write(t)
			}
		case xml.EndElement:
			v := strings.TrimSpace(b.String())
			switch t.Name.Local {
			case "creator": // Dublin Core's creator is the author
				doc.Author = v
			case "created":
				doc.Published = parseDate(v)
			case "rights":
				doc.License = v
			default:
				setMeta(doc, t.Name.Local, v)
			}
		}
		return nil
	})
}

// docxPara is one w:p of document.xml: its text and the properties that
// decide its block type.
type docxPara struct {
	style, numID, ilvl string
	outline            int
	text               strings.Builder
	// The direct formatting that makes a heading of a paragraph in a
	// document without heading styles: letters in bold runs, in runs that
	// leave bold to the style, and in all; the largest run size (half-
	// points, 0 for the style's); the alignment.
	bold, inherit, chars int
	size                 int
	jc                   string
}

// docxRun is the formatting of the w:r being read.
type docxRun struct {
	bold, size int
	under      bool // underlined: a typist's heading, read as bold
}

func (rd *docxReader) document(f *zip.File) ([]*docxPara, error) {
	var out []*docxPara
	var open []*docxPara // paragraphs nest through text boxes
	cur := func() *docxPara {
		if len(open) == 0 {
			return nil
		}
		return open[len(open)-1]
	}
	inText := false
	run := docxRun{bold: -1}
	// The words are counted paragraph by paragraph, so that a document
	// of millions of words is given up once it is over the budget.
	words := newWordBudget(rd.opt)
	err := rd.walk(f, func(stack []string, tok xml.Token) error {
		switch t := tok.(type) {
		case xml.StartElement:
			p := cur()
			switch t.Name.Local {
			case "p":
				open = append(open, &docxPara{outline: -1})
			case "r":
				run = docxRun{bold: -1}
			case "b":
				if parent(stack, 1) == "rPr" && parent(stack, 2) == "r" {
					run.bold = onOff(t)
				}
			case "u":
				if parent(stack, 1) == "rPr" && parent(stack, 2) == "r" {
					run.under = val(t) != "none" && val(t) != "0"
				}
			case "sz":
				if parent(stack, 1) == "rPr" && parent(stack, 2) == "r" {
					run.size, _ = strconv.Atoi(val(t))
				}
			case "jc":
				if p != nil && parent(stack, 1) == "pPr" {
					p.jc = val(t)
				}
			case "t":
				// w:t only: DrawingML's a:t in charts and diagrams is
				// not body text.
				inText = strings.HasSuffix(t.Name.Space, "wordprocessingml/2006/main")
			case "tab", "br", "cr":
				if p != nil && parent(stack, 1) == "r" {
					p.text.WriteByte(' ')
				}
			case "noBreakHyphen":
				if p != nil {
					p.text.WriteByte('-')
				}
			case "pStyle":
				if p != nil && parent(stack, 1) == "pPr" {
					p.style = val(t)
				}
			case "numId":
				if p != nil && parent(stack, 1) == "numPr" {
					p.numID = val(t)
				}
			case "ilvl":
				if p != nil && parent(stack, 1) == "numPr" {
					p.ilvl = val(t)
				}
			case "outlineLvl":
				if p != nil && parent(stack, 1) == "pPr" {
					if n, err := strconv.Atoi(val(t)); err == nil {
						p.outline = n
					}
				}
			}
		case xml.CharData:
			if p := cur(); p != nil && inText {
				p.text.Write(t)
				n := 0
				for _, r := range string(t) {
					if !unicode.IsSpace(r) {
						n++
					}
				}
				p.chars += n
				switch {
				case run.bold == 1 || run.under:
					p.bold += n
				case run.bold == -1:
					p.inherit += n
				}
				if n > 0 {
					p.size = max(p.size, run.size)
				}
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "t":
				inText = false
			case "p":
				if p := cur(); p != nil {
					open = open[:len(open)-1]
					out = append(out, p)
					words.gap()
					if err := words.add(p.text.String()); err != nil {
						return err
					}
				}
			}
		}
		return nil
	})
	return out, err
}

// docxBlocks turns paragraphs into blocks: heading styles into headings,
// quote styles into quotes, numbered paragraphs into list items (runs of
// them into one list). A document with no heading style or outline level
// at all, as most people's are, gets its headings from how they look (see
// inferHeadings).
func docxBlocks(paras []*docxPara, styles docxStyles, nums *docxNumbering) (blocks []ibid.Block, inferred bool) {
	var plain []*docxPara // per block: the paragraph of a plain one, for inferHeadings
	styled := false
	for _, p := range paras {
		t := p.text.String()
		if strings.TrimSpace(t) == "" {
			continue
		}
		level, quote, list, ordered, styleNum := styles.kind(p.style)
		if p.outline >= 0 && p.outline <= 8 {
			level = p.outline + 1
		}
		numID := p.numID
		if numID == "" {
			numID = styleNum
		}
		if numID != "" && numID != "0" && level < 0 {
			list, ordered = true, nums.ordered(numID, p.ilvl)
		} else if numID == "0" {
			list = false // numbering switched off for this paragraph
		}
		switch {
		case level >= 0:
			styled = true
			blocks = append(blocks, ibid.Block{Type: ibid.Heading, Level: level, Text: t})
			plain = append(plain, nil)
		case list:
			n := len(blocks)
			nested := p.ilvl != "" && p.ilvl != "0"
			if n > 0 && blocks[n-1].Type == ibid.List && (nested || blocks[n-1].Ordered == ordered) {
				blocks[n-1].Items = append(blocks[n-1].Items, t)
				continue
			}
			blocks = append(blocks, ibid.Block{Type: ibid.List, Ordered: ordered, Items: []string{t}})
			plain = append(plain, nil)
		case quote:
			blocks = append(blocks, ibid.Block{Type: ibid.Quote, Text: t})
			plain = append(plain, nil)
		default:
			blocks = append(blocks, ibid.Block{Type: ibid.Paragraph, Text: t})
			plain = append(plain, p)
		}
	}
	if !styled {
		return inferHeadings(blocks, plain, styles), true
	}
	return blocks, false
}

// inferHeadings finds the title and headings of a document written without
// heading styles. A short paragraph that does not end like a sentence is a
// heading when it is all bold or set larger than the body text, and the
// first paragraph is the title when it is bold, larger or centred; levels
// follow the size of the type. A document with no such formatting at all
// (a text file saved as .docx) is read as plain text is: short title-like
// paragraphs are headings, "- " and "1. " paragraphs list items.
func inferHeadings(blocks []ibid.Block, paras []*docxPara, styles docxStyles) []ibid.Block {
	type look struct {
		bold, centred bool
		size          int
	}
	looks := make([]look, len(blocks))
	bodyChars := map[int]int{}
	for i, p := range paras {
		if p == nil {
			continue
		}
		sb, ssize, sjc := styles.format(p.style)
		size := p.size
		if size == 0 {
			size = ssize
		}
		bold := p.bold + p.inherit*sb
		jc := p.jc
		if jc == "" {
			jc = sjc
		}
		looks[i] = look{bold: p.chars > 0 && bold == p.chars, centred: jc == "center", size: size}
		bodyChars[size] += p.chars
	}
	body, most := 0, -1
	for size, n := range bodyChars {
		if n > most || n == most && size < body {
			body, most = size, n
		}
	}
	heading := func(i int) bool {
		l := looks[i]
		t := text.Normalize(blocks[i].Text)
		return paras[i] != nil && titleLike(t) && (l.bold || l.size*10 > body*11 || allCaps(t))
	}
	var sizes []int
	found := false
	for i := range blocks {
		if heading(i) {
			found = true
			sizes = append(sizes, looks[i].size)
		}
	}
	first := -1
	for i := range blocks {
		if strings.TrimSpace(blocks[i].Text) != "" || blocks[i].Type == ibid.List {
			first = i
			break
		}
	}
	titled := first >= 0 && paras[first] != nil && titleLike(text.Normalize(blocks[first].Text)) &&
		(looks[first].bold || looks[first].centred || looks[first].size*10 > body*11)
	slices.Sort(sizes)
	slices.Reverse(sizes)
	sizes = slices.Compact(sizes)
	var out []ibid.Block
	for i, b := range blocks {
		switch {
		case paras[i] == nil:
			out = append(out, b)
		case i == first && titled:
			out = append(out, ibid.Block{Type: ibid.Heading, Level: 0, Text: b.Text})
		case found && heading(i):
			out = append(out, ibid.Block{Type: ibid.Heading, Level: min(slices.Index(sizes, looks[i].size)+1, 3), Text: b.Text})
		default:
			for _, tb := range groupBlocks([]string{strings.TrimSpace(b.Text)}, false, nil) {
				if tb.Type == ibid.Heading && found {
					// Formatting said which paragraphs are headings.
					tb = ibid.Block{Type: ibid.Paragraph, Text: b.Text}
				}
				out = append(out, tb)
			}
		}
	}
	return tidyTextBlocks(out)
}

// allCaps reports whether s is written in capitals ("THE PACT AND THE
// WAR"): two letters or more, none of them lower case.
func allCaps(s string) bool {
	letters := 0
	for _, r := range s {
		if unicode.IsLower(r) {
			return false
		}
		if unicode.IsLetter(r) {
			letters++
		}
	}
	return letters >= 2
}
