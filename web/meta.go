package web

import (
	"net/url"
	"strings"

	"github.com/ibid-dev/ibid"
	"github.com/ibid-dev/ibid/cite"
)

// essayHead is the metadata an essay page carries in its head, so that
// Zotero's connector saves the essay as a web page with its title, author,
// date and site (Open Graph, Dublin Core, meta author) and search engines
// read it (schema.org JSON-LD). Highwire citation_* tags are left out on
// purpose: a citation_title makes Zotero take the page for a journal
// article and drop the site name.
type essayHead struct {
	URL       string   // absolute; empty without Config.BaseURL
	Authors   []string // one per person, as the author field names them
	Published string   // ISO 8601 date; empty when unknown
	Keywords  string   // the topics, comma-separated, for <meta name="keywords">
	COinS     string   // the title of a span.Z3988: the essay as an OpenURL ContextObject
	LD        map[string]any
}

func (s *Server) essayHead(e *ibid.Essay, canonical string) essayHead {
	h := essayHead{URL: canonical, Authors: splitAuthors(e.Author), Keywords: strings.Join(e.Topics, ", ")}
	if !e.Published.IsZero() {
		h.Published = e.Published.Format("2006-01-02")
	}
	ld := map[string]any{
		"@context":  "https://schema.org",
		"@type":     "Article",
		"headline":  e.Title,
		"publisher": map[string]any{"@type": "Organization", "name": s.cfg.SiteName},
	}
	if e.Subject != "" {
		ld["articleSection"] = e.Subject
	}
	if len(e.Topics) > 0 {
		ld["keywords"] = strings.Join(e.Topics, ", ")
	}
	if h.Published != "" {
		ld["datePublished"] = h.Published
	}
	if canonical != "" {
		ld["url"] = canonical
		ld["mainEntityOfPage"] = canonical
	}
	if e.Words > 0 {
		ld["wordCount"] = e.Words
	}
	var authors []any
	for _, a := range h.Authors {
		authors = append(authors, map[string]any{"@type": "Person", "name": a})
	}
	if len(authors) > 0 {
		ld["author"] = authors
	}
	h.LD = ld
	h.COinS = coins(e, s.cfg.SiteName, canonical)
	return h
}

// coins returns the essay as a Dublin Core OpenURL ContextObject, for a
// COinS span on its page. Zotero's connector reads the page with its COinS
// translator before the meta tags, and only that translator brings the
// essay's topics as tags (rft.subject): the Embedded Metadata translator
// drops the keywords it reads from a page ("most of the time they are not
// right"). Authors go as "Family, Given", the form it splits surely.
func coins(e *ibid.Essay, site, canonical string) string {
	q := url.Values{}
	q.Set("ctx_ver", "Z39.88-2004")
	q.Set("rft_val_fmt", "info:ofi/fmt:kev:mtx:dc")
	q.Set("rft.type", "webpage")
	q.Set("rft.title", e.Title)
	q.Set("rft.source", site)
	for _, n := range cite.Authors(e.Author) {
		name := n.Family
		if n.Given != "" {
			name += ", " + n.Given
		}
		q.Add("rft.creator", name)
	}
	if !e.Published.IsZero() {
		q.Set("rft.date", e.Published.Format("2006-01-02"))
	}
	if canonical != "" {
		q.Set("rft.identifier", canonical)
	}
	if a := cite.Abstract(e, cite.AbstractLimit); a != "" {
		q.Set("rft.description", a)
	}
	for _, t := range e.Topics {
		q.Add("rft.subject", t)
	}
	q.Set("rft.language", "en")
	return q.Encode()
}

// splitAuthors splits an author field naming several people ("A and B",
// "A; B", "A & B"). Names written "Family, Given" stay whole; a field that
// says nobody is named gives none.
func splitAuthors(field string) []string {
	field = strings.Join(strings.Fields(field), " ")
	switch strings.ToLower(field) {
	case "", "anonymous", "anon", "anon.", "unknown":
		return nil
	}
	var out []string
	for _, p := range strings.Split(field, ";") {
		for _, q := range strings.Split(strings.ReplaceAll(p, " & ", " and "), " and ") {
			if q = strings.TrimSpace(q); q != "" {
				out = append(out, q)
			}
		}
	}
	return out
}
