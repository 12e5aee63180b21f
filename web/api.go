package web

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/ibid-dev/ibid"
	"github.com/ibid-dev/ibid/text"
)

// API limits.
const (
	apiDefaultLimit = 20
	apiMaxLimit     = 100
)

// apiEssaySummary is an essay in a listing.
type apiEssaySummary struct {
	Slug           string   `json:"slug"`
	Title          string   `json:"title"`
	Subject        string   `json:"subject"`
	Topics         []string `json:"topics"`
	Words          int      `json:"words"`
	Pages          int      `json:"pages"`
	ReadingMinutes int      `json:"reading_minutes"`
	Published      *string  `json:"published"` // "2020-09-17", null when unknown
}

// apiEssay is one essay with its text and structure.
type apiEssay struct {
	Slug           string     `json:"slug"`
	Title          string     `json:"title"`
	Subject        string     `json:"subject"`
	Topics         []string   `json:"topics"`
	Author         string     `json:"author"`
	Words          int        `json:"words"`
	Pages          int        `json:"pages"`
	ReadingMinutes int        `json:"reading_minutes"`
	Published      *string    `json:"published"`
	Text           string     `json:"text"`
	Blocks         []apiBlock `json:"blocks"`
}

// apiBlock mirrors ibid.Block with a stable shape: level only on headings,
// items and ordered only on lists, text on everything but lists.
type apiBlock struct {
	Type    ibid.BlockType `json:"type"`
	Level   int            `json:"level,omitempty"`
	Text    string         `json:"text,omitempty"`
	Items   []string       `json:"items,omitempty"`
	Ordered *bool          `json:"ordered,omitempty"`
}

type apiSearchResult struct {
	Slug        string  `json:"slug"`
	Title       string  `json:"title"`
	Subject     string  `json:"subject"`
	Words       int     `json:"words"`
	Pages       int     `json:"pages"`
	Snippet     string  `json:"snippet"`      // plain text
	SnippetHTML string  `json:"snippet_html"` // escaped, matches in <mark>
	Score       float64 `json:"score"`
}

func (s *Server) summary(e *ibid.Essay) apiEssaySummary {
	return apiEssaySummary{
		Slug:           e.Slug,
		Title:          e.Title,
		Subject:        e.Subject,
		Topics:         nonNil(e.Topics),
		Words:          e.Words,
		Pages:          text.Pages(e.Words, s.cfg.WordsPerPage),
		ReadingMinutes: text.ReadingMinutes(e.Words),
		Published:      published(e),
	}
}

func published(e *ibid.Essay) *string {
	if e.Published.IsZero() {
		return nil
	}
	d := e.Published.Format("2006-01-02")
	return &d
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// apiEssays lists essays: GET /api/essays?subject=&topic=&min_pages=&max_pages=&limit=&offset=
func (s *Server) apiEssays(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	q := r.URL.Query()
	var f ibid.EssayFilter
	var err error
	if f.Limit, f.Offset, err = limitOffset(q); err != nil {
		return err
	}
	if v := q.Get("subject"); v != "" {
		if f.Subject, err = s.resolveName(ctx, v, func(ctx context.Context) ([]ibid.Count, error) { return s.store.Subjects(ctx) }); err != nil {
			return err
		}
	}
	if v := q.Get("topic"); v != "" {
		if f.Topic, err = s.resolveName(ctx, v, func(ctx context.Context) ([]ibid.Count, error) { return s.store.Topics(ctx, "") }); err != nil {
			return err
		}
	}
	minPages, err := intParam(q, "min_pages", 0)
	if err != nil {
		return err
	}
	maxPages, err := intParam(q, "max_pages", 0)
	if err != nil {
		return err
	}
	if maxPages > 0 && minPages > maxPages {
		return ibid.Errorf(ibid.EINVALID, "min_pages must not exceed max_pages.")
	}
	if minPages > 0 {
		f.MinWords, _ = text.WordsForPages(minPages, s.cfg.WordsPerPage)
	}
	if maxPages > 0 {
		_, f.MaxWords = text.WordsForPages(maxPages, s.cfg.WordsPerPage)
	}
	essays, total, err := s.store.Essays(ctx, f)
	if err != nil {
		return err
	}
	out := struct {
		Essays []apiEssaySummary `json:"essays"`
		Total  int               `json:"total"`
	}{Essays: []apiEssaySummary{}, Total: total}
	for _, e := range essays {
		out.Essays = append(out.Essays, s.summary(e))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// resolveName accepts a subject or topic by name or by slug and returns its
// name; a value that matches neither passes through unchanged, so that it
// simply matches nothing.
func (s *Server) resolveName(ctx context.Context, v string, list func(context.Context) ([]ibid.Count, error)) (string, error) {
	cs, err := list(ctx)
	if err != nil {
		return "", err
	}
	for _, c := range cs {
		if c.Name == v {
			return v, nil
		}
	}
	if c, ok := findCount(cs, v); ok {
		return c.Name, nil
	}
	return v, nil
}

// apiEssay returns one essay: GET /api/essays/{slug}
func (s *Server) apiEssay(w http.ResponseWriter, r *http.Request) error {
	e, err := s.loadEssay(r.Context(), r.PathValue("slug"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.essayJSON(e))
	return nil
}

// essayJSON is an essay as the API shows it.
func (s *Server) essayJSON(e *ibid.Essay) apiEssay {
	sum := s.summary(e)
	out := apiEssay{
		Slug: sum.Slug, Title: sum.Title, Subject: sum.Subject, Topics: sum.Topics, Author: e.Author,
		Words: sum.Words, Pages: sum.Pages, ReadingMinutes: sum.ReadingMinutes, Published: sum.Published,
		Text: e.Text, Blocks: make([]apiBlock, 0, len(e.Blocks)),
	}
	for _, b := range e.Blocks {
		ab := apiBlock{Type: b.Type}
		switch b.Type {
		case ibid.Heading:
			ab.Level, ab.Text = b.Level, b.Text
		case ibid.List:
			ordered := b.Ordered
			ab.Items, ab.Ordered = nonNil(b.Items), &ordered
		default:
			ab.Text = b.Text
		}
		out.Blocks = append(out.Blocks, ab)
	}
	return out
}

// apiSearch runs a full-text search: GET /api/search?q=&subject=&min_pages=&max_pages=&limit=&offset=
func (s *Server) apiSearch(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	q := r.URL.Query()
	sq := ibid.SearchQuery{Query: strings.TrimSpace(q.Get("q"))}
	if sq.Query == "" {
		return ibid.Errorf(ibid.EINVALID, "The q parameter is required: give the words to search for.")
	}
	if len(sq.Query) > maxQueryLen {
		return ibid.Errorf(ibid.ETOOLARGE, "The search is too long: use at most %d characters.", maxQueryLen)
	}
	var err error
	if sq.Limit, sq.Offset, err = limitOffset(q); err != nil {
		return err
	}
	if v := q.Get("subject"); v != "" {
		if sq.Subject, err = s.resolveName(ctx, v, func(ctx context.Context) ([]ibid.Count, error) { return s.store.Subjects(ctx) }); err != nil {
			return err
		}
	}
	minPages, err := intParam(q, "min_pages", 0)
	if err != nil {
		return err
	}
	maxPages, err := intParam(q, "max_pages", 0)
	if err != nil {
		return err
	}
	if minPages > 0 {
		sq.MinWords, _ = text.WordsForPages(minPages, s.cfg.WordsPerPage)
	}
	if maxPages > 0 {
		_, sq.MaxWords = text.WordsForPages(maxPages, s.cfg.WordsPerPage)
	}
	var results []ibid.SearchResult
	var total int
	if err := s.searches.search(w, r, func(ctx context.Context) (err error) {
		results, total, err = s.store.Search(ctx, sq)
		return err
	}); err != nil {
		return err
	}
	out := struct {
		Results []apiSearchResult `json:"results"`
		Total   int               `json:"total"`
	}{Results: []apiSearchResult{}, Total: total}
	for _, res := range results {
		e := res.Essay
		out.Results = append(out.Results, apiSearchResult{
			Slug: e.Slug, Title: e.Title, Subject: e.Subject, Words: e.Words,
			Pages:       text.Pages(e.Words, s.cfg.WordsPerPage),
			Snippet:     snippetText(res.Snippet),
			SnippetHTML: string(snippetHTML(res.Snippet)),
			Score:       res.Score,
		})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// limitOffset reads limit (default 20, at most 100: larger values are cut
// to 100) and offset (default 0).
func limitOffset(q url.Values) (limit, offset int, err error) {
	if limit, err = intParam(q, "limit", apiDefaultLimit); err != nil {
		return 0, 0, err
	}
	if limit == 0 {
		return 0, 0, ibid.Errorf(ibid.EINVALID, "limit must be between 1 and %d.", apiMaxLimit)
	}
	limit = min(limit, apiMaxLimit)
	if offset, err = intParam(q, "offset", 0); err != nil {
		return 0, 0, err
	}
	return limit, offset, nil
}

// intParam reads a non-negative integer query parameter.
func intParam(q url.Values, name string, def int) (int, error) {
	v := q.Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 || n > 1_000_000_000 {
		return 0, ibid.Errorf(ibid.EINVALID, "%s must be a non-negative whole number.", name)
	}
	return n, nil
}

// writeJSON writes v as indented JSON. Encoding happens before the header
// is written, so a failure is still a clean 500.
func writeJSON(w http.ResponseWriter, status int, v any) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	// Served as application/json with nosniff, so there is no page for
	// "<" to break out of; keeping it readable matters for snippet_html.
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		http.Error(w, `{"error":{"code":"internal","message":"An internal error occurred."}}`, http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	if h.Get("Cache-Control") == "" {
		h.Set("Cache-Control", "no-cache")
	}
	w.WriteHeader(status)
	w.Write(b.Bytes())
}
