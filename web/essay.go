package web

import (
	"context"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/ibid-dev/ibid"
	"github.com/ibid-dev/ibid/cite"
	"github.com/ibid-dev/ibid/text"
)

// relatedCount is how many related essays close an essay page.
const relatedCount = 4

// tocMinHeadings is the number of headings from which an essay gets a table
// of contents; shorter essays are read at a glance.
const tocMinHeadings = 3

// essayView is the data of the essay template.
type essayView struct {
	Essay   *ibid.Essay
	Subject link   // empty Name when the essay has none
	Topics  []link // every topic, for the tag line
	Crumb   []link // Subject › first topic
	Meta    string // "3,836 words · 8 pages · 16 min read"
	// PagesNote says how the meta line counts pages, so that its "8 pages"
	// does not read as the PDF's page count, which its type decides.
	PagesNote string
	Blocks    []blockView
	TOC       []tocEntry
	PDF       *format  // nil when no PDF exporter is configured
	Formats   []format // the other downloads
	Related   []*ibid.Essay
	URL       string     // the essay's own path, for the cite placeholder
	Permalink string     // absolute when BaseURL is set
	Cites     []citeView // the cite box's tabs; empty without a Citer
	CiteLinks []format   // BibTeX, RIS, CSL-JSON downloads, under the cite box
	Head      essayHead
}

// link is a named link.
type link struct {
	Name, URL string
}

// blockView is one block as the template draws it.
type blockView struct {
	Type    ibid.BlockType
	Level   int // 1–3 for headings, drawn as h2–h4
	ID      string
	Text    string
	Items   []string
	Ordered bool
	// Marked and MarkedItems hold the text and items with a highlighted
	// span (?hl=) in <mark>; nil when the span misses the block.
	Marked      template.HTML
	MarkedItems []template.HTML
}

// tocEntry is a heading in the table of contents; sub-headings nest one
// level deep.
type tocEntry struct {
	ID, Text string
	Children []tocEntry
}

func subjectLink(name string) link {
	return link{Name: name, URL: "/subjects/" + text.Slugify(name)}
}

func topicLink(name string) link {
	return link{Name: name, URL: "/topics/" + text.Slugify(name)}
}

// essay serves an essay page. Readers who are not signed in get it from the
// page cache (pagecache.go) when the address has no query: their page
// depends only on the path, the library and the server's configuration.
// Editors' pages name them and carry edit controls, and ?hl= marks a passage:
// those are rendered for the request and never kept.
func (s *Server) essay(w http.ResponseWriter, r *http.Request, slug string) error {
	if cacheable(r) && s.viewer(r) == nil {
		return s.cachedPage(w, r, func() ([]byte, error) {
			p, err := s.essayPage(r, slug)
			if err != nil {
				return nil, err
			}
			return s.renderBytes("essay", p)
		})
	}
	p, err := s.essayPage(r, slug)
	if err != nil {
		return err
	}
	return s.render(w, "essay", p)
}

// essayPage builds the essay page of slug for the request r.
func (s *Server) essayPage(r *http.Request, slug string) (*page, error) {
	ctx := r.Context()
	e, err := s.loadEssay(ctx, slug)
	if err != nil {
		return nil, err
	}
	v := &essayView{Essay: e, Meta: s.metaLine(e.Words), URL: "/essays/" + e.Slug,
		PagesNote: "Pages are estimated at " + formatInt(s.cfg.WordsPerPage) + " words a page; a download has as many as its layout takes."}
	v.Permalink = v.URL
	if s.cfg.BaseURL != "" {
		v.Permalink = s.cfg.BaseURL + v.URL
	}
	if e.Subject != "" {
		v.Subject = subjectLink(e.Subject)
		v.Crumb = append(v.Crumb, v.Subject)
	}
	for i, t := range e.Topics {
		if text.Slugify(t) == "" {
			continue
		}
		v.Topics = append(v.Topics, topicLink(t))
		if i == 0 {
			v.Crumb = append(v.Crumb, topicLink(t))
		}
	}
	v.Blocks, v.TOC = layoutBlocks(e.Blocks)
	if hl, ok := parseHighlight(r.URL.Query().Get("hl")); ok {
		highlightBlocks(v.Blocks, hl)
	}
	for _, f := range s.formats {
		if f.Ext == "pdf" {
			v.PDF = &f
			continue
		}
		if citationFormats[f.Ext] {
			v.CiteLinks = append(v.CiteLinks, f)
			continue
		}
		v.Formats = append(v.Formats, f)
	}
	if v.Related, err = s.store.Related(ctx, e, relatedCount); err != nil {
		return nil, err
	}
	v.Cites = s.citeViews(ctx, e)
	p := s.newPage(r, e.Title)
	v.Head = s.essayHead(e, p.Canonical)
	// The description is the essay's opening in whole sentences: Zotero
	// keeps it as the abstract, where a sentence cut off with "…" would
	// read as the essay's own fault. Only an essay without paragraphs
	// falls back to its text cut at a word.
	p.Description = cite.Abstract(e, cite.AbstractLimit)
	if p.Description == "" {
		p.Description = description(e.Text, 160)
	}
	p.Data = v
	return p, nil
}

// loadEssay reads an essay by slug, with a not-found message of our own
// whatever words the store chose.
func (s *Server) loadEssay(ctx context.Context, slug string) (*ibid.Essay, error) {
	e, err := s.store.Essay(ctx, slug)
	if ibid.ErrorCode(err) == ibid.ENOTFOUND {
		return nil, &ibid.Error{Code: ibid.ENOTFOUND, Message: "There is no such essay.", Err: err}
	}
	return e, err
}

// reservedIDs are element ids the essay page uses itself; headings that
// slugify to one of them get a suffix instead.
var reservedIDs = map[string]bool{
	"main": true, "content": true, "contents": true, "toc": true, "cite": true,
	"related": true, "actions": true, "notice": true, "q": true, "site-search": true,
}

// layoutBlocks turns stored blocks into what the template draws: heading
// levels clamped to 1–3, unique heading ids from text.Slugify, and the
// table of contents when there are enough headings.
func layoutBlocks(blocks []ibid.Block) ([]blockView, []tocEntry) {
	used := map[string]bool{}
	out := make([]blockView, 0, len(blocks))
	var headings []blockView
	for _, b := range blocks {
		v := blockView{Type: b.Type, Text: b.Text, Items: b.Items, Ordered: b.Ordered}
		switch b.Type {
		case ibid.Heading:
			v.Level = min(max(b.Level, 1), 3)
			v.ID = uniqueID(text.Slugify(b.Text), used)
			headings = append(headings, v)
		case ibid.List, ibid.Quote, ibid.Paragraph:
		default:
			// An unknown block type from a newer importer still shows.
			v.Type = ibid.Paragraph
		}
		out = append(out, v)
	}
	if len(headings) < tocMinHeadings {
		return out, nil
	}
	// The shallowest level present makes the entries and the next level
	// present their children, so that an essay that skips a level (1 then
	// 3) still gets its sub-sections listed.
	top, sub := 4, 4
	for _, h := range headings {
		top = min(top, h.Level)
	}
	for _, h := range headings {
		if h.Level > top {
			sub = min(sub, h.Level)
		}
	}
	var toc []tocEntry
	for _, h := range headings {
		ent := tocEntry{ID: h.ID, Text: h.Text}
		switch {
		case h.Level == top || len(toc) == 0:
			toc = append(toc, ent)
		case h.Level == sub:
			last := &toc[len(toc)-1]
			last.Children = append(last.Children, ent)
		}
		// Deeper headings stay out of the contents: they would crowd it.
	}
	return out, toc
}

// uniqueID returns base, or base-2, base-3, … when taken; an empty base
// becomes "section".
func uniqueID(base string, used map[string]bool) string {
	if base == "" {
		base = "section"
	}
	id := base
	for n := 2; used[id] || reservedIDs[id]; n++ {
		id = base + "-" + strconv.Itoa(n)
	}
	used[id] = true
	return id
}

// parseHighlight reads the hl parameter, "OFFSET-LENGTH" in runes of the
// canonical text: the passage a similarity report links to. Anything else
// is ignored rather than refused: a stale link still shows the essay.
func parseHighlight(v string) (ibid.Span, bool) {
	a, b, ok := strings.Cut(v, "-")
	if !ok {
		return ibid.Span{}, false
	}
	off, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if err1 != nil || err2 != nil || off < 0 || n <= 0 {
		return ibid.Span{}, false
	}
	return ibid.Span{Offset: off, Length: n}, true
}

// highlightBlocks marks the span hl of the canonical text in the blocks it
// crosses. Offsets follow ibid.CanonicalText: blocks are separated by two
// runes ("\n\n"), list items by one. The first mark gets id="hl", so that
// the link's #hl fragment scrolls to it.
func highlightBlocks(blocks []blockView, hl ibid.Span) {
	off := 0
	first := true
	mark := func(s string, at int) (template.HTML, int) {
		n := utf8.RuneCountInString(s)
		lo, hi := max(hl.Offset-at, 0), min(hl.End()-at, n)
		if lo >= hi {
			return "", n
		}
		r := []rune(s)
		id := ""
		if first {
			id, first = ` id="hl"`, false
		}
		return template.HTML(template.HTMLEscapeString(string(r[:lo])) +
			"<mark class=\"hl-passage\"" + id + ">" + template.HTMLEscapeString(string(r[lo:hi])) + "</mark>" +
			template.HTMLEscapeString(string(r[hi:]))), n
	}
	for i := range blocks {
		if i > 0 {
			off += 2
		}
		if off >= hl.End() {
			return
		}
		b := &blocks[i]
		if b.Type != ibid.List {
			var n int
			b.Marked, n = mark(b.Text, off)
			off += n
			continue
		}
		for k, item := range b.Items {
			if k > 0 {
				off++
			}
			m, n := mark(item, off)
			if m != "" {
				if b.MarkedItems == nil {
					b.MarkedItems = make([]template.HTML, len(b.Items))
					for j, it := range b.Items {
						b.MarkedItems[j] = template.HTML(template.HTMLEscapeString(it))
					}
				}
				b.MarkedItems[k] = m
			}
			off += n
		}
	}
}
