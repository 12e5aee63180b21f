package web

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/ibid-dev/ibid"
)

func TestCiteHTML(t *testing.T) {
	tests := []struct {
		name, in, text, want string
	}{
		{"italics", "Doe. <i>Title</i>. Site.", "", "Doe. <i>Title</i>. Site."},
		{"entities stay escaped", "A &amp; B &lt;i&gt; <b>C</b>", "", "A &amp; B &lt;i&gt; <b>C</b>"},
		{"display divs become spans", `<div class="csl-left-margin">[1]</div><div class="csl-right-inline">J. Doe</div>`, "",
			`<span class="csl-left-margin">[1]</span><span class="csl-right-inline">J. Doe</span>`},
		{"inline styles become classes", `<span style="font-variant:small-caps;">Doe</span> <span style="baseline">x</span>`, "",
			`<span class="sc">Doe</span> <span>x</span>`},
		{"scripts and their code go", `a<script>alert(1)</script>b<style>*{}</style>c`, "", "abc"},
		{"attributes go", `<i onclick="x()" class="evil">t</i><a href="javascript:x()">link</a>`, "", "<i>t</i>link"},
		{"unclosed tags are closed", "<i>open <b>bold", "", "<i>open <b>bold</b></i>"},
		{"stray end tags are dropped", "a</i></b>b<i>c</b>d</i>", "", "ab<i>cd</i>"},
		{"no HTML falls back to text", "", "A <b> & B", "A &lt;b&gt; &amp; B"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(citeHTML(tt.in, tt.text)); got != tt.want {
				t.Errorf("citeHTML(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}

// fakeCiter cites every essay in two styles, the second with markup that
// must not survive.
func fakeCiter(ctx context.Context, e *ibid.Essay) ([]Citation, error) {
	return []Citation{
		{Style: "apa", Label: "APA", Title: "American Psychological Association 7th edition",
			Text: "Doe. " + e.Title + ".", HTML: "Doe. <i>" + html.EscapeString(e.Title) + "</i>.",
			InText: "(Doe)", InTextHTML: "(Doe)"},
		{Style: "evil", Label: "Evil <style>", Title: "Evil",
			Text: `"quoted" <b>`, HTML: `<img src=x onerror="alert(1)"><i>ok</i>`, InText: "(x)", Note: true},
	}, nil
}

func TestCiteBox(t *testing.T) {
	bib := &countingExporter{ext: "bib", label: "BibTeX", ctype: "application/x-bibtex"}
	ris := &countingExporter{ext: "ris", label: "RIS", ctype: "application/x-research-info-systems"}
	txt := &countingExporter{ext: "txt", label: "Plain text", ctype: "text/plain"}
	s, logs := newServer(t, Config{Citer: fakeCiter, Exporters: []ibid.Exporter{txt, bib, ris}})
	page := get(t, s, "/essays/"+longSlug).Body
	checkHTML(t, "essay with cite box", page)
	for _, w := range []string{
		`<div class="cite-box" id="cite-box">`,
		`<section class="cite-style" id="cite_0" aria-labelledby="cite_0_h" data-label="APA">`,
		`data-text="Doe. Soviet Foreign Policy, 1917–1941.">Doe. <i>Soviet Foreign Policy, 1917–1941</i>.</div>`,
		`<button type="button" class="btn cite-copy" data-copy="cite_0_ref"`,
		`data-copy="cite_0_in"`, "In-text citation",
		// The second style is a note style, and its markup is gone.
		`data-label="Evil &lt;style&gt;"`, `data-text="&#34;quoted&#34; &lt;b&gt;"><i>ok</i></div>`, `<p class="cite-kind" id="cite_1_ik">Note</p>`,
		// Citation downloads sit under the cite box.
		`<p class="cite-links">Add to your reference manager: <a href="/essays/` + longSlug + `.bib" download>BibTeX</a> <a href="/essays/` + longSlug + `.ris" download>RIS</a></p>`,
	} {
		if !strings.Contains(page, w) {
			t.Errorf("essay page lacks %q", w)
		}
	}
	for _, bad := range []string{"<img", "onerror", `class="cite-facts"`, `<li><a href="/essays/` + longSlug + `.bib"`} {
		if strings.Contains(page, bad) {
			t.Errorf("essay page has %q", bad)
		}
	}
	if logs.Len() > 0 {
		t.Errorf("logged:\n%s", logs)
	}

	// Without a Citer the box lists the facts to cite.
	plain, _ := newServer(t, Config{})
	if page := get(t, plain, "/essays/"+longSlug).Body; !strings.Contains(page, `class="cite-facts"`) || strings.Contains(page, "cite-box") {
		t.Errorf("essay page without a Citer has no list of facts or has a cite box")
	}

	// A failing Citer still shows what it rendered, and is logged.
	failing := func(ctx context.Context, e *ibid.Essay) ([]Citation, error) {
		cs, _ := fakeCiter(ctx, e)
		return cs[:1], errors.New("style x: parent missing")
	}
	s, logs = newServer(t, Config{Citer: failing})
	r := get(t, s, "/essays/"+longSlug)
	if r.Code != 200 || !strings.Contains(r.Body, `data-label="APA"`) || !strings.Contains(logs.String(), "parent missing") {
		t.Errorf("failing citer: status %d, logs %q", r.Code, logs)
	}
}

// TestEssayHeadMetadata checks what Zotero's connector and search engines
// read: Open Graph, Dublin Core, meta author, the canonical link and
// schema.org JSON-LD, and that no Highwire citation_* tag is there.
func TestEssayHeadMetadata(t *testing.T) {
	s, _ := newServer(t, Config{SiteName: "Test Library", BaseURL: "http://example.test"})
	const url = "http://example.test/essays/" + longSlug
	e, err := s.store.Essay(context.Background(), longSlug)
	if err != nil {
		t.Fatal(err)
	}
	e.Author = "Jane Doe and John Smith"
	if err := s.store.UpdateEssay(context.Background(), e); err != nil {
		t.Fatal(err)
	}
	page := get(t, s, "/essays/"+longSlug).Body
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	var ld string
	got := map[string][]string{}
	for n := range doc.Descendants() {
		if n.Type != html.ElementNode {
			continue
		}
		switch n.Data {
		case "meta":
			key := attr(n, "property") + attr(n, "name")
			got[key] = append(got[key], attr(n, "content"))
			if strings.HasPrefix(strings.ToLower(key), "citation_") {
				t.Errorf("Highwire tag %s", key)
			}
		case "link":
			got["link:"+attr(n, "rel")] = append(got["link:"+attr(n, "rel")], attr(n, "href"))
		case "script":
			if attr(n, "type") == "application/ld+json" && n.FirstChild != nil {
				ld = n.FirstChild.Data
			}
		}
	}
	want := map[string][]string{
		"og:type": {"article"}, "og:title": {"Soviet Foreign Policy, 1917–1941"}, "og:site_name": {"Test Library"},
		"og:url": {url}, "article:published_time": {"2020-09-17"}, "article:author": {"Jane Doe", "John Smith"},
		"DC.title": {"Soviet Foreign Policy, 1917–1941"}, "DC.creator": {"Jane Doe", "John Smith"}, "DC.date": {"2020-09-17"},
		"author": {"Jane Doe and John Smith"}, "link:canonical": {url},
	}
	for k, v := range want {
		if strings.Join(got[k], "|") != strings.Join(v, "|") {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	var obj struct {
		Type, Headline, DatePublished string
		Author                        []struct{ Name string }
		Publisher                     struct{ Name string }
	}
	// encoding/json matches keys case-insensitively, "@type" aside.
	if err := json.Unmarshal([]byte(strings.Replace(ld, `"@type":"Article"`, `"type":"Article"`, 1)), &obj); err != nil {
		t.Fatalf("JSON-LD %q: %v", ld, err)
	}
	if obj.Type != "Article" || obj.Headline != e.Title || obj.DatePublished != "2020-09-17" || obj.Publisher.Name != "Test Library" ||
		len(obj.Author) != 2 || obj.Author[0].Name != "Jane Doe" {
		t.Errorf("JSON-LD %s", ld)
	}

	// Markup in the author field cannot close the JSON-LD block.
	m, err := s.store.Essay(context.Background(), scriptSlug)
	if err != nil {
		t.Fatal(err)
	}
	m.Author = `</script><script>alert("x")</script>`
	if err := s.store.UpdateEssay(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	page = get(t, s, "/essays/"+scriptSlug).Body
	const open = `<script type="application/ld+json">`
	_, block, _ := strings.Cut(page, open)
	block, _, _ = strings.Cut(block, "</script>")
	if !strings.Contains(block, "Markup in essays") || !strings.Contains(block, "alert") || strings.Contains(block, "<") {
		t.Errorf("JSON-LD block of the markup essay: %q", block)
	}
}
