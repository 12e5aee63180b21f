package web

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/ibid-dev/ibid"
	"github.com/ibid-dev/ibid/compare"
	"github.com/ibid-dev/ibid/ingest"
	"github.com/ibid-dev/ibid/internal/classset"
	"github.com/ibid-dev/ibid/originality"
	"github.com/ibid-dev/ibid/sqlite"
)

const classSourceSlug = "why-cities-plant-street-trees"

// compareFixture is a server that compares, on a real SQLite library that
// holds the class's source text.
type compareFixture struct {
	srv    *Server
	st     ibid.Store
	class  classset.Class
	files  map[string][]byte // the class as uploads
	editor *http.Cookie
	token  string
	logs   *bytes.Buffer
}

func newCompareFixture(t testing.TB, open bool) *compareFixture {
	t.Helper()
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "ibid.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	im := &ingest.Importer{Store: st, Fingerprint: originality.Fingerprint}
	doc := &ibid.Document{Title: "Why cities plant street trees", Format: "md"}
	for _, p := range classset.Paragraphs() {
		doc.Blocks = append(doc.Blocks, ibid.Block{Type: ibid.Paragraph, Text: p})
	}
	if e, err := im.Document(context.Background(), doc, "test"); err != nil || e.Slug != classSourceSlug {
		t.Fatalf("import the source: %v %v", e, err)
	}
	f := &compareFixture{st: st, class: classset.New(1), files: map[string][]byte{}, logs: &bytes.Buffer{}}
	for _, d := range f.class.Docs {
		f.files[d.Name] = []byte(d.Text)
	}
	lib := originality.Library(st)
	f.srv, err = New(st, Config{Logger: slogTo(f.logs), OpenCompare: open,
		Compare: func(ctx context.Context, docs []compare.Document, opt compare.Options, library bool) (*compare.Result, error) {
			if library {
				opt.Library = lib
			}
			return compare.Compare(ctx, docs, opt)
		}})
	if err != nil {
		t.Fatal(err)
	}
	f.editor = editorSession(t, st, "teacher@example.org", ibid.RoleEditor)
	u, _, err := st.UserByEmail(context.Background(), "teacher@example.org")
	if err != nil {
		t.Fatal(err)
	}
	f.token, _ = apiToken(t, st, u)
	return f
}

func (f *compareFixture) zip(t testing.TB) []byte {
	var names []string
	for n := range f.files {
		names = append(names, n)
	}
	sort.Strings(names)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, n := range names {
		w, _ := zw.Create("class 7B/" + n)
		w.Write(f.files[n])
	}
	zw.Close()
	return buf.Bytes()
}

func (f *compareFixture) api(t testing.TB, fields url.Values, files map[string][]byte) response {
	t.Helper()
	req := multipartRequest(t, "/api/compare", fields, files)
	req.Header.Set("Authorization", "Bearer "+f.token)
	return do(t, f.srv, req)
}

func decodeComparison(t *testing.T, r response) compare.Result {
	t.Helper()
	if r.Code != http.StatusOK {
		t.Fatalf("status %d: %s", r.Code, r.Body)
	}
	var res compare.Result
	if err := json.Unmarshal([]byte(r.Body), &res); err != nil {
		t.Fatal(err)
	}
	return res
}

// checkClassResult checks the groups and pairs of the class; prefix is
// what the names carry before the file name (a zip's folder).
func checkClassResult(t *testing.T, c classset.Class, res compare.Result, prefix string, library bool) {
	t.Helper()
	if len(res.Documents) != len(c.Docs) {
		t.Fatalf("%d documents, want %d", len(res.Documents), len(c.Docs))
	}
	var want []string
	for _, n := range c.Copied {
		want = append(want, prefix+n)
	}
	sort.Strings(want)
	if len(res.Groups) != 2 {
		t.Fatalf("groups %+v", res.Groups)
	}
	g := res.Groups[0]
	if !slices.Equal(g.Documents, want) {
		t.Errorf("first group %v, want %v", g.Documents, want)
	}
	if wantSrc := []string{}; library {
		if !slices.Equal(g.Sources, []string{classSourceSlug}) {
			t.Errorf("first group's sources %v", g.Sources)
		}
	} else if !slices.Equal(g.Sources, wantSrc) {
		t.Errorf("sources without the library: %v", g.Sources)
	}
	if got := res.Groups[1].Documents; !slices.Equal(got, []string{prefix + c.Sharing[0], prefix + c.Sharing[1]}) {
		t.Errorf("second group %v", got)
	}
	for _, p := range res.Pairs {
		for _, n := range c.Own {
			if p.A == prefix+n || p.B == prefix+n {
				t.Errorf("independent %s in a pair with %s", n, p.B)
			}
		}
	}
}

// TestAPICompare: the class through the API, as files and as one zip,
// with and without the library, in the JSON shape.
func TestAPICompare(t *testing.T) {
	f := newCompareFixture(t, false)
	r := f.api(t, nil, f.files)
	res := decodeComparison(t, r)
	checkClassResult(t, f.class, res, "", true)
	// The shape, key by key.
	var raw map[string][]map[string]any
	if err := json.Unmarshal([]byte(r.Body), &raw); err != nil {
		t.Fatal(err)
	}
	for key, fields := range map[string][]string{
		"documents": {"name", "words", "similarity", "sources"},
		"pairs":     {"a", "b", "similarity_a", "similarity_b", "passages"},
		"groups":    {"documents", "sources"},
	} {
		if len(raw[key]) == 0 {
			t.Fatalf("no %s", key)
		}
		for _, k := range fields {
			if _, ok := raw[key][0][k]; !ok {
				t.Errorf("%s lack %q: %v", key, k, raw[key][0])
			}
		}
	}
	for _, d := range raw["documents"] {
		if d["name"] != f.class.Copied[0] {
			continue
		}
		srcs, _ := d["sources"].([]any)
		if len(srcs) == 0 {
			t.Fatalf("%s has no source", d["name"])
		}
		src := srcs[0].(map[string]any)
		if src["slug"] != classSourceSlug || src["title"] == "" || src["similarity"].(float64) <= 0 {
			t.Errorf("a document's source: %v", src)
		}
	}
	if r.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("Cache-Control %q", r.Header.Get("Cache-Control"))
	}

	// One zip gives the same groups, named by their paths in it; without
	// the library, no sources.
	res = decodeComparison(t, f.api(t, url.Values{"library": {"off"}}, map[string][]byte{"class.zip": f.zip(t)}))
	checkClassResult(t, f.class, res, "class 7B/", false)
	for _, d := range res.Documents {
		if len(d.Sources) != 0 {
			t.Errorf("%s has sources without the library", d.Name)
		}
	}
	// A higher minimum leaves out the weaker pairs.
	all := len(res.Pairs)
	res = decodeComparison(t, f.api(t, url.Values{"library": {"off"}, "min": {"90"}}, map[string][]byte{"class.zip": f.zip(t)}))
	if len(res.Pairs) == 0 || len(res.Pairs) >= all {
		t.Errorf("min 90%%: %d pairs of %d", len(res.Pairs), all)
	}
	for _, p := range res.Pairs {
		if p.Similarity() < 0.9 {
			t.Errorf("pair under 90%%: %+v", p)
		}
	}
	if f.logs.Len() > 0 {
		t.Errorf("server logged:\n%s", f.logs)
	}
}

// TestCompareAccess: editors only, unless the server is open.
func TestCompareAccess(t *testing.T) {
	f := newCompareFixture(t, false)
	small := map[string][]byte{"a.txt": []byte(classset.SourceText), "b.txt": []byte(classset.SourceText)}
	r := do(t, f.srv, multipartRequest(t, "/api/compare", nil, small))
	if r.Code != http.StatusUnauthorized || r.Header.Get("WWW-Authenticate") == "" || !strings.Contains(r.Body, "Sign in as an editor to compare") {
		t.Errorf("anonymous API: %d %s", r.Code, r.Body)
	}
	if r := get(t, f.srv, "/compare"); r.Code != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/login?next=") {
		t.Errorf("anonymous page: %d %s", r.Code, r.Header.Get("Location"))
	}
	if r := do(t, f.srv, multipartRequest(t, "/compare", nil, small)); r.Code != http.StatusUnauthorized {
		t.Errorf("anonymous post: %d", r.Code)
	}
	if r := get(t, f.srv, "/"); strings.Contains(r.Body, `href="/compare"`) {
		t.Error("the header links to /compare for a reader")
	}
	open := newCompareFixture(t, true)
	res := decodeComparison(t, do(t, open.srv, multipartRequest(t, "/api/compare", nil, small)))
	if len(res.Pairs) != 1 || res.Pairs[0].SimilarityA != 1 {
		t.Errorf("open server: %+v", res.Pairs)
	}
	if r := get(t, open.srv, "/"); !strings.Contains(r.Body, `href="/compare"`) {
		t.Error("an open server's header does not link to /compare")
	}
}

// TestAPICompareErrors: bad requests get clear errors in the API's shape;
// hostile archives get skips.
func TestAPICompareErrors(t *testing.T) {
	f := newCompareFixture(t, false)
	var many []byte
	{
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		for i := range 10_000 {
			w, _ := zw.Create(fmt.Sprintf("tiny/%05d.txt", i))
			fmt.Fprintf(w, "Answer %d.", i)
		}
		zw.Close()
		many = buf.Bytes()
	}
	var hostile []byte
	{
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		w, _ := zw.Create("../../etc/cron.d/x.txt")
		w.Write([]byte(classset.SourceText))
		w, _ = zw.Create("ok.txt")
		w.Write([]byte(classset.SourceText))
		w, _ = zw.CreateHeader(&zip.FileHeader{Name: "bomb.txt", Method: zip.Deflate})
		w.Write(bytes.Repeat([]byte("z"), 11<<20))
		zw.Close()
		hostile = buf.Bytes()
	}
	cases := []struct {
		name   string
		req    func() response
		status int
		msg    string
	}{
		{"json", func() response {
			req := jsonRequest("/api/compare", map[string]string{"text": "x"})
			req.Header.Set("Authorization", "Bearer "+f.token)
			return do(t, f.srv, req)
		}, 400, "multipart"},
		{"empty", func() response { return f.api(t, url.Values{"min": {"10"}}, nil) }, 400, "nothing to compare"},
		{"bad min", func() response { return f.api(t, url.Values{"min": {"150"}}, f.files) }, 400, "percentage"},
		{"too many files", func() response { return f.api(t, nil, map[string][]byte{"many.zip": many}) }, 413, "at most 500"},
		{"not a zip", func() response { return f.api(t, nil, map[string][]byte{"class.zip": []byte("hello")}) }, 400, "not a readable zip"},
	}
	for _, c := range cases {
		r := c.req()
		var body struct {
			Error struct{ Code, Message string }
		}
		json.Unmarshal([]byte(r.Body), &body)
		if r.Code != c.status || !strings.Contains(body.Error.Message, c.msg) {
			t.Errorf("%s: %d %s", c.name, r.Code, r.Body)
		}
	}
	res := decodeComparison(t, f.api(t, nil, map[string][]byte{"hostile.zip": hostile}))
	if len(res.Documents) != 1 || res.Documents[0].Name != "ok.txt" || len(res.Skipped) != 2 {
		t.Errorf("hostile zip: documents %+v, skipped %+v", res.Documents, res.Skipped)
	}
	if f.logs.Len() > 0 {
		t.Errorf("server logged:\n%s", f.logs)
	}
}

// TestComparePageFlow: the form, the report and a pair opened side by
// side, without script; nothing joins the library.
func TestComparePageFlow(t *testing.T) {
	f := newCompareFixture(t, false)
	r := get(t, f.srv, "/compare", "Cookie", f.editor.String())
	checkHTML(t, "/compare", r.Body)
	for _, want := range []string{`id="compare-form"`, `multiple`, "Up to 500 files or one .zip, 50 MB in all", "nothing you upload is stored", `href="/compare"`} {
		if r.Code != 200 || !strings.Contains(r.Body, want) {
			t.Errorf("form lacks %q (%d)", want, r.Code)
		}
	}
	req := multipartRequest(t, "/compare", url.Values{"library": {"off", "on"}, "min": {"10"}}, f.files)
	req.AddCookie(f.editor)
	r = do(t, f.srv, req)
	if r.Code != 200 {
		t.Fatalf("report: %d %s", r.Code, r.Body)
	}
	checkHTML(t, "POST /compare", r.Body)
	for _, want := range []string{`id="groups"`, "15 documents", "Why cities plant street trees", `<svg class="matrix"`, `class="mx-cell"`,
		`id="pair-table"`, `form="pair-form"`, `name="text"`, "Nothing you uploaded is stored"} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	if r.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("report Cache-Control %q", r.Header.Get("Cache-Control"))
	}
	// The pair form carries the documents; open the sharing pair.
	names := f.class.Docs
	ia, ib := -1, -1
	fields := url.Values{}
	for i, d := range names {
		fields.Add("name", d.Name)
		fields.Add("text", d.Text)
		switch d.Name {
		case f.class.Sharing[0]:
			ia = i
		case f.class.Sharing[1]:
			ib = i
		}
	}
	fields.Set("pair", fmt.Sprintf("%d-%d", ia, ib))
	req = multipartRequest(t, "/compare/pair", fields, nil)
	req.AddCookie(f.editor)
	r = do(t, f.srv, req)
	if r.Code != 200 {
		t.Fatalf("pair: %d %s", r.Code, r.Body)
	}
	checkHTML(t, "POST /compare/pair", r.Body)
	for _, want := range []string{`id="pair-title"`, f.class.Sharing[0] + " and " + f.class.Sharing[1], `<mark class="hl src-1"`, `class="passage src-1"`, "documents are stored"} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("pair view lacks %q", want)
		}
	}
	if strings.Contains(r.Body, `id="recompute"`) {
		t.Error("the pair view offers the check's recompute form")
	}
	// A pair outside the documents is refused.
	fields.Set("pair", "0-99")
	req = multipartRequest(t, "/compare/pair", fields, nil)
	req.AddCookie(f.editor)
	if r := do(t, f.srv, req); r.Code != 400 {
		t.Errorf("pair out of range: %d", r.Code)
	}
	// A refused upload shows the form again with the reason; a hostile
	// archive's skips are listed with theirs.
	var zbuf bytes.Buffer
	zw := zip.NewWriter(&zbuf)
	for _, name := range []string{"ok.txt", "../up.txt"} {
		w, _ := zw.Create(name)
		w.Write([]byte(classset.SourceText))
	}
	zw.Close()
	req = multipartRequest(t, "/compare", nil, map[string][]byte{"class.zip": []byte("not a zip")})
	req.AddCookie(f.editor)
	r = do(t, f.srv, req)
	checkHTML(t, "POST /compare (refused)", r.Body)
	if r.Code != 400 || !strings.Contains(r.Body, `id="compare-error"`) || !strings.Contains(r.Body, "class.zip is not a readable zip archive.") || !strings.Contains(r.Body, `id="compare-form"`) {
		t.Errorf("refused upload: %d %s", r.Code, r.Body)
	}
	req = multipartRequest(t, "/compare", nil, map[string][]byte{"class.zip": zbuf.Bytes()})
	req.AddCookie(f.editor)
	r = do(t, f.srv, req)
	if r.Code != 200 || !strings.Contains(r.Body, `id="skipped"`) || !strings.Contains(r.Body, "path leads out of the archive") {
		t.Errorf("hostile zip on the page: %d", r.Code)
	}
	if _, n, err := f.st.Essays(context.Background(), ibid.EssayFilter{}); err != nil || n != 1 {
		t.Errorf("library holds %d essays after comparing (%v)", n, err)
	}
}

// TestCompareDisabled: without a comparer the page says so and the API
// answers 503.
func TestCompareDisabled(t *testing.T) {
	s, _ := newServer(t, Config{OpenCompare: true})
	if r := get(t, s, "/compare"); r.Code != 200 || !strings.Contains(r.Body, "not enabled") {
		t.Errorf("page: %d", r.Code)
	}
	if r := do(t, s, multipartRequest(t, "/api/compare", nil, map[string][]byte{"a.txt": []byte("x")})); r.Code != 503 {
		t.Errorf("api: %d", r.Code)
	}
}

// TestAPICompareFormats: documents in any importable format compare by
// their text: a Word file, a Markdown file and a zip holding an HTML file,
// all of the same essay, are one group of copies.
func TestAPICompareFormats(t *testing.T) {
	f := newCompareFixture(t, false)
	var zbuf bytes.Buffer
	zw := zip.NewWriter(&zbuf)
	w, _ := zw.Create("web/page.html")
	w.Write([]byte("<html><body><article><p>" + strings.Join(classset.Paragraphs(), "</p><p>") + "</p></article></body></html>"))
	zw.Close()
	res := decodeComparison(t, f.api(t, url.Values{"library": {"off"}}, map[string][]byte{
		"anna.docx": textDOCX(t, strings.Join(classset.Paragraphs(), "\n")),
		"ben.md":    []byte("# Street trees\n\n" + classset.SourceText),
		"more.zip":  zbuf.Bytes(),
	}))
	if len(res.Documents) != 3 || len(res.Pairs) != 3 || len(res.Groups) != 1 || len(res.Groups[0].Documents) != 3 {
		t.Fatalf("documents %+v, pairs %d, groups %+v", res.Documents, len(res.Pairs), res.Groups)
	}
	for _, p := range res.Pairs {
		if p.SimilarityA < 0.95 || p.SimilarityB < 0.95 {
			t.Errorf("%s–%s: %.2f/%.2f", p.A, p.B, p.SimilarityA, p.SimilarityB)
		}
	}
}

// TestCompareExclude: a prompt copied into every answer joins the class
// into one group; handed in as `exclude`, it is left out of the API's
// report and of a pair opened side by side.
func TestCompareExclude(t *testing.T) {
	const prompt = "Assignment 4. Many councils now plant trees along their streets and squares. " +
		"In about four hundred words, explain why a city might do this, what it costs, and who benefits most. " +
		"Use at least one example from your own neighbourhood and say what you would change about it."
	f := newCompareFixture(t, false)
	files := map[string][]byte{}
	for _, d := range f.class.Docs {
		files[d.Name] = []byte(prompt + "\n\n" + d.Text)
	}
	res := decodeComparison(t, f.api(t, nil, files))
	if len(res.Groups) != 1 {
		t.Fatalf("without the prompt left out: %d groups", len(res.Groups))
	}
	// multipartRequest names every file part "file": the handout goes in
	// by hand.
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for name, data := range files {
		w, _ := mw.CreateFormFile("file", name)
		w.Write(data)
	}
	w, _ := mw.CreateFormFile("exclude", "prompt.txt")
	w.Write([]byte(prompt))
	mw.Close()
	req := httptest.NewRequest("POST", "/api/compare", &b)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+f.token)
	res = decodeComparison(t, do(t, f.srv, req))
	checkClassResult(t, f.class, res, "", true)
	for _, d := range res.Documents {
		if d.ExcludedWords == 0 {
			t.Errorf("%s: nothing left out", d.Name)
		}
	}
	// The pair view with and without the carried handout.
	pairShare := func(withPrompt bool) string {
		fields := url.Values{}
		ia, ib := 0, 0
		for i, d := range f.class.Docs {
			fields.Add("name", d.Name)
			fields.Add("text", prompt+"\n\n"+d.Text)
			switch d.Name {
			case f.class.Own[0]:
				ia = i
			case f.class.Own[1]:
				ib = i
			}
		}
		if withPrompt {
			fields.Add("exclude_name", "prompt.txt")
			fields.Add("exclude_text", prompt)
		}
		fields.Set("pair", fmt.Sprintf("%d-%d", ia, ib))
		req := multipartRequest(t, "/compare/pair", fields, nil)
		req.AddCookie(f.editor)
		r := do(t, f.srv, req)
		if r.Code != 200 {
			t.Fatalf("pair: %d %s", r.Code, r.Body)
		}
		i := strings.Index(r.Body, `id="score">`)
		return r.Body[i+len(`id="score">`) : i+len(`id="score">`)+strings.Index(r.Body[i+len(`id="score">`):], "<")]
	}
	if with, without := pairShare(true), pairShare(false); with != "0%" || without == "0%" {
		t.Errorf("two independent answers: %s with the prompt left out, %s with it", with, without)
	}
}

// TestCompareTimeout: a comparison stopped by the check timeout says so,
// as a comparison.
func TestCompareTimeout(t *testing.T) {
	f := newCompareFixture(t, false)
	slow, err := New(f.st, Config{Logger: slogTo(f.logs), Limits: Limits{CheckTimeout: time.Millisecond},
		Compare: func(ctx context.Context, docs []compare.Document, opt compare.Options, library bool) (*compare.Result, error) {
			<-ctx.Done()
			return nil, ctx.Err()
		}})
	if err != nil {
		t.Fatal(err)
	}
	req := multipartRequest(t, "/api/compare", nil, map[string][]byte{"a.txt": []byte("One answer."), "b.txt": []byte("Another.")})
	req.Header.Set("Authorization", "Bearer "+f.token)
	r := do(t, slow, req)
	if r.Code != 503 || !strings.Contains(r.Body, "The comparison took longer than") {
		t.Errorf("%d %s", r.Code, r.Body)
	}
}

// TestWriteCompareReport: the file `ibid compare --html` writes is one
// valid page with no script, its styles inline, the pairs side by side.
func TestWriteCompareReport(t *testing.T) {
	c := classset.New(1)
	var docs []compare.Document
	for _, d := range c.Docs {
		docs = append(docs, compare.Document{Name: d.Name, Text: d.Text})
	}
	opt := compare.Options{}
	res, err := compare.Compare(context.Background(), docs, opt)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := WriteCompareReport(context.Background(), &b, res, docs, opt, ""); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	checkHTML(t, "report file", page)
	if strings.Contains(page, "<script") || strings.Contains(page, `<link rel="stylesheet"`) || !strings.Contains(page, "<style>") {
		t.Error("the report file is not self-contained")
	}
	if n := strings.Count(page, `<details class="inline-pair"`); n != min(len(res.Pairs), maxInlinePairs) {
		t.Errorf("%d pairs side by side, want %d", n, min(len(res.Pairs), maxInlinePairs))
	}
	if !strings.Contains(page, `<span class="diff">`) {
		t.Error("no differences marked in the pairs")
	}
}
