// Package pdf typesets an essay as a PDF document: the title, the meta line,
// headings, justified paragraphs, lists with hanging indents, block quotes, a
// running header, page numbers "3 / 8", a "Cite this essay" box, document
// metadata, an outline of the headings and clickable links.
//
// Fonts are embedded (subset) TrueType fonts: the Go fonts by default, or
// files the user names, with optional fallback fonts for the characters the
// text face lacks. New reads every font file and checks its header; a
// face's advance widths are measured once, when a document first needs them.
// fpdf itself still parses the font program of each style a document uses,
// given a copy whose character map holds only the characters the document
// is expected to draw (withCmap), which spares it most of that work.
//
// Right-to-left text is reordered word by word (a simplified bidirectional
// algorithm), and Arabic and Persian letters take their joined forms from
// Unicode's presentation forms, with the original letters kept as
// ActualText for copying and extraction; this needs a fallback font that
// draws them, such as DejaVu Sans.
//
// Limits, by design or by fpdf: words are not hyphenated (a word wider than
// a line is cut between letters); Arabic has no shaping beyond joining and
// lam-alef (no kashida, no mark positioning); characters outside the Basic
// Multilingual Plane (emoji) print as U+FFFD, which fpdf's two-byte
// encoding cannot avoid.
package pdf

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/go-pdf/fpdf"

	"github.com/ibid-dev/ibid"
	"github.com/ibid-dev/ibid/text"
)

// Options configures an Exporter. The zero value is usable: A4 pages, the Go
// fonts, no site name or URL, the default cite box and the current time as
// the creation date.
type Options struct {
	// PageSize is "A4" (the default) or "Letter".
	PageSize string
	// Fonts are the TrueType files of the text face; zero means the Go fonts.
	Fonts Fonts
	// Fallback lists TrueType files that draw, in order of preference, the
	// characters the text face lacks (see SystemFallbacks). Only their
	// regular style is used. They are embedded only in documents that need
	// them.
	Fallback []string
	// SiteName is the library's name, shown in the running header and the
	// cite box.
	SiteName string
	// BaseURL is the library's public address ("https://essays.example.org");
	// the essay's address is BaseURL + "/essays/" + slug. Empty means the
	// document carries no address.
	BaseURL string
	// Cite returns the entries of the "Cite this essay" box. Nil, or an
	// empty result, prints a plain box with title, author, site and address.
	Cite func(e *ibid.Essay) []CiteEntry
	// Now gives the creation date written into the document; nil means
	// time.Now. Tests fix it so that output is byte-for-byte reproducible.
	Now func() time.Time
}

// CiteEntry is one reference in the cite box. Text may mark italics with
// <i>…</i> or <em>…</em> and bold with <b>…</b>; other tags are dropped and
// HTML entities decoded, so a CSL processor's HTML output can be passed as is.
type CiteEntry struct {
	Style string // the style's short name: "APA", "MLA"
	Text  string
}

// MaxRunes bounds the text of an essay that Export typesets (about 2,000
// pages); longer essays yield ETOOLARGE.
const MaxRunes = 5_000_000

// Exporter writes essays as PDF. It is safe for concurrent use.
type Exporter struct {
	opt      Options
	page     pageGeom
	main     [4]*face
	fallback []*face
	// wholeFonts gives fpdf the fonts' whole character maps, as it had
	// them before withCmap; tests compare the two.
	wholeFonts bool
}

var _ ibid.Exporter = (*Exporter)(nil)

// New parses the fonts and checks the options.
func New(opt Options) (*Exporter, error) {
	x := &Exporter{opt: opt}
	switch strings.ToLower(opt.PageSize) {
	case "", "a4":
		x.page = a4
	case "letter", "us letter", "usletter":
		x.page = letter
	default:
		return nil, ibid.Errorf(ibid.EINVALID, "unknown page size %q (want A4 or Letter)", opt.PageSize)
	}
	var err error
	if x.main, err = loadFaces(opt.Fonts); err != nil {
		return nil, err
	}
	for _, p := range opt.Fallback {
		// A fallback that is one of the text face's files (SystemFallbacks
		// lists DejaVu Serif, SystemSerif's regular style) shares its face:
		// the file is read and measured once.
		var f *face
		for _, m := range x.main {
			if m != nil && m.name == p {
				f = m
			}
		}
		if f == nil {
			if f, err = readFace(p); err != nil {
				return nil, err
			}
		}
		x.fallback = append(x.fallback, f)
	}
	if x.opt.Now == nil {
		x.opt.Now = time.Now
	}
	x.opt.BaseURL = strings.TrimRight(opt.BaseURL, "/")
	return x, nil
}

// Format implements ibid.Exporter.
func (x *Exporter) Format() (ext, label, contentType string) {
	return "pdf", "PDF", "application/pdf"
}

// Export implements ibid.Exporter: it typesets e and writes the PDF to w.
func (x *Exporter) Export(w io.Writer, e *ibid.Essay) (err error) {
	if e == nil {
		return ibid.Errorf(ibid.EINVALID, "no essay to export")
	}
	n := len(e.Title)
	for _, b := range e.Blocks {
		n += len(b.Text)
		for _, it := range b.Items {
			n += len(it)
		}
	}
	if n > 4*MaxRunes { // bytes; a cheap bound before counting runes
		return ibid.Errorf(ibid.ETOOLARGE, "the essay is too long to typeset as a PDF")
	}
	// fpdf reports most failures through its error state, but a few of its
	// font routines index slices without bounds checks. A panic there must
	// not take the server down with it.
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("pdf: typesetting %q: panic: %v", e.Slug, r)
		}
	}()
	// The cite box comes last, and its entries (rendered by a citation
	// processor, a few milliseconds) need nothing from the layout: render
	// them meanwhile on another goroutine.
	cite := x.citeLater(e)
	d := x.newDoc(e)
	d.cite = cite
	if !x.wholeFonts {
		d.runes = expectedRunes(x, d, e)
	}
	d.render()
	if d.missed {
		// A character outside the expected set (from a citation, say):
		// typeset again with whole fonts, which draw everything.
		d = x.newDoc(e)
		d.cite = cite
		d.render()
	}
	if err := d.f.Error(); err != nil {
		return fmt.Errorf("pdf: typesetting %q: %w", e.Slug, err)
	}
	if err := d.f.Output(w); err != nil {
		return fmt.Errorf("pdf: writing %q: %w", e.Slug, err)
	}
	return nil
}

// citeLater starts rendering e's cite box entries and returns a function
// that waits for them (and gives them again when called again). A panic in
// Options.Cite yields no entries rather than a crash: it runs outside
// Export's recover.
func (x *Exporter) citeLater(e *ibid.Essay) func() []CiteEntry {
	if x.opt.Cite == nil {
		return func() []CiteEntry { return nil }
	}
	c := make(chan []CiteEntry, 1)
	go func() {
		var entries []CiteEntry
		defer func() {
			recover()
			c <- entries
		}()
		entries = x.opt.Cite(e)
	}()
	return sync.OnceValue(func() []CiteEntry { return <-c })
}

// essayURL is the public address of e, or "" without a BaseURL.
func (x *Exporter) essayURL(e *ibid.Essay) string {
	if x.opt.BaseURL == "" {
		return ""
	}
	slug := e.Slug
	if slug == "" {
		slug = text.Slugify(e.Title)
	}
	if slug == "" {
		return x.opt.BaseURL + "/"
	}
	return x.opt.BaseURL + "/essays/" + slug
}

// metaLine is "3,836 words · 16 min read · Published 17 Sep 2020". It
// leaves out the page count that the essay page and the other downloads
// show: theirs is the site's estimate at 500 words a page ("8 pages"),
// while this document has as many pages as its type takes, and says so at
// the foot of each ("1 / 10"); one line saying 8 over a footer saying 10
// would contradict it.
func metaLine(e *ibid.Essay) string {
	words := e.Words
	if words <= 0 {
		t := e.Text
		if t == "" {
			t = ibid.CanonicalText(e.Blocks)
		}
		words = text.Words(t)
	}
	parts := []string{
		plural(words, "word", "words"),
		thousands(text.ReadingMinutes(words)) + " min read",
	}
	if !e.Published.IsZero() {
		parts = append(parts, "Published "+e.Published.Format("2 Jan 2006"))
	}
	return strings.Join(parts, " · ")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return thousands(n) + " " + many
}

// thousands formats n with comma separators: 3836 → "3,836".
func thousands(n int) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return "-" + thousands(-n)
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// newDoc starts a document for e with its metadata set.
func (x *Exporter) newDoc(e *ibid.Essay) *doc {
	f := fpdf.NewCustom(&fpdf.InitType{OrientationStr: "P", UnitStr: "pt", SizeStr: x.page.name})
	now := x.opt.Now()
	f.SetCreationDate(now)
	f.SetModificationDate(now)
	// Sorted catalog output makes the bytes depend only on the input.
	f.SetCatalogSort(true)
	f.SetCompression(true)
	f.SetAutoPageBreak(false, 0) // we break pages ourselves (widows, headings)
	f.SetCellMargin(0)
	f.SetMargins(x.page.left, x.page.top, x.page.right)
	title := clean(e.Title)
	if title == "" {
		title = "Untitled"
	}
	f.SetTitle(title, true)
	if a := clean(e.Author); a != "" {
		f.SetAuthor(a, true)
	}
	if s := clean(e.Subject); s != "" {
		f.SetSubject(s, true)
	}
	var topics []string
	for _, t := range e.Topics {
		if t = clean(t); t != "" {
			topics = append(topics, t)
		}
	}
	if len(topics) > 0 {
		f.SetKeywords(strings.Join(topics, ", "), true)
	}
	f.SetCreator("ibid", true)
	f.SetProducer("ibid (go-pdf/fpdf)", true)
	f.SetDisplayMode("fullwidth", "OneColumn")
	cite := func() []CiteEntry { return nil }
	if x.opt.Cite != nil {
		cite = func() []CiteEntry { return x.opt.Cite(e) }
	}
	return &doc{x: x, f: f, e: e, title: title, url: x.essayURL(e), added: make(map[int]bool), cite: cite}
}
