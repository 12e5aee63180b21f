package pdf

import (
	"fmt"
	"html"
	"strings"
	"unicode"

	"github.com/go-pdf/fpdf"
	"golang.org/x/text/unicode/norm"

	"github.com/ibid-dev/ibid"
)

// pageGeom is a page size with its margins, in points.
type pageGeom struct {
	name                     string // as fpdf names it
	w, h                     float64
	left, right, top, bottom float64
}

// The text block is about 435pt wide on A4 and 444pt on Letter: at 11pt in
// the Go fonts that is 75–80 characters a line, the upper end of what reads
// comfortably, and it keeps an 8-page essay near 8 pages.
var (
	a4     = pageGeom{name: "A4", w: 595.28, h: 841.89, left: 80, right: 80, top: 80, bottom: 76}
	letter = pageGeom{name: "Letter", w: 612, h: 792, left: 84, right: 84, top: 74, bottom: 70}
)

// Typographic scale, in points.
const (
	bodySize, bodyLead = 11, 15.5
	paraGap            = 6.5

	titleSize, titleLead = 21, 26
	crumbSize, crumbLead = 8.5, 12
	authorSize           = 12
	metaSize, metaLead   = 9.5, 14

	quoteSize, quoteLead = 10.5, 14.5
	quoteIndent          = 22

	listGap    = 3 // between items
	markerGap  = 6 // between a marker and its item's text
	listIndent = 18

	citeSize, citeLead = 9.5, 13.5
	citePad            = 12

	headerSize = 8.5
	footerSize = 9
)

// heading sizes by level (index 1–3): size, leading, space before, after.
var headingStyle = [4]struct{ size, lead, before, after float64 }{
	{},
	{15, 19, 17, 6},
	{12.5, 16, 13, 4},
	{11, 15, 10, 3},
}

// Colours as grey levels (0–255).
const (
	inkText  = 25
	inkQuote = 55
	inkMeta  = 95
	inkRule  = 190
	inkFill  = 245
)

// linkColor is the colour of addresses in the text.
var linkColor = [3]int{20, 70, 160}

// run is inline text in one style.
type run struct {
	s     string
	style int
}

// span is part of a word drawn in one font (a style of the text face, or a
// fallback font for characters the face lacks).
type span struct {
	s   string
	key int // font key: 0–3 a style of the text face, 4+i fallback i
	w   float64
}

// word is what lines are made of: it never breaks (unless it is wider than a
// line) and is followed by a space.
type word struct {
	spans []span
	w     float64
	url   string // an address the word links to
	dir   int8   // ltr, rtl or neutral: the direction of its strong letters
	// actual, when set, is the word as written, for a word whose spans
	// hold other characters (Arabic contextual forms).
	actual string
}

// line is a set of words that fits a line, with its natural width (single
// spaces between words).
type line struct {
	words []word
	w     float64
}

// doc is the state of one document being typeset.
type doc struct {
	x     *Exporter
	f     *fpdf.Fpdf
	e     *ibid.Essay
	title string
	url   string

	added map[int]bool // fonts added to f
	// runes, when set, are the characters the document is expected to
	// draw: fonts go to fpdf with a character map of these alone (see
	// withCmap), and drawing anything else sets missed, upon which
	// Export typesets the document again with whole fonts.
	runes  *runeSet
	missed bool
	// cite gives the cite box's entries (Options.Cite's, or none).
	cite func() []CiteEntry

	curKey  int
	curSize float64
	curInk  int // grey level of text, -1 for the link colour

	y        float64 // top of the next line
	atTop    bool    // nothing placed yet on this page
	outlineL int     // level of the last outline entry
}

func (d *doc) g() pageGeom      { return d.x.page }
func (d *doc) width() float64   { return d.g().w - d.g().left - d.g().right }
func (d *doc) bottomY() float64 { return d.g().h - d.g().bottom }
func (d *doc) spaceW(size float64) float64 {
	return float64(d.x.main[regular].advance(' ')) * size / 1000
}

// render typesets the whole essay.
func (d *doc) render() {
	d.curKey, d.curInk, d.outlineL = -1, -2, -1
	d.newPage()
	d.front()
	for _, b := range d.e.Blocks {
		switch b.Type {
		case ibid.Heading:
			d.heading(b)
		case ibid.List:
			d.list(b)
		case ibid.Quote:
			d.quote(b.Text)
		default:
			d.paragraph(b.Text)
		}
	}
	d.citeBox()
	d.furniture()
}

func (d *doc) newPage() {
	d.f.AddPage()
	d.y = d.g().top
	d.atTop = true
	// Start the font and ink cache afresh on each page, so that what a
	// page shows never depends on what fpdf carries over from the last.
	d.curKey, d.curSize, d.curInk = -1, 0, -2
}

// setFont selects a font, adding it to the document on first use so that
// fallback fonts are embedded only when a document needs them.
func (d *doc) setFont(key int, size float64) {
	// Family names become the PDF's font names (a viewer's font list
	// shows "GoBold"); fallbacks get a suffix so that a fallback of the
	// text face's family is a font of its own.
	family, style := d.x.main[regular].family, ""
	if key < 4 {
		style = fpdfStyle[key]
	} else {
		family = fmt.Sprintf("%sFallback%d", d.faceOf(key).family, key-4)
	}
	if !d.added[key] {
		ttf := d.faceOf(key).ttf
		if d.runes != nil {
			ttf = withCmap(ttf, d.runes.list())
		}
		d.f.AddUTF8FontFromBytes(family, style, ttf)
		d.added[key] = true
	}
	if key != d.curKey || size != d.curSize {
		d.f.SetFont(family, style, size)
		d.curKey, d.curSize = key, size
	}
}

// drawn notes that s is drawn in the current font: a character outside
// d.runes means the fonts given to fpdf may lack it.
func (d *doc) drawn(s string) {
	if d.runes == nil || d.missed {
		return
	}
	for _, r := range s {
		if !d.runes.has(r) {
			d.missed = true
			return
		}
	}
}

func (d *doc) setInk(ink int) {
	if ink == d.curInk {
		return
	}
	if ink < 0 {
		d.f.SetTextColor(linkColor[0], linkColor[1], linkColor[2])
	} else {
		d.f.SetTextColor(ink, ink, ink)
	}
	d.curInk = ink
}

func (d *doc) faceOf(key int) *face {
	if key < 4 {
		return d.x.main[key]
	}
	return d.x.fallback[key-4]
}

// pick returns the font that draws r in the given style and r's advance in it.
func (d *doc) pick(style int, r rune) (int, int) {
	m := d.x.main[style]
	// A style that reuses the regular file (a user font without italics)
	// shares its font key, so the file is embedded once.
	key := style
	if m == d.x.main[regular] {
		key = regular
	}
	if w := m.width(r); w != 0 {
		return key, w
	}
	for i, fb := range d.x.fallback {
		if w := fb.width(r); w != 0 {
			return 4 + i, w
		}
	}
	return key, m.missing
}

// words splits inline text into words measured at size. It also cleans the
// text: white space of any kind separates words, control and format
// characters (soft hyphens, bidi controls, zero-width spaces) are dropped,
// and characters outside the Basic Multilingual Plane, which fpdf's
// two-byte encoding cannot carry, become U+FFFD. Arabic words are shaped.
func (d *doc) words(runs []run, size float64) []word {
	n := 1
	for _, rn := range runs {
		n += strings.Count(rn.s, " ")
	}
	var (
		out    = make([]word, 0, n)
		spans  = make([]span, 0, n) // backs the one span of most words
		rs     []rune               // the current word's characters
		styles []int                // and their styles
	)
	flushWord := func() {
		if len(rs) == 0 {
			return
		}
		var cur word
		if hasArabic(rs) {
			cur.actual = string(rs)
			rs, styles = shapeArabic(rs, styles, d.drawable)
		}
		var sb strings.Builder
		key, units := -1, 0
		flushSpan := func() {
			if sb.Len() == 0 {
				return
			}
			w := float64(units) * size / 1000
			sp := span{s: sb.String(), key: key, w: w}
			if cur.spans == nil {
				spans = append(spans, sp)
				cur.spans = spans[len(spans)-1 : len(spans) : len(spans)]
			} else {
				cur.spans = append(cur.spans, sp)
			}
			cur.w += w
			sb.Reset()
			units = 0
		}
		for i, r := range rs {
			k, adv := d.pick(styles[i], r)
			if k != key {
				flushSpan()
				key = k
			}
			sb.WriteRune(r)
			units += adv
		}
		flushSpan()
		if len(cur.spans) > 1 {
			cur = d.oneFace(cur, size)
		}
		t := wordText(cur)
		if strings.HasPrefix(t, "http://") || strings.HasPrefix(t, "https://") {
			cur.url = strings.TrimRight(t, ".,;:)]»”’")
		}
		cur.dir = direction(t)
		out = append(out, cur)
		rs, styles = rs[:0], styles[:0]
	}
	for _, rn := range runs {
		s := rn.s
		if !norm.NFC.IsNormalString(s) {
			s = norm.NFC.String(s)
		}
		for _, r := range s {
			switch {
			case r == ' ' || (unicode.IsSpace(r) && r != '\u00a0'):
				flushWord()
				continue
			case r < ' ' || (r >= 0x7f && r < 0xa0) || unicode.Is(unicode.Cf, r):
				continue
			case r > 0xFFFF:
				r = '\uFFFD'
			}
			rs = append(rs, r)
			styles = append(styles, rn.style)
		}
	}
	flushWord()
	return out
}

// drawable reports whether the text face or a fallback font draws r.
func (d *doc) drawable(r rune) bool {
	if d.x.main[regular].has(r) {
		return true
	}
	for _, f := range d.x.fallback {
		if f.has(r) {
			return true
		}
	}
	return false
}

// oneFace draws a word that mixes the regular text face with a fallback
// font wholly in a fallback font that has all its characters: "Ἀθῆναι" in one
// design reads better than two letters of DejaVu among four of Go. Bold and
// italic words keep their style for the letters the text face has, since
// fallback fonts are used in their regular style only.
func (d *doc) oneFace(w word, size float64) word {
	fb := false
	for _, s := range w.spans {
		switch {
		case s.key >= 4:
			fb = true
		case s.key != regular:
			return w
		}
	}
	if !fb {
		return w
	}
	t := wordText(w)
next:
	for i, f := range d.x.fallback {
		units := 0
		for _, r := range t {
			w := f.width(r)
			if w == 0 {
				continue next
			}
			units += w
		}
		ww := float64(units) * size / 1000
		return word{spans: []span{{s: t, key: 4 + i, w: ww}}, w: ww}
	}
	return w
}

func wordText(w word) string {
	if len(w.spans) == 1 {
		return w.spans[0].s
	}
	var b strings.Builder
	for _, s := range w.spans {
		b.WriteString(s.s)
	}
	return b.String()
}

// breakLines fills lines greedily. Words wider than a line are cut between
// characters: a 2,000-character word must still be printed, and printed
// inside the margins.
func (d *doc) breakLines(ws []word, width, size float64) []line {
	// Words wider than a line are cut first, so that every line is a
	// slice of one list of words rather than a copy of its words.
	for i, w := range ws {
		if w.w > width {
			cut := append([]word(nil), ws[:i]...)
			for _, w := range ws[i:] {
				if w.w <= width {
					cut = append(cut, w)
				} else {
					cut = append(cut, d.cutWord(w, width, size)...)
				}
			}
			ws = cut
			break
		}
	}
	sp := d.spaceW(size)
	var lines []line
	start, w := 0, 0.0
	for i, wd := range ws {
		if i > start && w+sp+wd.w > width+0.01 {
			lines = append(lines, line{words: ws[start:i:i], w: w})
			start, w = i, 0
		}
		if i > start {
			w += sp
		}
		w += wd.w
	}
	if start < len(ws) {
		lines = append(lines, line{words: ws[start:len(ws):len(ws)], w: w})
	}
	return lines
}

// cutWord cuts w into pieces no wider than width.
func (d *doc) cutWord(w word, width, size float64) []word {
	var out []word
	cur := word{url: w.url}
	for _, s := range w.spans {
		fc := d.faceOf(s.key)
		start, acc := 0, 0.0
		for i, r := range s.s {
			a := float64(fc.advance(r)) * size / 1000
			if cur.w+acc+a > width && (cur.w > 0 || acc > 0) {
				if i > start {
					cur.spans = append(cur.spans, span{s: s.s[start:i], key: s.key, w: acc})
					cur.w += acc
				}
				out = append(out, cur)
				cur = word{url: w.url}
				start, acc = i, 0
			}
			acc += a
		}
		if start < len(s.s) {
			cur.spans = append(cur.spans, span{s: s.s[start:], key: s.key, w: acc})
			cur.w += acc
		}
	}
	if len(cur.spans) > 0 {
		out = append(out, cur)
	}
	return out
}

// placement says where and how a block's lines go.
type placement struct {
	x, width, size, lead float64
	ink                  int
	justify              bool
	rtl                  bool // the block reads right to left
	// first, when set, runs once the first line's position is known (list
	// markers go beside it).
	first func(top float64)
	// segment, when set, runs for each page's share of the block (the rule
	// beside a quote).
	segment func(top, bottom float64)
}

// place puts lines on pages, breaking pages so that no paragraph leaves a
// single line at the foot of a page (orphan) or carries a single line to the
// next (widow) when it can avoid it.
func (d *doc) place(lines []line, p placement) {
	n := len(lines)
	segTop := d.y
	for i, ln := range lines {
		need := p.lead
		if (i == 0 && n >= 2) || (i == n-2 && i >= 2) {
			need = 2 * p.lead
		}
		if d.y+need > d.bottomY() && !d.atTop {
			if p.segment != nil && i > 0 {
				p.segment(segTop, d.y)
			}
			d.newPage()
			segTop = d.y
		}
		if i == 0 && p.first != nil {
			p.first(d.y)
		}
		d.drawLine(ln, p.x, d.y, p.width, p.size, p.lead, p.ink, p.justify && i < n-1 && d.stretchable(ln, p.width, p.size), p.rtl)
		d.y += p.lead
		d.atTop = false
	}
	if p.segment != nil && n > 0 {
		p.segment(segTop, d.y)
	}
}

// maxStretch is how many times its natural width a space may grow in a
// justified line. Without hyphenation a line before a long word (an
// address) can hold few words; spread over the measure they would leave
// holes, so such a line is set ragged instead.
const maxStretch = 4

// stretchable reports whether justifying ln to width keeps its spaces
// within maxStretch.
func (d *doc) stretchable(ln line, width, size float64) bool {
	gaps := len(ln.words) - 1
	if gaps <= 0 {
		return true
	}
	sp := d.spaceW(size)
	return (width-ln.w)/float64(gaps) <= (maxStretch-1)*sp
}

// baseline is where fpdf's CellFormat puts the baseline of a line of the
// given leading; text drawn with Text uses the same so that both agree.
func baseline(top, lead, size float64) float64 { return top + 0.5*lead + 0.3*size }

// drawLine draws one line, justified to width when asked.
func (d *doc) drawLine(ln line, x, top, width, size, lead float64, ink int, justify, rtlBlock bool) {
	if len(ln.words) == 0 {
		return
	}
	ln = visual(ln, rtlBlock)
	// A ragged line of a right-to-left block sits against the right margin.
	if rtlBlock && !justify {
		x += width - ln.w
		width = ln.w
	}
	simple := true
	key := ln.words[0].spans[0].key
	for _, w := range ln.words {
		if len(w.spans) != 1 || w.spans[0].key != key || w.url != "" || w.actual != "" {
			simple = false
			break
		}
	}
	if simple && key < 4 {
		// The common case: one font. fpdf's CellFormat justifies a
		// line of a UTF-8 font with one TJ operator and real spaces, which
		// text extraction reads back as words.
		var b strings.Builder
		for i, w := range ln.words {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(w.spans[0].s)
		}
		d.setFont(key, size)
		d.setInk(ink)
		d.f.SetXY(x, top)
		align := "L"
		if justify && len(ln.words) > 1 {
			align = "J"
		}
		d.drawn(b.String())
		d.f.CellFormat(width, lead, b.String(), "", 0, align, false, 0, "")
		return
	}
	// Mixed fonts or links: place each span ourselves. Each word but the
	// last carries a trailing space so that extracted text keeps its spaces.
	sp := d.spaceW(size)
	extra := 0.0
	if justify && len(ln.words) > 1 {
		extra = (width - ln.w) / float64(len(ln.words)-1)
	}
	by := baseline(top, lead, size)
	xx := x
	for i, w := range ln.words {
		start := xx
		if w.url != "" {
			d.setInk(-1)
		} else {
			d.setInk(ink)
		}
		space := ""
		if i < len(ln.words)-1 {
			space = " "
		}
		if w.actual != "" {
			// The replacement text goes in the order of the glyphs
			// it covers, which is visual for a right-to-left word,
			// character by character, marks included: poppler's
			// pdftotext reverses it back to logical order
			// (TestRightToLeft checks this).
			t := w.actual
			if w.dir == rtl {
				t = reverseRunes(t)
			}
			d.f.RawWriteStr(actualText(t + space))
		}
		for j, s := range w.spans {
			t := s.s
			if j == len(w.spans)-1 {
				t += space
			}
			d.setFont(s.key, size)
			d.drawn(t)
			d.f.Text(xx, by, t)
			xx += s.w
		}
		if w.actual != "" {
			d.f.RawWriteStr("EMC")
		}
		if w.url != "" {
			d.f.LinkString(start, top, w.w, lead, w.url)
		}
		xx += sp + extra
	}
}

// front sets the opening: breadcrumb, title, author, meta line and a rule.
func (d *doc) front() {
	g := d.g()
	var crumb []string
	if s := strings.TrimSpace(d.e.Subject); s != "" {
		crumb = append(crumb, s)
	}
	if len(d.e.Topics) > 0 && strings.TrimSpace(d.e.Topics[0]) != "" {
		crumb = append(crumb, d.e.Topics[0])
	}
	if len(crumb) > 0 {
		d.block([]run{{strings.Join(crumb, " › "), regular}}, placement{x: g.left, width: d.width(), size: crumbSize, lead: crumbLead, ink: inkMeta})
		d.y += 4
	}
	d.block([]run{{d.title, bold}}, placement{x: g.left, width: d.width(), size: titleSize, lead: titleLead, ink: inkText})
	d.y += 4
	if a := strings.TrimSpace(d.e.Author); a != "" {
		d.block([]run{{a, regular}}, placement{x: g.left, width: d.width(), size: authorSize, lead: 16, ink: inkText})
		d.y += 2
	}
	d.block([]run{{metaLine(d.e), regular}}, placement{x: g.left, width: d.width(), size: metaSize, lead: metaLead, ink: inkMeta})
	d.y += 8
	d.rule(g.left, d.y, g.left+d.width())
	d.y += 16
}

func (d *doc) rule(x0, y, x1 float64) {
	d.f.SetDrawColor(inkRule, inkRule, inkRule)
	d.f.SetLineWidth(0.6)
	d.f.Line(x0, y, x1, y)
}

// block breaks runs into lines and places them.
func (d *doc) block(runs []run, p placement) {
	ws := d.words(runs, p.size)
	p.rtl = baseRTL(ws)
	d.place(d.breakLines(ws, p.width, p.size), p)
}

func (d *doc) paragraph(s string) {
	d.block([]run{{s, regular}}, placement{x: d.g().left, width: d.width(), size: bodySize, lead: bodyLead, ink: inkText, justify: true})
	d.y += paraGap
}

func (d *doc) heading(b ibid.Block) {
	lv := b.Level
	if lv < 1 {
		lv = 1
	}
	if lv > 3 {
		lv = 3
	}
	hs := headingStyle[lv]
	// Every level is bold, told apart by size and space: each style of a
	// font a document uses costs fpdf some 3 ms to embed, and an 8-page
	// essay must typeset in under 30 ms. Italics appear only where a
	// citation asks for them.
	style := bold
	lines := d.breakLines(d.words([]run{{b.Text, style}}, hs.size), d.width(), hs.size)
	if len(lines) == 0 {
		return
	}
	// Keep the heading with the first two lines of what follows it.
	need := hs.before + float64(len(lines))*hs.lead + hs.after + 2*bodyLead
	if d.y+need > d.bottomY() && !d.atTop {
		d.newPage()
	}
	if !d.atTop {
		d.y += hs.before
	}
	// The outline may not skip a level: a level-3 heading straight
	// after a level-1 one becomes its child.
	ol := lv - 1
	if ol > d.outlineL+1 {
		ol = d.outlineL + 1
	}
	d.outlineL = ol
	d.setFont(style, hs.size)
	d.f.Bookmark(clean(b.Text), ol, d.y)
	d.place(lines, placement{x: d.g().left, width: d.width(), size: hs.size, lead: hs.lead, ink: inkText, rtl: baseRTL(lines[0].words)})
	d.y += hs.after
}

func (d *doc) quote(s string) {
	g := d.g()
	p := placement{
		x: g.left + quoteIndent, width: d.width() - 2*quoteIndent,
		size: quoteSize, lead: quoteLead, ink: inkQuote, justify: true,
		segment: func(top, bottom float64) {
			d.f.SetDrawColor(inkRule, inkRule, inkRule)
			d.f.SetLineWidth(1.6)
			x := g.left + quoteIndent/2 - 2
			d.f.Line(x, top+2, x, bottom-2)
		},
	}
	d.y += 2
	d.block([]run{{s, regular}}, p)
	d.y += paraGap + 2
}

func (d *doc) list(b ibid.Block) {
	g := d.g()
	markers := make([]string, len(b.Items))
	mw := 0.0
	for i := range b.Items {
		m := "•"
		if b.Ordered {
			m = fmt.Sprintf("%d.", i+1)
		}
		markers[i] = m
		if w := d.textWidth(m, regular, bodySize); w > mw {
			mw = w
		}
	}
	indent := listIndent + 0.0
	if mw+markerGap > indent {
		indent = mw + markerGap
	}
	for i, it := range b.Items {
		m := markers[i]
		p := placement{
			x: g.left + indent, width: d.width() - indent,
			size: bodySize, lead: bodyLead, ink: inkText, justify: true,
			first: func(top float64) {
				// Markers hang in the indent, right-aligned so that
				// "9." and "10." line up on the full stop.
				d.setFont(regular, bodySize)
				d.setInk(inkText)
				d.drawn(m)
				d.f.Text(g.left+indent-markerGap-d.textWidth(m, regular, bodySize), baseline(top, bodyLead, bodySize), m)
			},
		}
		d.block([]run{{it, regular}}, p)
		if i < len(b.Items)-1 {
			d.y += listGap
		}
	}
	d.y += paraGap
}

// textWidth measures s in one style of the text face at size.
func (d *doc) textWidth(s string, style int, size float64) float64 {
	u := 0
	for _, r := range s {
		_, a := d.pick(style, r)
		u += a
	}
	return float64(u) * size / 1000
}

// citeBox closes the essay with "Cite this essay" and the entries.
func (d *doc) citeBox() {
	g := d.g()
	entries := d.cite()
	inner := d.width() - 2*citePad
	type para struct {
		lines []line
		gap   float64
	}
	var paras []para
	add := func(runs []run, gap float64) {
		if ls := d.breakLines(d.words(runs, citeSize), inner, citeSize); len(ls) > 0 {
			paras = append(paras, para{ls, gap})
		}
	}
	if len(entries) > 0 {
		for _, ce := range entries {
			if ce.Style != "" {
				add([]run{{ce.Style, bold}}, 5)
			}
			add(markup(ce.Text), 1)
		}
	} else {
		field := func(label, value string) {
			if strings.TrimSpace(value) != "" {
				add([]run{{label + " ", bold}, {value, regular}}, 3)
			}
		}
		field("Title", d.title)
		field("Author", d.e.Author)
		if !d.e.Published.IsZero() {
			field("Published", d.e.Published.Format("2 January 2006"))
		}
		field("Site", d.x.opt.SiteName)
		field("URL", d.url)
	}
	headLead := 16.0
	h := 2*citePad + headLead + 2
	for _, p := range paras {
		h += p.gap + float64(len(p.lines))*citeLead
	}
	d.y += 14
	if d.y+h > d.bottomY() && !d.atTop {
		d.newPage()
	}
	top := d.y
	if h <= d.bottomY()-d.g().top {
		// The box is drawn first so that the text lies on top of it.
		d.f.SetDrawColor(inkRule, inkRule, inkRule)
		d.f.SetFillColor(inkFill, inkFill, inkFill)
		d.f.SetLineWidth(0.6)
		d.f.Rect(g.left, top, d.width(), h, "FD")
	}
	d.y += citePad
	d.block([]run{{"Cite this essay", bold}}, placement{x: g.left + citePad, width: inner, size: 11, lead: headLead, ink: inkText})
	d.y += 2
	for _, p := range paras {
		d.y += p.gap
		d.place(p.lines, placement{x: g.left + citePad, width: inner, size: citeSize, lead: citeLead, ink: inkText, rtl: baseRTL(p.lines[0].words)})
	}
	d.y += citePad
}

// markup turns the simple HTML of a citation into runs: <i>/<em> italic,
// <b>/<strong> bold, other tags dropped, entities decoded.
func markup(s string) []run {
	var out []run
	it, bd := 0, 0
	style := func() int {
		switch {
		case it > 0 && bd > 0:
			return boldItalic
		case it > 0:
			return italic
		case bd > 0:
			return bold
		}
		return regular
	}
	for s != "" {
		i := strings.IndexByte(s, '<')
		if i < 0 {
			out = append(out, run{html.UnescapeString(s), style()})
			break
		}
		if i > 0 {
			out = append(out, run{html.UnescapeString(s[:i]), style()})
		}
		j := strings.IndexByte(s[i:], '>')
		if j < 0 {
			// A lone "<" is text.
			out = append(out, run{html.UnescapeString(s[i:]), style()})
			break
		}
		tag := strings.ToLower(strings.TrimSpace(s[i+1 : i+j]))
		closing := strings.HasPrefix(tag, "/")
		tag = strings.TrimPrefix(tag, "/")
		if k := strings.IndexAny(tag, " \t\n/"); k >= 0 {
			tag = tag[:k]
		}
		delta := 1
		if closing {
			delta = -1
		}
		switch tag {
		case "i", "em", "cite":
			it = max(0, it+delta)
		case "b", "strong":
			bd = max(0, bd+delta)
		}
		s = s[i+j+1:]
	}
	return out
}

// furniture draws what every page carries once the page count is known: the
// running header from page 2 and the page number "3 / 8".
func (d *doc) furniture() {
	g := d.g()
	n := d.f.PageCount()
	for p := 1; p <= n; p++ {
		d.f.SetPage(p)
		d.curKey, d.curSize, d.curInk = -1, 0, -2
		num := fmt.Sprintf("%d / %d", p, n)
		d.setFont(regular, footerSize)
		d.setInk(inkMeta)
		d.drawn(num)
		d.f.Text((g.w-d.textWidth(num, regular, footerSize))/2, g.h-g.bottom/2, num)
		if p == 1 {
			continue
		}
		top := g.top/2 - 8
		site := strings.TrimSpace(d.x.opt.SiteName)
		siteW := 0.0
		if site != "" {
			siteW = d.textWidth(site, regular, headerSize)
		}
		room := d.width() - siteW - 24
		title := d.fit(d.title, regular, headerSize, room)
		ws := d.words([]run{{title, regular}}, headerSize)
		d.drawLine(line{words: ws}, g.left, top, room, headerSize, 12, inkMeta, false, false)
		if site != "" {
			ws := d.words([]run{{site, regular}}, headerSize)
			d.drawLine(line{words: ws}, g.left+d.width()-siteW, top, siteW, headerSize, 12, inkMeta, false, false)
		}
		d.rule(g.left, top+15, g.left+d.width())
	}
	d.f.SetPage(n)
}

// fit shortens s with an ellipsis until it is no wider than room. It
// searches the cut by halves so that a title of thousands of letters costs
// a few measurements, not thousands.
func (d *doc) fit(s string, style int, size, room float64) string {
	if d.textWidth(s, style, size) <= room {
		return s
	}
	rs := []rune(s)
	cut := func(n int) string { return strings.TrimRight(string(rs[:n]), " ,;:") + "…" }
	lo, hi := 0, len(rs) // cut(lo) fits or lo is 0; cut(hi) does not fit
	for hi-lo > 1 {
		mid := (lo + hi) / 2
		if d.textWidth(cut(mid), style, size) <= room {
			lo = mid
		} else {
			hi = mid
		}
	}
	return cut(lo)
}

// clean prepares a string for PDF metadata and outlines: white space
// collapsed, control and format characters dropped.
func clean(s string) string {
	s = norm.NFC.String(s)
	var b strings.Builder
	space := false
	for _, r := range s {
		switch {
		case unicode.IsSpace(r):
			space = true
			continue
		case unicode.IsControl(r) || unicode.Is(unicode.Cf, r):
			continue
		case r > 0xFFFF:
			r = '\uFFFD'
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}
