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
	"sort"
	"strings"
	"time"

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
	var err error
	if tool, ok := lookPdftotext(); ok {
		s, warning, err = pdftotext(tool, data, opt, doc)
	} else {
		s, err = goPDF(data, opt, doc)
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
	doc.Blocks = textBlocks(s, true)
	return doc, nil
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
func pdftotext(tool string, data []byte, opt Options, doc *ibid.Document) (text, warning string, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), opt.Timeout)
	defer cancel()

	// The XHTML spends about 150 bytes of markup on every word.
	out := &limitedBuffer{limit: 8 * opt.MaxUnpacked}
	errOut := &limitedBuffer{limit: 4096}
	// The PDF goes in on stdin, never through a temporary file: a document
	// sent for checking must leave no trace on disk (poppler keeps stdin in
	// memory).
	cmd := exec.CommandContext(ctx, tool, "-bbox-layout", "-enc", "UTF-8", "-", "-")
	cmd.Stdin = bytes.NewReader(data)
	cmd.Stdout, cmd.Stderr = out, errOut
	err = cmd.Run()
	switch {
	case out.over:
		return "", "", ibid.Errorf(ibid.ETOOLARGE, "PDF text is larger than %s", humanSize(opt.MaxUnpacked))
	case ctx.Err() != nil:
		return "", "", unreadablePDF(fmt.Sprintf("reading took longer than %s", opt.Timeout), ctx.Err())
	case err != nil:
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return "", "", unreadablePDF(errOut.String(), err)
		}
		return "", "", fmt.Errorf("extract: run pdftotext: %w", err)
	}
	text, err = bboxText(out.Bytes(), doc)
	if strings.TrimSpace(errOut.String()) != "" {
		warning = firstLine(errOut.String())
	}
	return text, warning, err
}

// bboxText turns pdftotext's -bbox-layout XHTML into text for textBlocks:
// words joined by spaces, lines by newlines, blocks by blank lines, pages
// by form feeds. The <head> carries the Info metadata.
func bboxText(x []byte, doc *ibid.Document) (string, error) {
	d := xml.NewDecoder(bytes.NewReader(x))
	d.Strict = false
	d.Entity = xml.HTMLEntity
	var b strings.Builder
	var inWord, inTitle bool
	pages, blocks, lines, words := 0, 0, 0, 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return "", unreadablePDF("pdftotext wrote malformed output", err)
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
				if pages > 0 {
					b.WriteByte('\f')
				}
				pages, blocks = pages+1, 0
			case "block":
				if blocks > 0 {
					b.WriteString("\n\n")
				}
				blocks, lines = blocks+1, 0
			case "line":
				if lines > 0 {
					b.WriteByte('\n')
				}
				lines, words = lines+1, 0
			case "word":
				if words > 0 {
					b.WriteByte(' ')
				}
				words++
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
			case inWord:
				b.Write(t)
			case inTitle:
				doc.Title += string(t)
			}
		}
	}
	return b.String(), nil
}

// goPDF extracts text with the pure-Go reader. The reader panics on some
// malformed files and has no cancellation, so it runs in a goroutine that
// recovers, and a file that takes too long is abandoned.
func goPDF(data []byte, opt Options, doc *ibid.Document) (string, error) {
	type result struct {
		text string
		meta ibid.Document
		err  error
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
		res.text, res.err = goPDFText(data, opt, &res.meta)
	}()
	select {
	case res := <-done:
		if res.err != nil {
			return "", res.err
		}
		doc.Title, doc.Author, doc.Subject = res.meta.Title, res.meta.Author, res.meta.Subject
		doc.Topics, doc.Published = res.meta.Topics, res.meta.Published
		return res.text, nil
	case <-time.After(opt.Timeout):
		return "", unreadablePDF(fmt.Sprintf("reading took longer than %s", opt.Timeout), nil)
	}
}

func goPDFText(data []byte, opt Options, meta *ibid.Document) (string, error) {
	if err := checkXrefBounds(data); err != nil {
		return "", err
	}
	r, err := pdf.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return "", unreadablePDF(err.Error(), err)
	}
	info := r.Trailer().Key("Info")
	for _, k := range []string{"Title", "Author", "Subject", "Keywords"} {
		setMeta(meta, k, info.Key(k).Text())
	}
	meta.Published = parsePDFDate(info.Key("CreationDate").Text())

	pages := pdfPages(r.Trailer().Key("Root").Key("Pages"))
	if len(pages) == 0 {
		return "", unreadablePDF("no pages", nil)
	}
	var b strings.Builder
	budget := opt.MaxUnpacked
	for i, p := range pages {
		if i > 0 {
			b.WriteByte('\f')
		}
		// The reader decodes a page's whole content stream into one
		// record per glyph; measure the stream first, so that a
		// compressed bomb is refused instead of filling memory.
		n := streamSize(p.V.Key("Contents"), min(budget, maxPDFPageContent)+1)
		if n > maxPDFPageContent {
			return "", ibid.Errorf(ibid.ETOOLARGE, "PDF page %d has more than %s of content", i+1, humanSize(maxPDFPageContent))
		}
		if budget -= n; budget < 0 {
			return "", ibid.Errorf(ibid.ETOOLARGE, "PDF content unpacks to more than %s", humanSize(opt.MaxUnpacked))
		}
		writePageText(&b, p.Content().Text)
		if int64(b.Len()) > opt.MaxUnpacked {
			return "", ibid.Errorf(ibid.ETOOLARGE, "PDF text is larger than %s", humanSize(opt.MaxUnpacked))
		}
	}
	return b.String(), nil
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

// writePageText rebuilds lines from glyphs in content order: a glyph on
// another baseline starts a line, a gap wider than a fifth of the font size
// is a space. Lines further apart than usual, or in another font size, are
// separated by a blank line so that textBlocks sees paragraphs.
func writePageText(b *strings.Builder, glyphs []pdf.Text) {
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
	for i, l := range lines {
		if i > 0 {
			prev := lines[i-1]
			d := prev.y - l.y
			sizeChange := math.Abs(prev.size-l.size) > 0.05*math.Max(prev.size, l.size)
			if d <= 0 || usual > 0 && d > 1.4*usual || sizeChange {
				b.WriteString("\n\n")
			} else {
				b.WriteByte('\n')
			}
		}
		b.WriteString(strings.TrimSpace(l.text.String()))
	}
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
