package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ibid-dev/ibid"
	"github.com/ibid-dev/ibid/text"
)

//go:embed templates
var templateFS embed.FS

// page is what every template receives: the layout's fields and the page's
// own Data.
type page struct {
	Site        string
	Title       string // the page's own title; the layout appends the site name
	Canonical   string // absolute URL, empty without Config.BaseURL
	Description string // for <meta name="description">; may be empty
	Query       string // echoed in the header search box
	NoIndex     bool
	OwnSearch   bool   // the page has its own search form; the header leaves its out
	Prev        string // rel=prev / rel=next links for paginated listings
	Next        string
	User        *ibid.User // the signed-in editor, nil for readers
	Here        string     // this page's path and query, where signing in comes back to
	CanCompare  bool       // the header links to /compare
	Data        any
}

func (s *Server) newPage(r *http.Request, title string) *page {
	p := &page{Site: s.cfg.SiteName, Title: title, User: s.viewer(r), Here: safeNext(r.URL.RequestURI())}
	p.CanCompare = s.cfg.Compare != nil && (s.cfg.OpenCompare || canEdit(p.User))
	if s.cfg.BaseURL != "" {
		p.Canonical = s.cfg.BaseURL + r.URL.EscapedPath()
	}
	return p
}

// parseTemplates parses the layout with each page template into its own set,
// so that every page can define "title" and "content" blocks of its own.
func (s *Server) parseTemplates() (map[string]*template.Template, error) {
	funcs := template.FuncMap{
		"static":  s.static.url,
		"num":     formatInt,
		"plural":  plural,
		"date":    formatDate,
		"isodate": func(t time.Time) string { return t.Format("2006-01-02") },
		"length":  s.lengthLine,
		"snippet": snippetHTML,
		"slug":    text.Slugify,
		"inc":     func(i int) int { return i + 1 },
	}
	base, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html")
	if err != nil {
		return nil, fmt.Errorf("web: parsing layout: %w", err)
	}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	pages := map[string]*template.Template{}
	for _, n := range names {
		if path.Base(n) == "layout.html" {
			continue
		}
		t, err := template.Must(base.Clone()).ParseFS(templateFS, n)
		if err != nil {
			return nil, fmt.Errorf("web: parsing %s: %w", n, err)
		}
		pages[strings.TrimSuffix(path.Base(n), ".html")] = t
	}
	return pages, nil
}

// render executes a page template into a buffer first, so that a template
// error becomes a clean error page instead of half a page.
func (s *Server) render(w http.ResponseWriter, name string, p *page) error {
	b, err := s.renderBytes(name, p)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	if p.User != nil {
		// The page names its reader: no shared cache may keep it.
		h.Set("Cache-Control", "private, no-cache")
	}
	_, err = w.Write(b)
	return err
}

// renderBytes executes the page template name with p.
func (s *Server) renderBytes(name string, p *page) ([]byte, error) {
	t, ok := s.pages[name]
	if !ok {
		return nil, fmt.Errorf("web: no template %q", name)
	}
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, "layout", p); err != nil {
		return nil, fmt.Errorf("web: rendering %s: %w", name, err)
	}
	return b.Bytes(), nil
}

// formatInt writes n with thousands separators: 3836 → "3,836".
func formatInt(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// plural returns "1 page" or "8 pages", with thousands separators.
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return formatInt(n) + " " + many
}

// formatDate writes dates the way the meta line shows them: "17 Sep 2020".
func formatDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format("2 Jan 2006")
}

// lengthLine is the short length shown on cards and results:
// "3,836 words · 8 pages".
func (s *Server) lengthLine(words int) string {
	return plural(words, "word", "words") + " · " + plural(text.Pages(words, s.cfg.WordsPerPage), "page", "pages")
}

// metaLine is the line under an essay's title:
// "3,836 words · 8 pages · 16 min read".
func (s *Server) metaLine(words int) string {
	return s.lengthLine(words) + " · " + formatInt(text.ReadingMinutes(words)) + " min read"
}

// snippetHTML escapes a search snippet and turns the store's markers into
// <mark> elements. Markers that do not pair up are closed or dropped, so a
// bad snippet can never leave an element open.
func snippetHTML(s string) template.HTML {
	var b strings.Builder
	open := false
	for len(s) > 0 {
		i := strings.IndexAny(s, ibid.SnippetMark+ibid.SnippetEnd)
		if i < 0 {
			b.WriteString(template.HTMLEscapeString(s))
			break
		}
		b.WriteString(template.HTMLEscapeString(s[:i]))
		switch {
		case strings.HasPrefix(s[i:], ibid.SnippetMark) && !open:
			b.WriteString("<mark>")
			open = true
		case strings.HasPrefix(s[i:], ibid.SnippetEnd) && open:
			b.WriteString("</mark>")
			open = false
		}
		s = s[i+len(ibid.SnippetMark):] // both markers are three bytes in UTF-8
	}
	if open {
		b.WriteString("</mark>")
	}
	return template.HTML(b.String())
}

// snippetText drops the markers, for clients that want plain text.
func snippetText(s string) string {
	return strings.NewReplacer(ibid.SnippetMark, "", ibid.SnippetEnd, "").Replace(s)
}

// lengthBand is one of the listings by length, in pages.
type lengthBand struct {
	Key   string // the query value: "1-2", "3-5", "6-10", "10+"
	Label string // "1–2 pages"
	Min   int    // pages, inclusive
	Max   int    // pages, inclusive; 0 means no upper bound
}

// lengthBands are the essay-site length groups. "10+" means more than ten
// pages, so that an essay is in exactly one band.
var lengthBands = []lengthBand{
	{"1-2", "1–2 pages", 1, 2},
	{"3-5", "3–5 pages", 3, 5},
	{"6-10", "6–10 pages", 6, 10},
	{"10+", "More than 10 pages", 11, 0},
}

// findBand returns the band for a query value; "" is no band.
func findBand(key string) (lengthBand, bool, error) {
	// A hand-typed "?length=10+" arrives as "10 ": a plus in a query is a
	// space. Take it as meant.
	key = strings.ReplaceAll(key, " ", "+")
	if key == "" {
		return lengthBand{}, false, nil
	}
	for _, b := range lengthBands {
		if b.Key == key {
			return b, true, nil
		}
	}
	return lengthBand{}, false, ibid.Errorf(ibid.EINVALID, "Unknown length %q: choose 1-2, 3-5, 6-10 or 10+.", key)
}

// words converts the band's pages into an inclusive word range; max 0 is
// unbounded.
func (b lengthBand) words(perPage int) (min, max int) {
	min, _ = text.WordsForPages(b.Min, perPage)
	if b.Max > 0 {
		_, max = text.WordsForPages(b.Max, perPage)
	}
	return min, max
}

// pager is the pagination bar of a listing.
type pager struct {
	Page, Pages int
	Prev, Next  string
	Links       []pageLink
}

type pageLink struct {
	N       int
	URL     string
	Current bool
	Gap     bool // an ellipsis between distant page numbers
}

// parsePage reads the page query parameter: absent is 1, anything but a
// positive number is a client error.
func parsePage(r *http.Request) (int, error) {
	v := r.URL.Query().Get("page")
	if v == "" {
		return 1, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 1_000_000 {
		return 0, ibid.Errorf(ibid.EINVALID, "The page number must be a positive whole number.")
	}
	return n, nil
}

// newPager builds links for page of a listing with total items at path with
// the query q (whose page value it replaces). A page past the end of a
// non-empty listing is not found.
func newPager(pathname string, q url.Values, page, total int) (*pager, error) {
	pages := (total + perPage - 1) / perPage
	if pages < 1 {
		pages = 1
	}
	if page > pages {
		return nil, ibid.Errorf(ibid.ENOTFOUND, "There is no page %d: this listing has %s.", page, plural(pages, "page", "pages"))
	}
	link := func(n int) string {
		v := url.Values{}
		for k, vs := range q {
			if k != "page" {
				v[k] = vs
			}
		}
		if n > 1 {
			v.Set("page", strconv.Itoa(n))
		}
		if e := v.Encode(); e != "" {
			return pathname + "?" + e
		}
		return pathname
	}
	p := &pager{Page: page, Pages: pages}
	if page > 1 {
		p.Prev = link(page - 1)
	}
	if page < pages {
		p.Next = link(page + 1)
	}
	// First, last and two either side of the current page; an ellipsis
	// stands for two or more pages left out, a single one is shown instead.
	shown := func(n int) bool { return n == 1 || n == pages || (n >= page-2 && n <= page+2) }
	for n := 1; n <= pages; n++ {
		switch {
		case shown(n) || (shown(n-1) && shown(n+1)):
			p.Links = append(p.Links, pageLink{N: n, URL: link(n), Current: n == page})
		case shown(n - 1):
			p.Links = append(p.Links, pageLink{Gap: true})
		}
	}
	return p, nil
}

// description shortens text to about n bytes at a word boundary, for
// <meta name="description">.
func description(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) <= n {
		return s
	}
	cut := strings.LastIndexByte(s[:n], ' ')
	if cut <= 0 {
		cut = n
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
	}
	return strings.TrimRight(s[:cut], ",;:") + "…"
}
