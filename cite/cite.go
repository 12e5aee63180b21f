// Package cite turns a library essay into a citable item and renders it in
// citation styles: the CSL-JSON item of the essay (a web page on the site),
// its reference-list entry and in-text citation in any style of a
// styles.Set, and the BibTeX, RIS and CSL-JSON downloads.
//
// The package is pure: it reads no files and asks a clock only for the
// accessed date of the cite box.
package cite

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/ibid-dev/ibid"
	"github.com/ibid-dev/ibid/csl"
	"github.com/ibid-dev/ibid/csl/styles"
	"github.com/ibid-dev/ibid/text"
)

// Options describe the site that publishes the essays.
type Options struct {
	// SiteName is the container title of every essay
	// (ibid.DefaultSiteName when empty).
	SiteName string
	// BaseURL is the public address of the site; an essay's URL is
	// BaseURL + "/essays/" + slug. Empty leaves the URL out.
	BaseURL string
	// Now gives today's date for the accessed date; nil means time.Now.
	Now func() time.Time
	// Locale renders every style in this language ("en-GB"); empty uses
	// each style's default locale.
	Locale string
}

func (o Options) siteName() string {
	if o.SiteName == "" {
		return ibid.DefaultSiteName
	}
	return o.SiteName
}

// URL returns the public address of e, or "" without a BaseURL.
func (o Options) URL(e *ibid.Essay) string {
	base := strings.TrimRight(o.BaseURL, "/")
	if base == "" {
		return ""
	}
	return base + "/essays/" + essaySlug(e)
}

func essaySlug(e *ibid.Essay) string {
	if e.Slug != "" {
		return e.Slug
	}
	if s := text.Slugify(e.Title); s != "" {
		return s
	}
	return "essay"
}

// Name is a person's name as CSL-JSON writes it.
type Name struct {
	Family  string `json:"family,omitempty"`
	Given   string `json:"given,omitempty"`
	Suffix  string `json:"suffix,omitempty"`
	Literal string `json:"literal,omitempty"`
}

// unknownAuthors are author fields that mean "nobody is named"; citing them
// as a person would print "Anonymous, A.".
var unknownAuthors = map[string]bool{
	"": true, "anonymous": true, "anon": true, "anon.": true, "unknown": true, "n/a": true, "none": true,
}

// suffixes are name suffixes that follow the family name.
var suffixes = map[string]bool{
	"jr": true, "jr.": true, "sr": true, "sr.": true, "ii": true, "iii": true, "iv": true,
}

// Authors splits an essay's author field into names. Several authors are
// separated by ";", " and " or " & "; each is "Given Family" (the last word
// is the family name, lowercase particles before it such as "van" stay with
// it for the CSL processor to recognise) or "Family, Given". A single word
// is a family name. An empty or anonymous field gives no names.
func Authors(field string) []Name {
	field = strings.Join(strings.Fields(field), " ")
	if unknownAuthors[strings.ToLower(field)] {
		return nil
	}
	var parts []string
	for _, p := range strings.Split(field, ";") {
		for _, q := range splitAny(p, " and ", " & ") {
			if q = strings.TrimSpace(q); q != "" {
				parts = append(parts, q)
			}
		}
	}
	var out []Name
	for _, p := range parts {
		if unknownAuthors[strings.ToLower(p)] {
			continue
		}
		n := splitName(p)
		if n.Family == "" {
			// ", Jane": a lone given name is all we have to file it under.
			n.Family, n.Given = n.Given, ""
		}
		if n.Family == "" {
			continue
		}
		out = append(out, n)
	}
	return out
}

func splitAny(s string, seps ...string) []string {
	out := []string{s}
	for _, sep := range seps {
		var next []string
		for _, p := range out {
			next = append(next, strings.Split(p, sep)...)
		}
		out = next
	}
	return out
}

// splitName reads one person's name.
func splitName(s string) Name {
	if fam, given, ok := strings.Cut(s, ","); ok {
		given = strings.TrimSpace(given)
		// "King, Jr., Martin Luther" and "Martin Luther King, Jr." both occur.
		if suffixes[strings.ToLower(given)] {
			n := splitName(strings.TrimSpace(fam))
			n.Suffix = given
			return n
		}
		if g, suf, ok := strings.Cut(given, ","); ok && suffixes[strings.ToLower(strings.TrimSpace(suf))] {
			return Name{Family: strings.TrimSpace(fam), Given: strings.TrimSpace(g), Suffix: strings.TrimSpace(suf)}
		}
		return Name{Family: strings.TrimSpace(fam), Given: given}
	}
	words := strings.Fields(s)
	var suffix string
	if len(words) > 2 && suffixes[strings.ToLower(words[len(words)-1])] {
		suffix = words[len(words)-1]
		words = words[:len(words)-1]
	}
	switch len(words) {
	case 0:
		return Name{Suffix: suffix}
	case 1:
		return Name{Family: words[0], Suffix: suffix}
	}
	// The family name starts at the first lowercase particle after the
	// first word ("Ludwig van Beethoven"), else it is the last word.
	start := len(words) - 1
	for i := 1; i < len(words)-1; i++ {
		if isParticle(words[i]) {
			start = i
			break
		}
	}
	return Name{Given: strings.Join(words[:start], " "), Family: strings.Join(words[start:], " "), Suffix: suffix}
}

func isParticle(w string) bool {
	for _, r := range w {
		return r >= 'a' && r <= 'z'
	}
	return false
}

// Item returns the CSL-JSON item of e: a web page titled with the essay's
// title, in the site as its container, with its authors when known, the
// published date as issued, the essay's URL and, when accessed is true,
// today's date as accessed. Its id is the essay's slug.
func Item(e *ibid.Essay, opt Options, accessed bool) map[string]any {
	it := map[string]any{
		"id":              essaySlug(e),
		"type":            "webpage",
		"title":           e.Title,
		"container-title": opt.siteName(),
	}
	if names := Authors(e.Author); len(names) > 0 {
		it["author"] = names
	}
	if !e.Published.IsZero() {
		it["issued"] = dateParts(e.Published)
	}
	if u := opt.URL(e); u != "" {
		it["URL"] = u
	}
	if accessed {
		now := time.Now
		if opt.Now != nil {
			now = opt.Now
		}
		it["accessed"] = dateParts(now())
	}
	return it
}

func dateParts(t time.Time) map[string]any {
	return map[string]any{"date-parts": [][]int{{t.Year(), int(t.Month()), t.Day()}}}
}

// CSLItem returns the item of e, with today's accessed date, in the CSL
// processor's form. It goes through JSON so that the processor's own
// reading of names and dates applies.
func CSLItem(e *ibid.Essay, opt Options) (csl.Item, error) {
	data, err := json.Marshal([]any{Item(e, opt, true)})
	if err != nil {
		return csl.Item{}, err
	}
	items, err := csl.ParseItems(data)
	if err != nil {
		return csl.Item{}, fmt.Errorf("cite: the essay as an item: %w", err)
	}
	return items[0], nil
}

// Rendering is an essay rendered in one style.
type Rendering struct {
	Style string // the style's name in the set: "apa"
	Label string // a short label for a tab: "APA", "Chicago (notes)"
	Title string // the style's full title
	// Note is true for note styles, whose citation goes in a footnote
	// rather than in the running text.
	Note   bool
	Entry  csl.Entry // the reference-list entry
	InText csl.Entry // the in-text citation, or the note for note styles
}

// labels are the short names of the built-in styles.
var labels = map[string]string{
	"apa": "APA", "mla": "MLA", "harvard": "Harvard", "vancouver": "Vancouver",
	"chicago-author-date": "Chicago (author-date)", "chicago-notes-bibliography": "Chicago (notes)", "ieee": "IEEE",
}

// Citer renders essays in the styles of a set. It is safe for concurrent use.
type Citer struct {
	set   *styles.Set
	opt   Options
	order []styles.StyleInfo // the set's styles in the order of Styles
}

// New returns a Citer for the styles of set (styles.NewSet when nil).
func New(set *styles.Set, opt Options) (*Citer, error) {
	if set == nil {
		var err error
		if set, err = styles.NewSet(); err != nil {
			return nil, err
		}
	}
	// The set does not change once loaded, so its order is worked out
	// once rather than on every page view.
	return &Citer{set: set, opt: opt, order: order(set.List())}, nil
}

// preferred is the order users expect the common styles in, by name. It
// holds also when a loaded file of the same name replaces a built-in style
// (styles.Set.List then counts it among the loaded ones).
var preferred = []string{"apa", "mla", "harvard", "vancouver", "chicago-author-date", "chicago-notes-bibliography", "ieee"}

// Styles lists the set's styles: the common ones in the order users expect
// (APA, MLA, Harvard, Vancouver, Chicago author-date, Chicago notes, IEEE),
// then the others in the set's order.
func (c *Citer) Styles() []styles.StyleInfo { return append([]styles.StyleInfo(nil), c.order...) }

func order(list []styles.StyleInfo) []styles.StyleInfo {
	rank := make(map[string]int, len(preferred))
	for i, n := range preferred {
		rank[n] = i
	}
	out := make([]styles.StyleInfo, 0, len(list))
	for _, n := range preferred {
		for _, s := range list {
			if s.Name == n {
				out = append(out, s)
			}
		}
	}
	for _, s := range list {
		if _, ok := rank[s.Name]; !ok {
			out = append(out, s)
		}
	}
	return out
}

// Cite renders e in the named style (a name or id the set knows).
func (c *Citer) Cite(e *ibid.Essay, style string) (Rendering, error) {
	it, err := CSLItem(e, c.opt)
	if err != nil {
		return Rendering{}, err
	}
	return c.cite(it, style)
}

func (c *Citer) cite(it csl.Item, style string) (Rendering, error) {
	st, err := c.set.Style(style)
	if err != nil {
		return Rendering{}, err
	}
	p, err := st.NewProcessor([]csl.Item{it}, csl.Options{Locale: c.opt.Locale, Locales: c.set.Locales()})
	if err != nil {
		return Rendering{}, err
	}
	r := Rendering{Style: style, Label: labels[style], Title: st.Title, Note: st.Class == "note"}
	if r.Label == "" {
		r.Label = st.Title
	}
	if r.Label == "" {
		r.Label = style
	}
	bib, err := p.Bibliography()
	if err != nil {
		return Rendering{}, err
	}
	if len(bib) > 0 {
		r.Entry = bib[0]
	}
	if r.InText, err = p.Citation([]csl.Cite{{ID: it.ID}}); err != nil {
		return Rendering{}, err
	}
	return r, nil
}

// All renders e in every style of the set, in the order of Styles. A style
// that fails (a loaded dependent style whose parent is missing) is left
// out; its error is returned with the others joined, after the renderings
// that worked.
func (c *Citer) All(e *ibid.Essay) ([]Rendering, error) {
	it, err := CSLItem(e, c.opt)
	if err != nil {
		return nil, err
	}
	var out []Rendering
	var errs []string
	for _, s := range c.order {
		r, err := c.cite(it, s.Name)
		if err != nil {
			errs = append(errs, s.Name+": "+err.Error())
			continue
		}
		out = append(out, r)
	}
	if len(errs) > 0 {
		return out, fmt.Errorf("cite: %s", strings.Join(errs, "; "))
	}
	return out, nil
}
