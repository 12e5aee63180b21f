package web

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/ibid-dev/ibid"
	"github.com/ibid-dev/ibid/ingest"
	"github.com/ibid-dev/ibid/originality"
)

// editFixture is a server on the fixture library with the importer wired
// in as serve wires it, a signed-in editor's cookie and an API token.
type editFixture struct {
	srv    *Server
	st     ibid.Store
	cookie *http.Cookie
	token  string
}

func newEditFixture(t *testing.T) *editFixture {
	t.Helper()
	st := openStore(t)
	im := &ingest.Importer{Store: st, Fingerprint: originality.Fingerprint}
	s, err := New(st, Config{
		Logger: slogTo(&strings.Builder{}),
		Import: func(ctx context.Context, doc *ibid.Document, name string) (*ibid.Essay, error) {
			return im.Document(ctx, doc, "upload:"+name)
		},
		Update: im.Update,
	})
	if err != nil {
		t.Fatal(err)
	}
	f := &editFixture{srv: s, st: st}
	f.cookie = editorSession(t, s.users, "editor@example.org", ibid.RoleEditor)
	admin := addUser(t, s.users, "admin@example.org", ibid.RoleAdmin, "an admin's password")
	f.token, _ = apiToken(t, s.users, admin)
	return f
}

// essayCount is the number of essays in the store.
func (f *editFixture) essayCount(t *testing.T) int {
	t.Helper()
	_, n, err := f.st.Essays(context.Background(), ibid.EssayFilter{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// prints returns the hashes the fingerprint index holds for an essay.
func (f *editFixture) prints(t *testing.T, id int64) []uint64 {
	t.Helper()
	var hs []uint64
	err := f.st.PrintGroups(context.Background(), func(h uint64, ids []int64) error {
		if slices.Contains(ids, id) {
			hs = append(hs, h)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return hs
}

func jsonReq(method, target string, v any) *http.Request {
	req := jsonRequest(target, v)
	req.Method = method
	return req
}

// credentials are the two ways an editor's request is signed.
func (f *editFixture) credentials() map[string]func(*http.Request) {
	return map[string]func(*http.Request){
		"session": func(r *http.Request) { r.AddCookie(f.cookie) },
		"token":   func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+f.token) },
	}
}

func TestAnonymousWritesAreRefused(t *testing.T) {
	f := newEditFixture(t)
	before := f.essayCount(t)
	long, _ := f.st.Essay(context.Background(), longSlug)
	form := url.Values{"title": {"Changed"}, "markdown": {"Changed text."}}
	tests := []struct {
		name string
		req  *http.Request
		code int
		// where the browser is sent instead (GET pages)
		location string
	}{
		{"API create", jsonRequest("/api/essays", map[string]any{"title": "New", "text": "Some text."}), 401, ""},
		{"API update", jsonReq("PATCH", "/api/essays/"+longSlug, map[string]any{"title": "Changed"}), 401, ""},
		{"API delete", httptest.NewRequest("DELETE", "/api/essays/"+longSlug, nil), 401, ""},
		{"add form post", formPost("/add", form), 401, ""},
		{"edit form post", formPost("/essays/"+longSlug+"/edit", form), 401, ""},
		{"delete form post", formPost("/essays/"+longSlug+"/delete", nil), 401, ""},
		{"add page", httptest.NewRequest("GET", "/add", nil), 303, "/login?next=%2Fadd"},
		{"edit page", httptest.NewRequest("GET", "/essays/"+longSlug+"/edit", nil), 303, "/login?next=%2Fessays%2F" + longSlug + "%2Fedit"},
		{"delete page", httptest.NewRequest("GET", "/essays/"+longSlug+"/delete", nil), 303, "/login?next=%2Fessays%2F" + longSlug + "%2Fdelete"},
	}
	for _, tt := range tests {
		r := do(t, f.srv, tt.req)
		if r.Code != tt.code || r.Header.Get("Location") != tt.location {
			t.Errorf("%s: %d, Location %q; want %d, %q", tt.name, r.Code, r.Header.Get("Location"), tt.code, tt.location)
		}
		if strings.HasPrefix(tt.req.URL.Path, "/api/") {
			var body struct {
				Error struct{ Code, Message string }
			}
			if err := json.Unmarshal([]byte(r.Body), &body); err != nil || body.Error.Code != ibid.EUNAUTHORIZED || body.Error.Message == "" {
				t.Errorf("%s: body %s", tt.name, r.Body)
			}
		}
	}
	after, _ := f.st.Essay(context.Background(), longSlug)
	if f.essayCount(t) != before || after == nil || after.Title != long.Title {
		t.Error("an anonymous write changed the library")
	}
	// Reading and checking need no account.
	for _, path := range []string{"/", "/essays/" + longSlug, "/api/essays/" + longSlug, "/check"} {
		if r := get(t, f.srv, path); r.Code != 200 {
			t.Errorf("GET %s anonymously: %d", path, r.Code)
		}
	}
}

// apiEssayBody is what the write endpoints answer.
type apiEssayBody struct {
	Slug      string     `json:"slug"`
	Title     string     `json:"title"`
	Subject   string     `json:"subject"`
	Topics    []string   `json:"topics"`
	Author    string     `json:"author"`
	Words     int        `json:"words"`
	Published *string    `json:"published"`
	Text      string     `json:"text"`
	Blocks    []apiBlock `json:"blocks"`
}

func TestAPICreateEssay(t *testing.T) {
	for _, how := range []string{"session", "token"} {
		t.Run(how, func(t *testing.T) {
			f := newEditFixture(t)
			sign := f.credentials()[how]
			create := func(req *http.Request) (response, apiEssayBody) {
				t.Helper()
				sign(req)
				r := do(t, f.srv, req)
				var b apiEssayBody
				if r.Code == http.StatusCreated {
					if err := json.Unmarshal([]byte(r.Body), &b); err != nil {
						t.Fatalf("body: %v\n%s", err, r.Body)
					}
				}
				return r, b
			}

			r, b := create(jsonRequest("/api/essays", map[string]any{
				"title": "Why Bees Matter", "text": "Bees carry pollen.\n\nFarms need them.",
				"subject": "Biology", "topics": []string{"Bees", "Farming", "bees"}, "author": "A. N. Other",
				"published": "2024-03-12",
			}))
			if r.Code != http.StatusCreated || r.Header.Get("Location") != "/api/essays/why-bees-matter" {
				t.Fatalf("create from text: %d, Location %q\n%s", r.Code, r.Header.Get("Location"), r.Body)
			}
			if b.Slug != "why-bees-matter" || b.Title != "Why Bees Matter" || b.Subject != "Biology" || b.Author != "A. N. Other" ||
				fmt.Sprint(b.Topics) != "[Bees Farming]" || b.Published == nil || *b.Published != "2024-03-12" ||
				b.Text != "Bees carry pollen.\n\nFarms need them." || b.Words != 6 || len(b.Blocks) != 2 {
				t.Errorf("created %+v", b)
			}
			e, err := f.st.Essay(context.Background(), b.Slug)
			if err != nil || !strings.HasPrefix(e.Source, "upload:") {
				t.Fatalf("stored: %+v %v", e, err)
			}
			if len(f.prints(t, e.ID)) == 0 {
				t.Error("the created essay has no fingerprints: the checker cannot find it")
			}

			// Markdown, with its own front matter and sections.
			r, b = create(jsonRequest("/api/essays", map[string]any{
				"markdown": "---\ntitle: From Front Matter\nsubject: Computing\n---\n\n## First section\n\nSome *emphasis* here.\n\n- one\n- two\n",
			}))
			if r.Code != http.StatusCreated || b.Title != "From Front Matter" || b.Subject != "Computing" || len(b.Blocks) != 3 ||
				b.Blocks[0].Type != ibid.Heading || b.Blocks[0].Level != 1 || b.Blocks[1].Text != "Some emphasis here." || b.Blocks[2].Type != ibid.List {
				t.Errorf("create from Markdown: %d %+v", r.Code, b)
			}

			// A file, with form fields over its own metadata.
			req := multipartRequest(t, "/api/essays", url.Values{"subject": {"History"}, "topics": {"Vienna, Diplomacy"}},
				map[string][]byte{"congress.md": []byte("---\ntitle: The Congress Again\nsubject: Politics\n---\n\nThe powers met in 1814 and stayed into 1815.\n")})
			r, b = create(req)
			if r.Code != http.StatusCreated || b.Title != "The Congress Again" || b.Subject != "History" || fmt.Sprint(b.Topics) != "[Vienna Diplomacy]" {
				t.Errorf("create from a file: %d %+v\n%s", r.Code, b, r.Body)
			}
			if e, _ := f.st.Essay(context.Background(), b.Slug); e == nil || e.Source != "upload:congress.md" {
				t.Errorf("file essay source: %+v", e)
			}

			// The same text again is a conflict that names the essay.
			r, _ = create(jsonRequest("/api/essays", map[string]any{"title": "Again", "text": "Bees carry pollen.\n\nFarms need them."}))
			if r.Code != http.StatusConflict || !strings.Contains(r.Body, "why-bees-matter") {
				t.Errorf("duplicate: %d %s", r.Code, r.Body)
			}
		})
	}
}

func TestAPICreateEssayInvalid(t *testing.T) {
	f := newEditFixture(t)
	before := f.essayCount(t)
	tests := []struct {
		name string
		body any
		want string
	}{
		{"no text", map[string]any{"title": "Empty"}, "There is no text"},
		{"blank text", map[string]any{"title": "Empty", "text": " \n\n "}, "no text"},
		{"text and Markdown", map[string]any{"title": "Both", "text": "a", "markdown": "b"}, "once"},
		{"no title", map[string]any{"text": "Text without a title."}, "needs a title"},
		{"unknown field", map[string]any{"title": "T", "text": "x", "tittle": "typo"}, "tittle"},
		{"bad date", map[string]any{"title": "T", "text": "x", "published": "12/03/2024"}, "2024-03-12"},
		{"topics not a list", map[string]any{"title": "T", "text": "x", "topics": "Bees"}, "not valid JSON"},
	}
	for _, tt := range tests {
		req := jsonRequest("/api/essays", tt.body)
		req.Header.Set("Authorization", "Bearer "+f.token)
		r := do(t, f.srv, req)
		if r.Code != http.StatusBadRequest || !strings.Contains(r.Body, `"code": "invalid"`) || !strings.Contains(r.Body, tt.want) {
			t.Errorf("%s: %d %s", tt.name, r.Code, r.Body)
		}
	}
	req := httptest.NewRequest("POST", "/api/essays", strings.NewReader("title=x"))
	req.Header.Set("Content-Type", "text/plain")
	req.Header.Set("Authorization", "Bearer "+f.token)
	if r := do(t, f.srv, req); r.Code != http.StatusBadRequest {
		t.Errorf("text/plain body: %d", r.Code)
	}
	if f.essayCount(t) != before {
		t.Error("a refused request stored an essay")
	}
}

func TestAPIUpdateEssay(t *testing.T) {
	f := newEditFixture(t)
	ctx := context.Background()
	old, _ := f.st.Essay(ctx, longSlug)
	patch := func(slug string, v any) (response, apiEssayBody) {
		t.Helper()
		req := jsonReq("PATCH", "/api/essays/"+slug, v)
		req.AddCookie(f.cookie)
		r := do(t, f.srv, req)
		var b apiEssayBody
		if r.Code == 200 {
			json.Unmarshal([]byte(r.Body), &b)
		}
		return r, b
	}

	// Metadata only: the text and its fingerprints stay.
	r, b := patch(longSlug, map[string]any{"title": "Soviet Diplomacy Between the Wars", "author": "M. Keller", "topics": []string{"Diplomacy"}})
	if r.Code != 200 || b.Slug != longSlug || b.Title != "Soviet Diplomacy Between the Wars" || b.Author != "M. Keller" ||
		fmt.Sprint(b.Topics) != "[Diplomacy]" || b.Text != old.Text || b.Subject != "History" || b.Words != longWords {
		t.Fatalf("metadata patch: %d %+v", r.Code, b)
	}
	// The fixture was stored without fingerprints; the edit computed them.
	oldPrints := len(f.prints(t, old.ID))
	if oldPrints == 0 {
		t.Fatal("an edit left the essay without fingerprints: the checker cannot find it")
	}
	if r, _ := patch(longSlug, map[string]any{"subject": "Soviet History"}); r.Code != 200 {
		t.Fatalf("second metadata patch: %d", r.Code)
	}
	if n := len(f.prints(t, old.ID)); n != oldPrints {
		t.Errorf("a metadata edit left %d fingerprints of %d", n, oldPrints)
	}

	// New text: counts and fingerprints follow; the slug stays.
	r, b = patch(longSlug, map[string]any{"markdown": "## Rapallo\n\nThe treaty of 1922 ended the isolation of both outcasts.", "published": ""})
	if r.Code != 200 || b.Slug != longSlug || b.Words != 11 || b.Published != nil ||
		b.Text != "Rapallo\n\nThe treaty of 1922 ended the isolation of both outcasts." || b.Title != "Soviet Diplomacy Between the Wars" ||
		b.Subject != "Soviet History" || len(b.Blocks) != 2 || b.Blocks[0].Type != ibid.Heading {
		t.Fatalf("text patch: %d %+v", r.Code, b)
	}
	e, _ := f.st.Essay(ctx, longSlug)
	if e.Hash == old.Hash || e.Words != 11 || len(f.prints(t, e.ID)) == 0 || len(f.prints(t, e.ID)) >= oldPrints {
		t.Errorf("after a text edit: hash changed %v, words %d, %d prints (were %d)", e.Hash != old.Hash, e.Words, len(f.prints(t, e.ID)), oldPrints)
	}
	if res, _, _ := f.st.Search(ctx, ibid.SearchQuery{Query: "outcasts"}); len(res) != 1 || res[0].Essay.Slug != longSlug {
		t.Errorf("search does not find the new text: %v", res)
	}

	// Refusals. The other essay is imported, so that its hash is the
	// importer's.
	other := jsonRequest("/api/essays", map[string]any{"title": "Another", "text": "Words of another essay."})
	other.AddCookie(f.cookie)
	if r := do(t, f.srv, other); r.Code != http.StatusCreated {
		t.Fatalf("another essay: %d", r.Code)
	}
	tests := []struct {
		name string
		slug string
		body any
		code int
	}{
		{"no such essay", "no-such-essay", map[string]any{"title": "x"}, 404},
		{"empty title", longSlug, map[string]any{"title": "  "}, 400},
		{"another essay's text", longSlug, map[string]any{"text": "Words of another essay."}, 409},
		{"empty text", longSlug, map[string]any{"markdown": ""}, 400},
	}
	for _, tt := range tests {
		if r, _ := patch(tt.slug, tt.body); r.Code != tt.code {
			t.Errorf("%s: %d, want %d: %s", tt.name, r.Code, tt.code, r.Body)
		}
	}
	if e2, _ := f.st.Essay(ctx, longSlug); e2.Hash != e.Hash || e2.Title != e.Title {
		t.Error("a refused edit changed the essay")
	}
}

func TestAPIDeleteEssay(t *testing.T) {
	f := newEditFixture(t)
	for how, sign := range f.credentials() {
		slug := map[string]string{"session": longSlug, "token": scriptSlug}[how]
		req := httptest.NewRequest("DELETE", "/api/essays/"+slug, nil)
		sign(req)
		if r := do(t, f.srv, req); r.Code != http.StatusNoContent || r.Body != "" {
			t.Errorf("%s: delete: %d %q", how, r.Code, r.Body)
		}
		if r := get(t, f.srv, "/api/essays/"+slug); r.Code != 404 {
			t.Errorf("%s: after delete: %d", how, r.Code)
		}
		req = httptest.NewRequest("DELETE", "/api/essays/"+slug, nil)
		sign(req)
		if r := do(t, f.srv, req); r.Code != 404 {
			t.Errorf("%s: delete twice: %d", how, r.Code)
		}
	}
}

func TestEditorPages(t *testing.T) {
	f := newEditFixture(t)
	ctx := context.Background()
	cookie := f.cookie.String()

	// The essay page offers Edit and Delete to editors only.
	if r := get(t, f.srv, "/essays/"+longSlug); strings.Contains(r.Body, `id="edit-essay"`) {
		t.Error("readers see the Edit button")
	}
	page := get(t, f.srv, "/essays/"+longSlug, "Cookie", cookie)
	if !strings.Contains(page.Body, `href="/essays/`+longSlug+`/edit"`) || !strings.Contains(page.Body, `href="/essays/`+longSlug+`/delete"`) {
		t.Error("editors see no Edit or Delete button")
	}

	// Add: the form, a mistake shown in the form, then a pasted essay.
	r := get(t, f.srv, "/add", "Cookie", cookie)
	if r.Code != 200 {
		t.Fatalf("GET /add: %d", r.Code)
	}
	checkHTML(t, "/add", r.Body)
	for _, want := range []string{`action="/add"`, `enctype="multipart/form-data"`, `name="markdown"`, `type="file" name="file"`, `name="topics"`, `<option value="History">`} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("add form lacks %s", want)
		}
	}
	add := func(fields url.Values) response {
		req := multipartRequest(t, "/add", fields, nil)
		req.AddCookie(f.cookie)
		return do(t, f.srv, req)
	}
	r = add(url.Values{"title": {"Kept <title>"}, "markdown": {""}, "topics": {"A, B"}})
	if r.Code != 400 || !strings.Contains(r.Body, `id="edit-error"`) || !strings.Contains(r.Body, `value="Kept &lt;title&gt;"`) || !strings.Contains(r.Body, `value="A, B"`) {
		t.Errorf("add without text: %d, form not shown again with the fields\n%s", r.Code, r.Body)
	}
	// An empty title is the document's own: its first heading, or none.
	r = add(url.Values{"title": {""}, "markdown": {"# Hedgerows\n\nHedges shelter the orchard from the wind."}})
	if r.Code != http.StatusSeeOther || r.Header.Get("Location") != "/essays/hedgerows" {
		t.Errorf("add with the title in the text: %d, Location %q", r.Code, r.Header.Get("Location"))
	}
	if r := add(url.Values{"title": {" "}, "markdown": {"Hedges shelter the orchard from the wind, and nothing names it."}}); r.Code != 400 ||
		!strings.Contains(r.Body, "needs a title") {
		t.Errorf("add without any title: %d", r.Code)
	}
	r = add(url.Values{"title": {"Orchard Notes"}, "subject": {"Biology"}, "topics": {"Bees, Orchards"},
		"markdown": {"## Spring\n\nBlossom comes before the bees do.\n\n> Plant for the pollinators.\n"}})
	if r.Code != http.StatusSeeOther || r.Header.Get("Location") != "/essays/orchard-notes" {
		t.Fatalf("add: %d, Location %q\n%s", r.Code, r.Header.Get("Location"), r.Body)
	}
	e, err := f.st.Essay(ctx, "orchard-notes")
	if err != nil || e.Subject != "Biology" || fmt.Sprint(e.Topics) != "[Bees Orchards]" || len(e.Blocks) != 3 || e.Blocks[0].Text != "Spring" {
		t.Fatalf("added essay: %+v %v", e, err)
	}
	if r := add(url.Values{"title": {"Orchard Notes Again"}, "markdown": {"## Spring\n\nBlossom comes before the bees do.\n\n> Plant for the pollinators.\n"}}); r.Code != 409 ||
		!strings.Contains(r.Body, "orchard-notes") {
		t.Errorf("adding the same text: %d", r.Code)
	}

	// Edit: the form shows the essay as Markdown, and saving it untouched
	// keeps the essay exactly: headings, lists, quotes and markup-like
	// text included.
	for _, slug := range []string{longSlug, scriptSlug} {
		before, _ := f.st.Essay(ctx, slug)
		r = get(t, f.srv, "/essays/"+slug+"/edit", "Cookie", cookie)
		if r.Code != 200 {
			t.Fatalf("edit form %s: %d", slug, r.Code)
		}
		checkHTML(t, "/essays/"+slug+"/edit", r.Body)
		fields := url.Values{}
		for _, name := range []string{"title", "author", "subject", "topics"} {
			m := regexp.MustCompile(`name="` + name + `" value="([^"]*)"`).FindStringSubmatch(r.Body)
			if m == nil {
				t.Fatalf("edit form %s lacks %s", slug, name)
			}
			fields.Set(name, html.UnescapeString(m[1]))
		}
		m := regexp.MustCompile(`(?s)<textarea id="edit-text" name="markdown"[^>]*>(.*?)</textarea>`).FindStringSubmatch(r.Body)
		if m == nil {
			t.Fatalf("edit form %s has no text area", slug)
		}
		fields.Set("markdown", html.UnescapeString(m[1]))
		req := multipartRequest(t, "/essays/"+slug+"/edit", fields, nil)
		req.AddCookie(f.cookie)
		if r := do(t, f.srv, req); r.Code != http.StatusSeeOther || r.Header.Get("Location") != "/essays/"+slug {
			t.Fatalf("save %s: %d\n%s", slug, r.Code, r.Body)
		}
		after, _ := f.st.Essay(ctx, slug)
		// (The fixture's hashes are not the importer's, so hashes are not
		// compared; the text they hash is.)
		if after.Title != before.Title || after.Author != before.Author || after.Subject != before.Subject ||
			fmt.Sprint(after.Topics) != fmt.Sprint(before.Topics) || after.Text != before.Text {
			t.Errorf("%s changed by saving the form untouched: %+v, want %+v", slug, after, before)
		}
		if fmt.Sprintf("%+v", after.Blocks) != fmt.Sprintf("%+v", before.Blocks) {
			t.Errorf("%s: blocks changed by saving the form untouched:\n got %+v\nwant %+v", slug, after.Blocks, before.Blocks)
		}
	}

	// Editing the title through the form.
	req := multipartRequest(t, "/essays/orchard-notes/edit", url.Values{"title": {"Orchard Notes, Revised"}, "markdown": {"Only one paragraph now."}}, nil)
	req.AddCookie(f.cookie)
	if r := do(t, f.srv, req); r.Code != http.StatusSeeOther {
		t.Fatalf("edit: %d", r.Code)
	}
	if e, _ := f.st.Essay(ctx, "orchard-notes"); e.Title != "Orchard Notes, Revised" || e.Text != "Only one paragraph now." {
		t.Errorf("after edit: %q %q", e.Title, e.Text)
	}

	// Delete: a confirmation step, then the essay is gone.
	r = get(t, f.srv, "/essays/orchard-notes/delete", "Cookie", cookie)
	if r.Code != 200 || !strings.Contains(r.Body, `action="/essays/orchard-notes/delete" method="post"`) || !strings.Contains(r.Body, "cannot be undone") {
		t.Fatalf("delete confirmation: %d", r.Code)
	}
	checkHTML(t, "/essays/orchard-notes/delete", r.Body)
	if _, err := f.st.Essay(ctx, "orchard-notes"); err != nil {
		t.Fatal("the confirmation page deleted the essay")
	}
	r = do(t, f.srv, formPost("/essays/orchard-notes/delete", nil, f.cookie))
	if r.Code != http.StatusSeeOther {
		t.Fatalf("delete: %d", r.Code)
	}
	if _, err := f.st.Essay(ctx, "orchard-notes"); ibid.ErrorCode(err) != ibid.ENOTFOUND {
		t.Errorf("after delete: %v", err)
	}
}

func TestLoginPageRenders(t *testing.T) {
	s, _ := newServer(t, Config{})
	r := get(t, s, "/login")
	checkHTML(t, "/login", r.Body)
	addUser(t, s.users, "ada@example.org", ibid.RoleEditor, "correct horse battery")
	r = do(t, s, formPost("/login", url.Values{"email": {"ada@example.org"}, "password": {"wrong password"}}))
	checkHTML(t, "/login (failed)", r.Body)
	if !strings.Contains(r.Body, `value="ada@example.org"`) || strings.Contains(r.Body, "wrong password") {
		t.Error("a failed sign-in should keep the email and drop the password")
	}
}

func TestBlocksMarkdownRoundTrip(t *testing.T) {
	tests := []struct {
		name   string
		blocks []ibid.Block
	}{
		{"sections", []ibid.Block{
			{Type: ibid.Heading, Level: 1, Text: "Revolution and Survival"},
			{Type: ibid.Paragraph, Text: "First."},
			{Type: ibid.Heading, Level: 2, Text: "1917–1921: Brest-Litovsk"},
			{Type: ibid.Heading, Level: 3, Text: "A note #3 on sources"},
			{Type: ibid.Paragraph, Text: "Last."},
		}},
		{"line starts that are markup", []ibid.Block{
			{Type: ibid.Paragraph, Text: "# not a heading"},
			{Type: ibid.Paragraph, Text: "1. not a list"},
			{Type: ibid.Paragraph, Text: "1922) neither"},
			{Type: ibid.Paragraph, Text: "- nor this"},
			{Type: ibid.Paragraph, Text: "> not a quote"},
			{Type: ibid.Paragraph, Text: "+ = | ~ all plain"},
		}},
		{"inline markup", []ibid.Block{
			{Type: ibid.Paragraph, Text: `*stars* _under_ ` + "`code`" + ` [link](http://x) <script>alert(1)</script> &amp; back\slash`},
		}},
		{"lists and quotes", []ibid.Block{
			{Type: ibid.List, Items: []string{"one", "two"}},
			{Type: ibid.List, Items: []string{"another list", "right after"}},
			{Type: ibid.List, Ordered: true, Items: []string{"first", "second"}},
			{Type: ibid.Quote, Text: "A bad peace can be outlived."},
			{Type: ibid.Paragraph, Text: "After the quote."},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			md := blocksMarkdown(tt.blocks)
			title := "A title of its own"
			doc, err := markdownDocument(md, &title, 0)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := fmt.Sprintf("%+v", doc.Blocks), fmt.Sprintf("%+v", tt.blocks); got != want {
				t.Errorf("round trip\nMarkdown:\n%s\n got %s\nwant %s", md, got, want)
			}
		})
	}
}
