package extract

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"os/exec"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/ledongthuc/pdf"

	"github.com/ibid-dev/ibid"
)

// lookPdftotext finds pdftotext; tests replace it to exercise both paths.
var lookPdftotext = func() (string, bool) {
	p, err := exec.LookPath("pdftotext")
	return p, err == nil
}

func unreadablePDF(why string, err error) error {
	why = firstLine(why)
	return &ibid.Error{Code: ibid.EINVALID, Message: "not a readable PDF: " + why, Err: err}
}

func parsePDF(data []byte, opt Options) (*ibid.Document, error) {
	if !bytes.Contains(data[:min(len(data), 1024)], []byte("%PDF-")) {
		return nil, unreadablePDF("the %PDF header is missing", nil)
	}
	doc := &ibid.Document{}
	var s, warning string
	var sizes map[string]float64
	var err error
	if tool, ok := lookPdftotext(); ok {
		s, warning, sizes, err = pdftotext(tool, data, opt, doc)
	} else {
		s, sizes, err = goPDF(data, opt, doc)
	}
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(strings.ReplaceAll(s, "\f", "")) == "" {
		// A file that yields nothing while poppler complains is broken,
		// not scanned: say what poppler found.
		if warning != "" {
			return nil, unreadablePDF(warning, nil)
		}
		return nil, ibid.Errorf(ibid.EINVALID, "PDF has no text layer (scanned image?)")
	}
	// The Info dictionary's date is when the file was made; a date printed
	// under the title says when the essay was published, and wins.
	made := doc.Published
	doc.Published = time.Time{}
	blocks := textBlocks(s, true)
	if sizes != nil {
		pdfHeadingLevels(blocks, sizes)
	}
	doc.Blocks = stripBoilerplate(doc, blocks)
	if doc.Published.IsZero() {
		doc.Published = made
	}
	return doc, nil
}

// pdfHeadingLevels ranks headings by the height of their line: the
// largest type is level 1, the next 2, anything smaller 3. (finish then
// shifts the levels so that the shallowest left after the title is 1.)
func pdfHeadingLevels(blocks []ibid.Block, sizes map[string]float64) {
	// A heading that wrapped is a paragraph of a few lines to textBlocks;
	// its larger type tells it apart.
	if body := sizes[""]; body > 0 {
		for i, b := range blocks {
			if h, ok := sizes[strings.TrimSpace(b.Text)]; ok && b.Type == ibid.Paragraph && h > 1.1*body && titleLike(b.Text) {
				blocks[i].Type = ibid.Heading
			}
		}
	}
	var hs []float64
	for _, b := range blocks {
		if h, ok := sizes[strings.TrimSpace(b.Text)]; ok && b.Type == ibid.Heading {
			hs = append(hs, math.Round(h*2)/2)
		}
	}
	sort.Sort(sort.Reverse(sort.Float64Slice(hs)))
	hs = slices.Compact(hs)
	for i, b := range blocks {
		h, ok := sizes[strings.TrimSpace(b.Text)]
		if !ok || b.Type != ibid.Heading {
			continue
		}
		blocks[i].Level = min(slices.Index(hs, math.Round(h*2)/2)+1, 3)
	}
}

// firstLine keeps a tool's or library's complaint to one short, printable
// line: readers' messages can quote raw bytes of the file.
func firstLine(s string) string {
	s = strings.TrimSpace(strings.ToValidUTF8(s, "?"))
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i]
	}
	s = strings.TrimPrefix(s, "Syntax Error: ")
	s = strings.TrimPrefix(s, "Command Line Error: ")
	if s = printable(strings.TrimSpace(s)); s == "" {
		s = "unknown error"
	}
	return s
}

// limitedBuffer collects a command's output up to a limit and fails the
// write beyond it, which stops the command.
type limitedBuffer struct {
	bytes.Buffer
	limit int64
	over  bool
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if int64(b.Len()+len(p)) > b.limit {
		b.over = true
		return 0, errors.New("output over the limit")
	}
	return b.Buffer.Write(p)
}

// pdftotext runs poppler's pdftotext with -bbox-layout: its XHTML output
// keeps poppler's reading order and text blocks (our paragraphs), words as
// they are printed (the plain mode mends hyphens too eagerly, turning
// "Franco-" + "Persian" into "FrancoPersian") and the Info metadata.
//
// The output is read as it comes, never held whole (it spends about 150
// bytes of markup on a word): the text grows by the words alone, and once
// they are over the word budget pdftotext is stopped. So a small PDF of
// millions of words costs what its first budget's worth does.
func pdftotext(tool string, data []byte, opt Options, doc *ibid.Document) (text, warning string, sizes map[string]float64, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), opt.Timeout)
	defer cancel()

	errOut := &limitedBuffer{limit: 4096}
	// The PDF goes in on stdin, never through a temporary file: a document
	// sent for checking must leave no trace on disk (poppler keeps stdin in
	// memory).
	cmd := exec.CommandContext(ctx, tool, "-bbox-layout", "-enc", "UTF-8", "-", "-")
	cmd.Stdin = bytes.NewReader(data)
	cmd.Stderr = errOut
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return "", "", nil, fmt.Errorf("extract: run pdftotext: %w", err)
	}
	if err := cmd.Start(); err != nil {
		if ctx.Err() == context.DeadlineExceeded {
			return "", "", nil, unreadablePDF(fmt.Sprintf("reading took longer than %s", opt.Timeout), ctx.Err())
		}
		return "", "", nil, fmt.Errorf("extract: run pdftotext: %w", err)
	}
	// The XHTML spends about 150 bytes of markup on every word.
	out := &countingReader{r: stdout, left: 8 * opt.MaxUnpacked}
	text, sizes, perr := bboxText(out, doc, newWordBudget(opt))
	if perr != nil {
		// Stop pdftotext: what it has left to say is not wanted.
		cancel()
	}
	// Read what is left, so that Wait does not close the pipe under a
	// pdftotext still writing (its exit status would then hide the
	// reason).
	io.Copy(io.Discard, stdout)
	err = cmd.Wait()
	switch {
	case out.over:
		return "", "", nil, ibid.Errorf(ibid.ETOOLARGE, "PDF text is larger than %s", humanSize(opt.MaxUnpacked))
	case ibid.ErrorCode(perr) == ibid.ETOOLARGE:
		return "", "", nil, perr
	case ctx.Err() == context.DeadlineExceeded:
		return "", "", nil, unreadablePDF(fmt.Sprintf("reading took longer than %s", opt.Timeout), ctx.Err())
	case perr != nil && ctx.Err() == context.Canceled:
		// Stopped by us for its output, not failed of itself.
		return "", "", nil, perr
	case err != nil:
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return "", "", nil, unreadablePDF(errOut.String(), err)
		}
		return "", "", nil, fmt.Errorf("extract: run pdftotext: %w", err)
	case perr != nil:
		return "", "", nil, perr
	}
	if strings.TrimSpace(errOut.String()) != "" {
		warning = firstLine(errOut.String())
	}
	return text, warning, sizes, nil
}

// countingReader reads at most left bytes from r; past them it fails and
// says so in over.
type countingReader struct {
	r    io.Reader
	left int64
	over bool
}

func (c *countingReader) Read(p []byte) (int, error) {
	if c.left <= 0 {
		c.over = true
		return 0, errors.New("output over the limit")
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	return n, err
}

// bboxText turns pdftotext's -bbox-layout XHTML into text for textBlocks:
// words joined by spaces, lines by newlines, blocks by blank lines, pages
// by form feeds, with the running headers and footers left out (see
// pdfLayout). The <head> carries the Info metadata. sizes maps the text of
// each one-line block to the height of its line, for heading levels. It
// stops with the budget's error once the words are over it.
func bboxText(x io.Reader, doc *ibid.Document, budget *wordBudget) (string, map[string]float64, error) {
	d := xml.NewDecoder(x)
	d.Strict = false
	d.Entity = xml.HTMLEntity
	var pages []*pdfPage
	var page *pdfPage
	var block *pdfBlock
	var line *pdfBoxLine
	var inWord, inTitle bool
	num := func(t xml.StartElement, k string) float64 {
		v, _ := strconv.ParseFloat(attrLocal(t, k), 64)
		return v
	}
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return "", nil, unreadablePDF("pdftotext wrote malformed output", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "title":
				inTitle = true
			case "meta":
				if name := attrLocal(t, "name"); name != "Title" {
					setMeta(doc, name, attrLocal(t, "content"))
				}
			case "page":
				page = &pdfPage{height: num(t, "height"), width: num(t, "width")}
				pages = append(pages, page)
				block, line = nil, nil
			case "block":
				if page != nil {
					page.blocks = append(page.blocks, &pdfBlock{})
					block = page.blocks[len(page.blocks)-1]
				}
			case "line":
				if block != nil {
					block.lines = append(block.lines, &pdfBoxLine{yMin: num(t, "yMin"), yMax: num(t, "yMax"), xMin: num(t, "xMin"), xMax: num(t, "xMax")})
					line = block.lines[len(block.lines)-1]
				}
			case "word":
				if line != nil && line.text.Len() > 0 {
					line.text.WriteByte(' ')
				}
				if err := budget.word(); err != nil {
					return "", nil, err
				}
				inWord = true
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "word":
				inWord = false
			case "title":
				inTitle = false
			}
		case xml.CharData:
			switch {
			case inWord && line != nil:
				line.text.Write(t)
			case inTitle:
				if len(doc.Title) < 1<<12 {
					doc.Title += string(t)
				}
			}
		}
	}
	text, sizes := pdfLayout(pages, doc.Title)
	return text, sizes, nil
}

// pdfPage, pdfBlock and pdfBoxLine are pdftotext's layout of a page.
type pdfPage struct {
	height float64
	width  float64 // 0 when unknown
	blocks []*pdfBlock
}

type pdfBlock struct{ lines []*pdfBoxLine }

type pdfBoxLine struct {
	text                   strings.Builder
	yMin, yMax, xMin, xMax float64
	running                bool
}

// pdfLayout writes the pages as text without their running headers and
// footers: a line near the top or bottom of a page whose text (digits
// aside) comes back at about the same height on at least two pages and
// two-fifths of them ("Soviet Foreign Policy  ibid", "3 / 10"), and page
// numbers in those margins. What is left of a paragraph cut by a page
// break then meets its other half in joinPages.
func pdfLayout(pages []*pdfPage, title string) (string, map[string]float64) {
	title = strings.ToLower(strings.Join(strings.Fields(title), " "))
	type key struct {
		text string
		band int
	}
	margin := func(p *pdfPage, l *pdfBoxLine) bool {
		return p.height > 0 && (l.yMax < 0.15*p.height || l.yMin > 0.85*p.height)
	}
	norm := func(s string) string {
		return strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' {
				return '#'
			}
			return unicode.ToLower(r)
		}, strings.Join(strings.Fields(s), " "))
	}
	band := func(p *pdfPage, l *pdfBoxLine) int { return int(math.Round(l.yMin / p.height * 100)) }
	seen := map[key]map[int]bool{}
	for i, p := range pages {
		for _, b := range p.blocks {
			for _, l := range b.lines {
				if !margin(p, l) {
					continue
				}
				// Neighbouring bands too: rounding can split one position.
				for d := -1; d <= 1; d++ {
					k := key{norm(l.text.String()), band(p, l) + d}
					if seen[k] == nil {
						seen[k] = map[int]bool{}
					}
					seen[k][i] = true
				}
			}
		}
	}
	for i, p := range pages {
		for _, b := range p.blocks {
			for _, l := range b.lines {
				if !margin(p, l) {
					continue
				}
				n := len(seen[key{norm(l.text.String()), band(p, l)}])
				// A short document has too few pages to show a repeat; its
				// running title still names the document.
				named := i > 0 && len(title) >= 8 && strings.Contains(strings.ToLower(l.text.String()), title) && l.yMax < 0.15*p.height
				if n >= 2 && n*5 >= len(pages)*2 || pageNumber(l.text.String()) || named {
					l.running = true
				}
			}
		}
	}
	for _, p := range pages {
		columnOrder(p)
	}
	var out strings.Builder
	sizes := map[string]float64{}
	heights := map[float64]int{} // line height -> lines: the body's is the commonest
	for i, p := range pages {
		if i > 0 {
			out.WriteByte('\f')
		}
		blocks := 0
		bullet := false
		var last *pdfBoxLine // the last line written on this page
		lastLines := 0       // and the number of lines of its block
		for _, b := range p.blocks {
			if len(b.lines) == 1 && bulletGlyph(b.lines[0].text.String()) {
				// LibreOffice sets a list's bullet apart from its item,
				// often as a symbol font's private-use character.
				bullet = true
				continue
			}
			lines := 0
			for _, l := range b.lines {
				if l.running {
					continue
				}
				if lines == 0 && blocks > 0 {
					// A block that starts higher up than the last line
					// opens a new column; a paragraph that reached the
					// column's foot mid-sentence goes on there (a lone
					// short line may be a heading, unless the column goes
					// on in lower case).
					next, _ := utf8.DecodeRuneInString(strings.TrimSpace(l.text.String()))
					if last != nil && l.yMin < last.yMin && (lastLines >= 2 || unicode.IsLower(next)) && !endsSentence(strings.TrimSpace(last.text.String())) {
						out.WriteByte('\n')
					} else {
						out.WriteString("\n\n")
					}
				} else if lines > 0 {
					out.WriteByte('\n')
				}
				if bullet && lines == 0 {
					out.WriteString("• ")
					bullet = false
				}
				out.WriteString(l.text.String())
				lines++
				last = l
			}
			if lines > 0 {
				lastLines = lines
			}
			if lines > 0 {
				blocks++
			}
			if lines >= 1 && lines <= 3 {
				// Short blocks may be headings, wrapped or not: remember
				// the height of their type.
				var parts []string
				h := 0.0
				for _, l := range b.lines {
					if !l.running {
						parts = append(parts, strings.TrimSpace(l.text.String()))
						h = math.Max(h, l.yMax-l.yMin)
					}
				}
				if t := strings.Join(parts, " "); t != "" {
					if _, ok := sizes[t]; !ok {
						sizes[t] = h
					}
				}
			}
			for _, l := range b.lines {
				if !l.running {
					heights[math.Round((l.yMax-l.yMin)*2)/2]++
				}
			}
		}
	}
	body, most := 0.0, 0
	for h, n := range heights {
		if n > most || n == most && h < body {
			body, most = h, n
		}
	}
	sizes[""] = body
	return out.String(), sizes
}

// goPDF extracts text with the pure-Go reader. The reader panics on some
// malformed files and has no cancellation, so it runs in a goroutine that
// recovers, and a file that takes too long is abandoned.
func goPDF(data []byte, opt Options, doc *ibid.Document) (string, map[string]float64, error) {
	type result struct {
		text  string
		sizes map[string]float64
		meta  ibid.Document
		err   error
	}
	done := make(chan result, 1)
	go func() {
		var res result
		defer func() {
			if r := recover(); r != nil {
				res = result{err: unreadablePDF(fmt.Sprint(r), fmt.Errorf("pdf: panic: %v", r))}
			}
			done <- res
		}()
		res.text, res.sizes, res.err = goPDFText(data, opt, &res.meta)
	}()
	select {
	case res := <-done:
		if res.err != nil {
			return "", nil, res.err
		}
		doc.Title, doc.Author, doc.Subject = res.meta.Title, res.meta.Author, res.meta.Subject
		doc.Topics, doc.Published = res.meta.Topics, res.meta.Published
		return res.text, res.sizes, nil
	case <-time.After(opt.Timeout):
		return "", nil, unreadablePDF(fmt.Sprintf("reading took longer than %s", opt.Timeout), nil)
	}
}

func goPDFText(data []byte, opt Options, meta *ibid.Document) (string, map[string]float64, error) {
	if err := checkXrefBounds(data); err != nil {
		return "", nil, err
	}
	r, err := pdf.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return "", nil, unreadablePDF(err.Error(), err)
	}
	info := r.Trailer().Key("Info")
	for _, k := range []string{"Title", "Author", "Subject", "Keywords"} {
		setMeta(meta, k, info.Key(k).Text())
	}
	meta.Published = parsePDFDate(info.Key("CreationDate").Text())

	pages := pdfPages(r.Trailer().Key("Root").Key("Pages"))
	if len(pages) == 0 {
		return "", nil, unreadablePDF("no pages", nil)
	}
	var laid []*pdfPage
	budget, size := opt.MaxUnpacked, int64(0)
	words := newWordBudget(opt)
	for i, p := range pages {
		// The reader decodes a page's whole content stream into one
		// record per glyph; measure the stream first, so that a
		// compressed bomb is refused instead of filling memory.
		n := streamSize(p.V.Key("Contents"), min(budget, maxPDFPageContent)+1)
		if n > maxPDFPageContent {
			return "", nil, ibid.Errorf(ibid.ETOOLARGE, "PDF page %d has more than %s of content", i+1, humanSize(maxPDFPageContent))
		}
		if budget -= n; budget < 0 {
			return "", nil, ibid.Errorf(ibid.ETOOLARGE, "PDF content unpacks to more than %s", humanSize(opt.MaxUnpacked))
		}
		height := 842.0 // A4, when the page does not say
		if box := p.V.Key("MediaBox"); box.Len() == 4 && box.Index(3).Float64() > box.Index(1).Float64() {
			height = box.Index(3).Float64()
		}
		page := &pdfPage{height: height, blocks: pageBlocks(p.Content().Text, height)}
		for _, b := range page.blocks {
			for _, l := range b.lines {
				size += int64(l.text.Len()) + 1
				words.gap()
				if err := words.add(l.text.String()); err != nil {
					return "", nil, err
				}
			}
		}
		if size > opt.MaxUnpacked {
			return "", nil, ibid.Errorf(ibid.ETOOLARGE, "PDF text is larger than %s", humanSize(opt.MaxUnpacked))
		}
		laid = append(laid, page)
	}
	text, sizes := pdfLayout(laid, meta.Title)
	return text, sizes, nil
}

// maxPDFPageContent bounds the decompressed content stream of one page for
// the Go reader. Text pages take tens of kilobytes.
const maxPDFPageContent = 16 << 20

// streamSize returns the decompressed size of a content stream or array
// of streams, counting no further than limit.
func streamSize(v pdf.Value, limit int64) int64 {
	switch v.Kind() {
	case pdf.Stream:
		rc := v.Reader()
		defer rc.Close()
		n, _ := io.Copy(io.Discard, io.LimitReader(rc, limit))
		return n
	case pdf.Array:
		var total int64
		for i := 0; i < v.Len() && i < maxPDFNodes && total < limit; i++ {
			total += streamSize(v.Index(i), limit-total)
		}
		return total
	}
	return 0
}

// maxPDFNodes bounds the page tree walk: cycles and absurd trees end there.
const maxPDFNodes = 100000

// pdfPages lists the pages of a page tree in order, in one walk: the
// reader's Page(i) walks the tree from the root for every page, which is
// quadratic in the page count.
func pdfPages(root pdf.Value) []pdf.Page {
	var pages []pdf.Page
	visited := 0
	var walk func(v pdf.Value, depth int)
	walk = func(v pdf.Value, depth int) {
		visited++
		if visited > maxPDFNodes || depth > 64 {
			return
		}
		switch v.Key("Type").Name() {
		case "Page":
			pages = append(pages, pdf.Page{V: v})
		case "Pages":
			kids := v.Key("Kids")
			for i := 0; i < kids.Len(); i++ {
				walk(kids.Index(i), depth+1)
			}
		}
	}
	walk(root, 0)
	return pages
}

// pdfLine is one line of a page rebuilt from positioned glyphs.
type pdfLine struct {
	text     strings.Builder
	y, size  float64
	lastX    float64
	lastEnd  float64
	hasWidth bool
}

// pageBlocks rebuilds lines from glyphs in content order: a glyph on
// another baseline starts a line, a gap wider than a fifth of the font size
// is a space. Lines further apart than usual, or in another font size,
// start a new block, as pdftotext's would. Heights are measured from the
// top of a page height tall, as pdftotext measures them.
func pageBlocks(glyphs []pdf.Text, height float64) []*pdfBlock {
	var lines []*pdfLine
	var cur *pdfLine
	for _, g := range glyphs {
		size := math.Max(math.Abs(g.FontSize), 1)
		if g.S == "\n" {
			// TJ arrays end with a newline glyph; with unknown widths it is
			// the only hint of a word break.
			if cur != nil && !cur.hasWidth && !strings.HasSuffix(cur.text.String(), " ") {
				cur.text.WriteByte(' ')
			}
			continue
		}
		if cur == nil || math.Abs(g.Y-cur.y) > 0.4*size {
			cur = &pdfLine{y: g.Y, size: size, lastX: g.X, lastEnd: g.X}
			lines = append(lines, cur)
		} else {
			gap := g.X - cur.lastEnd
			last := cur.text.String()
			if !strings.HasSuffix(last, " ") && g.S != " " && (gap > 0.2*size || g.X < cur.lastX-size) {
				cur.text.WriteByte(' ')
			}
		}
		cur.text.WriteString(g.S)
		cur.lastX, cur.lastEnd = g.X, g.X+g.W
		if g.W > 0 {
			cur.hasWidth = true
		}
		cur.size = math.Max(cur.size, size)
	}
	// The usual distance between baselines on this page.
	var gaps []float64
	for i := 1; i < len(lines); i++ {
		if d := lines[i-1].y - lines[i].y; d > 0 {
			gaps = append(gaps, d)
		}
	}
	sort.Float64s(gaps)
	// The lower quartile rather than the median: on a short page the
	// gaps around headings and page numbers can be half of all gaps.
	usual := 0.0
	if len(gaps) > 0 {
		usual = gaps[len(gaps)/4]
	}
	var blocks []*pdfBlock
	for i, l := range lines {
		if i > 0 {
			prev := lines[i-1]
			d := prev.y - l.y
			sizeChange := math.Abs(prev.size-l.size) > 0.05*math.Max(prev.size, l.size)
			if d <= 0 || usual > 0 && d > 1.4*usual || sizeChange {
				blocks = append(blocks, &pdfBlock{})
			}
		} else {
			blocks = append(blocks, &pdfBlock{})
		}
		bl := &pdfBoxLine{yMin: height - l.y - l.size, yMax: height - l.y}
		bl.text.WriteString(strings.TrimSpace(l.text.String()))
		blocks[len(blocks)-1].lines = append(blocks[len(blocks)-1].lines, bl)
	}
	return blocks
}

// parsePDFDate reads a PDF date, D:YYYYMMDDHHmmSSOHH'mm', of which only the
// year is required.
func parsePDFDate(s string) time.Time {
	s = strings.TrimPrefix(strings.TrimSpace(s), "D:")
	if len(s) < 4 {
		return time.Time{}
	}
	digits := 0
	for digits < len(s) && digits < 14 && s[digits] >= '0' && s[digits] <= '9' {
		digits++
	}
	layout := "20060102150405"
	if digits < 4 || digits%2 != 0 {
		return time.Time{}
	}
	t, err := time.Parse(layout[:digits], s[:digits])
	if err != nil {
		return time.Time{}
	}
	rest := strings.ReplaceAll(s[digits:], "'", "")
	if len(rest) >= 5 && (rest[0] == '+' || rest[0] == '-') {
		if off, err := time.Parse("-0700", rest[:5]); err == nil {
			_, secs := off.Zone()
			t = t.Add(-time.Duration(secs) * time.Second)
		}
	}
	return t.UTC()
}

// columnOrder puts the blocks of a two-column page in reading order: what
// spans both columns above them, then the left column top to bottom, then
// the right. Poppler mostly reads columns in order, but a column's last
// lines set apart by a heading can come after the next column. Pages that
// are not cleanly two columns (a block spanning both below the top) keep
// poppler's order.
func columnOrder(p *pdfPage) {
	if p.width <= 0 {
		return
	}
	mid := p.width / 2
	type placed struct {
		b    *pdfBlock
		y    float64
		side int // -1 left, 1 right, 0 both
	}
	var all []placed
	left, right := 0, 0
	colTop := math.Inf(1)
	for _, b := range p.blocks {
		x0, x1, y := math.Inf(1), math.Inf(-1), math.Inf(1)
		for _, l := range b.lines {
			if l.running {
				continue
			}
			x0, x1, y = math.Min(x0, l.xMin), math.Max(x1, l.xMax), math.Min(y, l.yMin)
		}
		if math.IsInf(y, 1) {
			all = append(all, placed{b, math.Inf(-1), 0}) // running lines only: order is moot
			continue
		}
		side := 0
		switch {
		case x1 <= mid+2:
			side, left = -1, left+1
		case x0 >= mid-2:
			side, right = 1, right+1
		}
		if side != 0 {
			colTop = math.Min(colTop, y)
		}
		all = append(all, placed{b, y, side})
	}
	if left == 0 || right == 0 || left+right < 3 {
		return
	}
	for _, pl := range all {
		if pl.side == 0 && pl.y > colTop {
			return // a full-width block among the columns
		}
	}
	rank := func(pl placed) int { return pl.side + 1 } // spans first, then left, then right
	sort.SliceStable(all, func(i, j int) bool {
		if rank(all[i]) != rank(all[j]) {
			return rank(all[i]) < rank(all[j])
		}
		return all[i].y < all[j].y
	})
	for i, pl := range all {
		p.blocks[i] = pl.b
	}
}

// bulletGlyph reports whether s is a list bullet alone: "•", "◦", "▪", or
// a symbol font's private-use character.
func bulletGlyph(s string) bool {
	s = strings.TrimSpace(s)
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 || n != len(s) {
		return false
	}
	return strings.ContainsRune("•◦▪‣●○■□·–-*", r) || unicode.Is(unicode.Co, r)
}
