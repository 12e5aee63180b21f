package web

import (
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ibid-dev/ibid"
	"github.com/ibid-dev/ibid/sqlite"
	"golang.org/x/net/html"
)

func TestPages(t *testing.T) {
	s, logs := newServer(t, Config{SiteName: "Test Library", BaseURL: "http://example.test/"})
	tests := []struct {
		name    string
		path    string
		status  int
		want    []string
		notWant []string
	}{
		{"home", "/", 200, []string{
			"<title>Test Library</title>", `id="q"`, `action="/search"`, "Subjects", `href="/subjects/history"`,
			`href="/subjects/biology">Biology <span class="count">25</span>`, "Newest essays",
			`href="/essays?length=1-2"`, `href="/essays?length=10&#43;"`, "6–10 pages",
		}, []string{`id="site-q"`}}, // the home page's own search box replaces the header's
		{"essay", "/essays/" + longSlug, 200, []string{
			"<title>Soviet Foreign Policy, 1917–1941 — Test Library</title>",
			`<link rel="canonical" href="http://example.test/essays/` + longSlug + `">`,
			`<nav class="crumbs" aria-label="Breadcrumb">`,
			`<li><a href="/subjects/history">History</a></li><li><a href="/topics/soviet-union">Soviet Union</a></li>`,
			"3,836 words · 8 pages · 16 min read · Published <time datetime=\"2020-09-17\">17 Sep 2020</time>",
			`<p class="meta" title="Pages are estimated at 500 words a page; a download has as many as its layout takes.">3,836 words`,
			`href="/topics/diplomacy"`,
			`<h2 id="introduction">Introduction</h2>`, `<h3 id="1917-1921-brest-litovsk-and-intervention">`,
			`<h4 id="a-note-on-sources">`, `<ul>`, `<ol>`, `<blockquote>`,
			`<section id="cite"`, `href="#cite"`, `href="/check"`, "Check a text against this library",
			"This essay is public. If you use it, cite it — copying is detectable.",
			`<details class="toc toc-inline">`, `<aside class="toc-side"`,
			// Whole sentences from the paragraphs, up to 300 characters:
			// the third (113 more) would make 302.
			`<meta name="description" content="When the Bolsheviks took power in 1917, they doubted that a revolutionary state would need diplomacy at all. The Treaty of Brest-Litovsk bought time at a terrible price in land and people.">`,
			`<meta name="keywords" content="Soviet Union, Diplomacy">`,
			`<span class="Z3988" title="ctx_ver=Z39.88-2004&amp;rft.date=2020-09-17&amp;rft.description=When&#43;the&#43;Bolsheviks`,
			`&amp;rft.source=Test&#43;Library&amp;rft.subject=Soviet&#43;Union&amp;rft.subject=Diplomacy&amp;rft.title=Soviet&#43;Foreign&#43;Policy%2C&#43;1917%E2%80%931941&amp;rft.type=webpage&amp;rft_val_fmt=info%3Aofi%2Ffmt%3Akev%3Amtx%3Adc"`,
			`<p class="print-url">http://example.test/essays/` + longSlug + `</p>`,
			"Related essays", `<a href="/essays/the-congress-of-vienna">The Congress of Vienna</a>`,
		}, []string{"Download PDF", "Download as…"}},
		{"essay without date", "/essays/the-congress-of-vienna", 200, []string{"17 words · 1 page · 1 min read</p>"}, []string{"Published"}},
		{"essay with markup", "/essays/" + scriptSlug, 200, []string{
			"&lt;script&gt;alert(&#34;xss&#34;)&lt;/script&gt; tags &amp; &#34;quotes&#34;",
		}, []string{`<script>alert`, "Contents"}}, // one heading: no contents
		{"subjects", "/subjects", 200, []string{`href="/subjects/computing"`, `href="/topics/bees"`}, nil},
		{"subject", "/subjects/history", 200, []string{"<h1><span class=\"kicker\">Subject</span> History</h1>", "2 essays",
			`href="/topics/soviet-union"`, `href="/essays/` + longSlug + `"`}, []string{"Pollination"}},
		{"subject page 1", "/subjects/biology", 200, []string{"25 essays · page 1 of 2", `<link rel="next" href="/subjects/biology?page=2">`,
			`<a rel="next" href="/subjects/biology?page=2">`, `aria-current="page" aria-label="Page 1"`}, []string{`rel="prev"`}},
		{"subject page 2", "/subjects/biology?page=2", 200, []string{"page 2 of 2", `<link rel="prev" href="/subjects/biology">`,
			"Pollination note 00"}, []string{`rel="next"`, "Pollination note 24"}},
		{"subject page past the end", "/subjects/biology?page=3", 404, []string{"There is no page 3"}, nil},
		{"bad page", "/subjects/biology?page=zero", 400, []string{"positive whole number"}, nil},
		{"unknown subject", "/subjects/alchemy", 404, []string{"Page not found", "no subject"}, nil},
		{"topic", "/topics/soviet-union", 200, []string{"<span class=\"kicker\">Topic</span> Soviet Union", longSlug}, nil},
		{"unknown topic", "/topics/nothing", 404, nil, nil},
		{"all essays", "/essays", 200, []string{"28 essays", `aria-current="page">Any length`}, nil},
		{"length 6-10", "/essays?length=6-10", 200, []string{"1 essay", longSlug, `href="/essays?length=6-10" aria-current="page"`}, []string{"Pollination"}},
		{"length 1-2", "/essays?length=1-2", 200, []string{"27 essays", "Pollination note 24"}, []string{"/essays/" + longSlug + `"`}},
		{"length 1-2 page 2", "/essays?length=1-2&page=2", 200, []string{"The Congress of Vienna", `<link rel="prev" href="/essays?length=1-2">`}, nil},
		{"length 10+", "/essays?length=10%2B", 200, []string{"No essays here yet", `href="/subjects/biology"`}, nil},
		{"length 10+ typed by hand", "/essays?length=10+", 200, []string{`href="/essays?length=10&#43;" aria-current="page"`}, nil},
		{"bad length", "/essays?length=huge", 400, []string{"Unknown length"}, nil},
		{"search empty state", "/search", 200, []string{"What you can search", `href="/subjects/history"`, "<select id=\"subject\""}, nil},
		{"search", "/search?q=rapallo", 200, []string{"1 essay matches “rapallo”", `href="/essays/` + longSlug + `"`,
			"<mark>Rapallo</mark>", "3,836 words · 8 pages"}, []string{"No essays match"}},
		{"search with filters", "/search?q=rapallo&subject=History&length=6-10", 200, []string{
			`<option value="History" selected>`, `<option value="6-10" selected>`, "1 essay matches"}, nil},
		{"search no result", "/search?q=rapallo+pollen&subject=Biology", 200, []string{"No essays match “rapallo pollen”",
			"Try fewer words", `href="/search?q=rapallo&#43;pollen"`, `href="/subjects/biology"`}, nil},
		{"search bad length", "/search?q=x&length=9", 400, nil, nil},
		{"search too long", "/search?q=" + strings.Repeat("a", 600), 413, []string{"too long"}, nil},
		{"unknown essay", "/essays/no-such-essay", 404, []string{"Page not found", "There is no such essay."}, nil},
		{"unknown format", "/essays/" + longSlug + ".pdf", 404, []string{"not available in that format"}, nil},
		{"unknown route", "/wp-admin.php", 404, []string{"Page not found", `id="site-q"`, "There is no page at this address."}, nil},
		{"unknown static", "/static/nope.css", 404, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := get(t, s, tt.path)
			if r.Code != tt.status {
				t.Fatalf("GET %s: status %d, want %d\n%s", tt.path, r.Code, tt.status, r.Body)
			}
			if ct := r.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
				t.Errorf("Content-Type %q", ct)
			}
			for _, w := range tt.want {
				if !strings.Contains(r.Body, w) {
					t.Errorf("GET %s: body lacks %q", tt.path, w)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(r.Body, w) {
					t.Errorf("GET %s: body has %q", tt.path, w)
				}
			}
			checkHTML(t, tt.path, r.Body)
		})
	}
	if logs.Len() > 0 {
		t.Errorf("client errors were logged:\n%s", logs)
	}
}

// checkHTML parses a page and checks what every page must honour: element
// ids are unique, scripts come from files (the CSP forbids inline code), no
// inline styles, exactly one main landmark and one h1.
func checkHTML(t *testing.T, path, body string) {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	ids := map[string]bool{}
	counts := map[string]int{}
	for n := range doc.Descendants() {
		if n.Type != html.ElementNode {
			continue
		}
		counts[n.Data]++
		if id := attr(n, "id"); id != "" {
			if ids[id] {
				t.Errorf("%s: duplicate id %q", path, id)
			}
			ids[id] = true
		}
		if attr(n, "style") != "" {
			t.Errorf("%s: inline style on <%s>", path, n.Data)
		}
		if n.Data == "script" && attr(n, "type") == "application/ld+json" {
			// A data block: browsers never run it, but it must be JSON.
			if n.FirstChild == nil || !json.Valid([]byte(n.FirstChild.Data)) {
				t.Errorf("%s: JSON-LD block is not JSON: %v", path, n.FirstChild)
			}
			continue
		}
		if n.Data == "script" && (attr(n, "src") == "" || n.FirstChild != nil) {
			t.Errorf("%s: inline script", path)
		}
	}
	if counts["main"] != 1 || counts["h1"] != 1 {
		t.Errorf("%s: %d <main>, %d <h1>; want one each", path, counts["main"], counts["h1"])
	}
}

func attr(n *html.Node, name string) string {
	for _, a := range n.Attr {
		if a.Key == name {
			return a.Val
		}
	}
	return ""
}

func TestTOCAnchorsMatchHeadingIDs(t *testing.T) {
	s, _ := newServer(t, Config{})
	r := get(t, s, "/essays/"+longSlug)
	doc, err := html.Parse(strings.NewReader(r.Body))
	if err != nil {
		t.Fatal(err)
	}
	headings := map[string]string{} // id -> text
	var order []string
	var tocs [][]string // the hrefs of each table of contents
	for n := range doc.Descendants() {
		if n.Type != html.ElementNode {
			continue
		}
		switch n.Data {
		case "h2", "h3", "h4":
			if id := attr(n, "id"); id != "" && hasAncestorClass(n, "essay-body") {
				headings[id] = textOf(n)
				order = append(order, id)
			}
		case "details", "nav":
			if hasClass(n, "toc") {
				var hrefs []string
				for a := range n.Descendants() {
					if a.Type == html.ElementNode && a.Data == "a" {
						hrefs = append(hrefs, attr(a, "href"))
					}
				}
				tocs = append(tocs, hrefs)
			}
		}
	}
	wantIDs := []string{"introduction", "revolution-and-survival", "1917-1921-brest-litovsk-and-intervention",
		"1922-1927-rapallo-and-recognition", "a-note-on-sources", "cite-2", "conclusion", "conclusion-2"}
	if strings.Join(order, " ") != strings.Join(wantIDs, " ") {
		t.Errorf("heading ids\n got %v\nwant %v", order, wantIDs)
	}
	if len(tocs) != 2 {
		t.Fatalf("found %d tables of contents, want 2 (side column and disclosure)", len(tocs))
	}
	for _, hrefs := range tocs {
		// Level-3 headings stay out of the contents; the rest are in
		// document order.
		var want []string
		for _, id := range wantIDs {
			if id != "a-note-on-sources" {
				want = append(want, "#"+id)
			}
		}
		if strings.Join(hrefs, " ") != strings.Join(want, " ") {
			t.Errorf("contents links\n got %v\nwant %v", hrefs, want)
		}
		for _, h := range hrefs {
			if _, ok := headings[strings.TrimPrefix(h, "#")]; !ok {
				t.Errorf("contents link %s has no heading", h)
			}
		}
	}
}

func hasClass(n *html.Node, class string) bool {
	for _, c := range strings.Fields(attr(n, "class")) {
		if c == class {
			return true
		}
	}
	return false
}

func hasAncestorClass(n *html.Node, class string) bool {
	for p := n.Parent; p != nil; p = p.Parent {
		if hasClass(p, class) {
			return true
		}
	}
	return false
}

func textOf(n *html.Node) string {
	var b strings.Builder
	for c := range n.Descendants() {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
		}
	}
	return b.String()
}

func TestLayoutBlocks(t *testing.T) {
	tests := []struct {
		name    string
		levels  []int // heading levels, texts "H0", "H1", …
		wantTOC string
	}{
		{"too few headings", []int{1, 1}, ""},
		{"flat", []int{1, 1, 1}, "h0 h1 h2"},
		{"nested", []int{1, 2, 2, 1, 2}, "h0(h1 h2) h3(h4)"},
		{"starts deep", []int{2, 1, 2}, "h0 h1(h2)"},
		{"only sub-sections", []int{2, 2, 3}, "h0 h1(h2)"},
		{"deepest left out", []int{1, 2, 3, 1}, "h0(h1) h3"},
		{"levels clamped", []int{0, 7, 9}, "h0(h1 h2)"}, // 0→1; 7, 9→3
		{"skipped level", []int{1, 3, 3, 1}, "h0(h1 h2) h3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var blocks []ibid.Block
			for i, l := range tt.levels {
				blocks = append(blocks, ibid.Block{Type: ibid.Heading, Level: l, Text: "H" + string(rune('0'+i))},
					ibid.Block{Type: ibid.Paragraph, Text: "Some text."})
			}
			_, toc := layoutBlocks(blocks)
			if got := tocString(toc); got != tt.wantTOC {
				t.Errorf("toc %q, want %q", got, tt.wantTOC)
			}
		})
	}
}

func tocString(toc []tocEntry) string {
	var parts []string
	for _, e := range toc {
		s := e.ID
		if len(e.Children) > 0 {
			s += "(" + tocString(e.Children) + ")"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " ")
}

func TestSecurityAndCacheHeaders(t *testing.T) {
	s, _ := newServer(t, Config{})
	r := get(t, s, "/")
	csp := r.Header.Get("Content-Security-Policy")
	if csp == "" || strings.Contains(csp, "unsafe-inline") || !strings.Contains(csp, "script-src 'self'") {
		t.Errorf("CSP %q", csp)
	}
	if r.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Error("no nosniff")
	}
	// The page links fingerprinted assets; they are served for a year.
	for _, name := range []string{"style.css", "ibid.js"} {
		u, err := s.static.url(name)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(r.Body, `"`+u+`"`) {
			t.Errorf("home page does not link %s", u)
		}
		a := get(t, s, u)
		if a.Code != http.StatusOK || !strings.Contains(a.Header.Get("Cache-Control"), "immutable") {
			t.Errorf("GET %s: %d, Cache-Control %q", u, a.Code, a.Header.Get("Cache-Control"))
		}
		plain := get(t, s, "/static/"+name)
		if plain.Code != http.StatusOK || plain.Body != a.Body || strings.Contains(plain.Header.Get("Cache-Control"), "immutable") {
			t.Errorf("GET /static/%s: %d, Cache-Control %q", name, plain.Code, plain.Header.Get("Cache-Control"))
		}
	}
	if ct := get(t, s, "/static/style.css").Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/css") {
		t.Errorf("style.css Content-Type %q", ct)
	}
}

func TestEmptyLibrary(t *testing.T) {
	db, err := sqlite.Open(filepath.Join(t.TempDir(), "empty.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s, err := New(db, Config{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path, want string
	}{
		{"/", "The library is empty"},
		{"/subjects", "No subjects yet"},
		{"/essays", "The library is empty: add essays with"},
		{"/search", "What you can search"},
		{"/search?q=anything", "No essays match “anything”"},
	}
	for _, tt := range tests {
		r := get(t, s, tt.path)
		if r.Code != 200 || !strings.Contains(r.Body, tt.want) {
			t.Errorf("GET %s: status %d, want 200 and %q", tt.path, r.Code, tt.want)
		}
		checkHTML(t, tt.path, r.Body)
	}
	if r := get(t, s, "/api/essays"); r.Code != 200 || !strings.Contains(r.Body, `"essays": []`) {
		t.Errorf("/api/essays on an empty library: %d %s", r.Code, r.Body)
	}
}
