package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/ibid-dev/ibid"
	"github.com/ibid-dev/ibid/text"
)

// newestCount is how many of the newest essays the home page lists.
const newestCount = 8

// maxQueryLen bounds the search words a request may carry (in bytes).
const maxQueryLen = 500

// bandCount is a length band with the number of essays in it.
type bandCount struct {
	lengthBand
	URL   string
	Count int
}

type homeView struct {
	Subjects []ibid.Count
	Newest   []*ibid.Essay
	Bands    []bandCount
	Total    int
}

func (s *Server) home(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	v := &homeView{}
	var err error
	if v.Subjects, err = s.store.Subjects(ctx); err != nil {
		return err
	}
	if v.Newest, v.Total, err = s.store.Essays(ctx, ibid.EssayFilter{Limit: newestCount}); err != nil {
		return err
	}
	if v.Bands, err = s.bandCounts(ctx); err != nil {
		return err
	}
	p := s.newPage(r, "")
	p.OwnSearch = true
	p.Data = v
	return s.render(w, "home", p)
}

// bandCounts counts the essays in each length band with one cheap query
// per band (the store returns totals with a one-row page).
func (s *Server) bandCounts(ctx context.Context) ([]bandCount, error) {
	out := make([]bandCount, 0, len(lengthBands))
	for _, b := range lengthBands {
		minW, maxW := b.words(s.cfg.WordsPerPage)
		_, n, err := s.store.Essays(ctx, ibid.EssayFilter{MinWords: minW, MaxWords: maxW, Limit: 1})
		if err != nil {
			return nil, err
		}
		out = append(out, bandCount{lengthBand: b, URL: "/essays?length=" + b.Key, Count: n})
	}
	return out, nil
}

type subjectIndexView struct {
	Subjects []subjectTopics
}

type subjectTopics struct {
	Subject ibid.Count
	Topics  []ibid.Count
}

func (s *Server) subjectIndex(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	subjects, err := s.store.Subjects(ctx)
	if err != nil {
		return err
	}
	v := &subjectIndexView{}
	for _, c := range subjects {
		topics, err := s.store.Topics(ctx, c.Name)
		if err != nil {
			return err
		}
		v.Subjects = append(v.Subjects, subjectTopics{Subject: withSlug(c), Topics: withSlugs(topics)})
	}
	p := s.newPage(r, "Subjects")
	p.Data = v
	return s.render(w, "subjects", p)
}

// withSlug fills in a count's slug when the store left it empty, so links
// always work.
func withSlug(c ibid.Count) ibid.Count {
	if c.Slug == "" {
		c.Slug = text.Slugify(c.Name)
	}
	return c
}

func withSlugs(cs []ibid.Count) []ibid.Count {
	for i := range cs {
		cs[i] = withSlug(cs[i])
	}
	return cs
}

// findCount maps a slug back to its name through a list of counts.
func findCount(cs []ibid.Count, slug string) (ibid.Count, bool) {
	for _, c := range cs {
		c = withSlug(c)
		if c.Slug == slug {
			return c, true
		}
	}
	return ibid.Count{}, false
}

// listView is the data of the listing template, shared by subject, topic
// and length listings.
type listView struct {
	Heading  string
	Kind     string // "Subject", "Topic", "Length" or ""
	Intro    string
	Essays   []*ibid.Essay
	Total    int
	Pager    *pager
	Topics   []ibid.Count // a subject's topics
	Bands    []bandCount  // the length navigation
	Band     string       // the current band key
	Crumb    []link
	Subjects []ibid.Count // for an empty library
}

func (s *Server) subject(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	subjects, err := s.store.Subjects(ctx)
	if err != nil {
		return err
	}
	c, ok := findCount(subjects, r.PathValue("slug"))
	if !ok {
		return ibid.Errorf(ibid.ENOTFOUND, "There is no subject at this address.")
	}
	v := &listView{Heading: c.Name, Kind: "Subject", Crumb: []link{{Name: "Subjects", URL: "/subjects"}}}
	topics, err := s.store.Topics(ctx, c.Name)
	if err != nil {
		return err
	}
	v.Topics = withSlugs(topics)
	return s.listing(w, r, v, ibid.EssayFilter{Subject: c.Name})
}

func (s *Server) topic(w http.ResponseWriter, r *http.Request) error {
	topics, err := s.store.Topics(r.Context(), "")
	if err != nil {
		return err
	}
	c, ok := findCount(topics, r.PathValue("slug"))
	if !ok {
		return ibid.Errorf(ibid.ENOTFOUND, "There is no topic at this address.")
	}
	v := &listView{Heading: c.Name, Kind: "Topic", Crumb: []link{{Name: "Subjects", URL: "/subjects"}}}
	return s.listing(w, r, v, ibid.EssayFilter{Topic: c.Name})
}

// essays lists every essay, or those of one length band.
func (s *Server) essays(w http.ResponseWriter, r *http.Request) error {
	band, ok, err := findBand(r.URL.Query().Get("length"))
	if err != nil {
		return err
	}
	v := &listView{Heading: "All essays"}
	var f ibid.EssayFilter
	if ok {
		v.Heading = "Essays of " + strings.ToLower(band.Label[:1]) + band.Label[1:]
		v.Kind = "Length"
		v.Band = band.Key
		f.MinWords, f.MaxWords = band.words(s.cfg.WordsPerPage)
	}
	if v.Bands, err = s.bandCounts(r.Context()); err != nil {
		return err
	}
	return s.listing(w, r, v, f)
}

// listing fills in one page of essays matching f and renders it.
func (s *Server) listing(w http.ResponseWriter, r *http.Request, v *listView, f ibid.EssayFilter) error {
	page, err := parsePage(r)
	if err != nil {
		return err
	}
	f.Limit, f.Offset = perPage, (page-1)*perPage
	if v.Essays, v.Total, err = s.store.Essays(r.Context(), f); err != nil {
		return err
	}
	if v.Pager, err = newPager(r.URL.Path, r.URL.Query(), page, v.Total); err != nil {
		return err
	}
	if v.Total == 0 {
		if v.Subjects, err = s.store.Subjects(r.Context()); err != nil {
			return err
		}
	}
	title := v.Heading
	if page > 1 {
		title += " — page " + formatInt(page)
	}
	p := s.newPage(r, title)
	p.Prev, p.Next = v.Pager.Prev, v.Pager.Next
	p.Data = v
	return s.render(w, "list", p)
}

// searchView is the data of the search template.
type searchView struct {
	Query    string
	Subject  string
	Length   string
	Results  []ibid.SearchResult
	Total    int
	Pager    *pager
	Subjects []ibid.Count
	Bands    []lengthBand
	Filtered bool // a subject or length filter is on
	Words    int  // words in the query, to suggest fewer
	Searched bool // false shows the empty state
	Clear    string
}

func (s *Server) search(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	q := r.URL.Query()
	v := &searchView{
		Query:   strings.TrimSpace(q.Get("q")),
		Subject: q.Get("subject"),
		Length:  q.Get("length"),
		Bands:   lengthBands,
	}
	if len(v.Query) > maxQueryLen {
		return ibid.Errorf(ibid.ETOOLARGE, "The search is too long: use at most %d characters.", maxQueryLen)
	}
	band, hasBand, err := findBand(v.Length)
	if err != nil {
		return err
	}
	page, err := parsePage(r)
	if err != nil {
		return err
	}
	if v.Subjects, err = s.store.Subjects(ctx); err != nil {
		return err
	}
	v.Subjects = withSlugs(v.Subjects)
	v.Filtered = v.Subject != "" || hasBand
	title := "Search"
	if v.Query != "" {
		v.Searched = true
		v.Words = len(text.Tokens(v.Query))
		sq := ibid.SearchQuery{Query: v.Query, Subject: v.Subject, Limit: perPage, Offset: (page - 1) * perPage}
		if hasBand {
			sq.MinWords, sq.MaxWords = band.words(s.cfg.WordsPerPage)
		}
		if err := s.searches.search(w, r, func(ctx context.Context) (err error) {
			v.Results, v.Total, err = s.store.Search(ctx, sq)
			return err
		}); err != nil {
			return err
		}
		if v.Pager, err = newPager("/search", q, page, v.Total); err != nil {
			return err
		}
		v.Clear = "/search?q=" + url.QueryEscape(v.Query)
		title = "Search: " + v.Query
	}
	p := s.newPage(r, title)
	p.Query = v.Query
	p.OwnSearch = true
	p.NoIndex = true
	if v.Pager != nil {
		p.Prev, p.Next = v.Pager.Prev, v.Pager.Next
	}
	p.Data = v
	return s.render(w, "search", p)
}
