package web

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/ibid-dev/ibid"
	"github.com/ibid-dev/ibid/ingest"
	"github.com/ibid-dev/ibid/originality"
	"github.com/ibid-dev/ibid/sqlite"
)

// The check fixture: a small library imported with fingerprints, the way
// `ibid import` stores essays.
const (
	bridgesSlug = "how-medieval-bridges-were-built"
	canalsSlug  = "the-canal-age-in-britain"
)

// bridgesCopied is a paragraph of the bridges essay that check texts copy.
const bridgesCopied = "Masons began by driving timber piles into the riverbed inside a cofferdam, a ring of " +
	"stakes packed with clay that kept the water out while the footings were laid. On these piles they set " +
	"a platform of oak beams, and on the platform the first courses of dressed stone, bonded with lime mortar " +
	"that hardened slowly over the following seasons."

var checkEssays = []struct {
	title, subject string
	paras          []string
}{
	{"How Medieval Bridges Were Built", "History", []string{
		"Building a stone bridge across a wide river was one of the most ambitious undertakings of a medieval " +
			"town. The work could last decades, and it was usually paid for by tolls, gifts and indulgences " +
			"granted to those who contributed to the cost.",
		bridgesCopied,
		"The arches themselves were turned over wooden frames called centring. Carpenters built each frame on " +
			"the piers, the masons laid the voussoirs over it from both sides, and only when the keystone was " +
			"wedged home could the centring be struck and moved to the next span.",
		"Floods were the great enemy. A bridge narrowed the river, the water rose against the piers and " +
			"scoured the bed around them, and many bridges lost an arch or two within a generation of being " +
			"finished, so that repairs became a permanent charge on the town.",
	}},
	{"The Canal Age in Britain", "History", []string{
		"Between the 1760s and the 1830s Britain dug thousands of miles of canals. Coal owners wanted a cheap " +
			"way to move heavy loads, and a single horse could pull on water a weight that would need dozens " +
			"of horses on the rutted roads of the time.",
		"Engineers such as James Brindley followed the contours of the land wherever they could, because " +
			"locks were expensive to build and slow to pass. Where a valley could not be avoided they built " +
			"aqueducts, and where a hill stood in the way they cut tunnels through it.",
		"The railways ended the canal age within a generation. Many canal companies were bought by railway " +
			"companies that had no interest in keeping them open, and by the twentieth century most of the " +
			"network carried little but pleasure boats.",
	}},
}

// checkFixture is a server with a checker on a real SQLite library of
// fingerprinted essays.
type checkFixture struct {
	srv  *Server
	st   ibid.Store
	path string // the database file, for the privacy test
	logs *bytes.Buffer
	// editor is the session cookie of a signed-in editor, who alone may
	// add a checked document to the library.
	editor *http.Cookie
}

func newCheckFixture(t testing.TB, withChecker bool) *checkFixture {
	t.Helper()
	path := filepath.Join(t.TempDir(), "ibid.db")
	st, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	im := &ingest.Importer{Store: st, Fingerprint: originality.Fingerprint}
	ctx := context.Background()
	for _, e := range checkEssays {
		doc := &ibid.Document{Title: e.title, Subject: e.subject, Format: "md"}
		for _, p := range e.paras {
			doc.Blocks = append(doc.Blocks, ibid.Block{Type: ibid.Paragraph, Text: p})
		}
		if _, err := im.Document(ctx, doc, "test:"+e.title); err != nil {
			t.Fatalf("import %q: %v", e.title, err)
		}
	}
	f := &checkFixture{st: st, path: path, logs: &bytes.Buffer{}}
	cfg := Config{Logger: slogTo(f.logs)}
	if withChecker {
		cfg.Checker = func(ctx context.Context, text string, opt originality.Options) (*ibid.Report, error) {
			return originality.Check(ctx, text, originality.Library(st), opt)
		}
		cfg.AddToLibrary = func(ctx context.Context, doc *ibid.Document, name string) (*ibid.Essay, error) {
			return im.Document(ctx, doc, "upload:"+name)
		}
	}
	if f.srv, err = New(st, cfg); err != nil {
		t.Fatal(err)
	}
	f.editor = editorSession(t, st, "editor@example.org", ibid.RoleEditor)
	return f
}

func slogTo(w io.Writer) *slog.Logger { return slog.New(slog.NewTextHandler(w, nil)) }

// ownWords is text of our own that matches nothing in the library.
const ownWords = "This short introduction is my own work and talks about something else entirely, " +
	"namely the habits of my neighbour's cat during a rainy week in the spring."

// do sends a request to h and records the response.
func do(t testing.TB, h http.Handler, req *http.Request) response {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	body, _ := io.ReadAll(rec.Result().Body)
	return response{Code: rec.Code, Header: rec.Result().Header, Body: string(body)}
}

func jsonRequest(path string, v any) *http.Request {
	b, _ := json.Marshal(v)
	req := httptest.NewRequest("POST", path, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	return req
}

// multipartRequest builds a multipart form; a "file" entry of files is sent
// as a file part named by its key after the colon ("file:essay.md").
func multipartRequest(t testing.TB, path string, fields url.Values, files map[string][]byte) *http.Request {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for k, vs := range fields {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	for name, data := range files {
		w, err := mw.CreateFormFile("file", name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(data)
	}
	mw.Close()
	req := httptest.NewRequest("POST", path, &b)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return req
}

// runeIndex is the rune offset of sub in s, or -1.
func runeIndex(s, sub string) int {
	i := strings.Index(s, sub)
	if i < 0 {
		return -1
	}
	return utf8.RuneCountInString(s[:i])
}

func decodeReport(t *testing.T, r response) ibid.Report {
	t.Helper()
	if r.Code != 200 {
		t.Fatalf("status %d: %s", r.Code, r.Body)
	}
	var rep ibid.Report
	if err := json.Unmarshal([]byte(r.Body), &rep); err != nil {
		t.Fatalf("decoding %s: %v", r.Body, err)
	}
	return rep
}

func sourceSlugs(rep ibid.Report) []string {
	var out []string
	for _, s := range rep.Sources {
		out = append(out, s.Slug)
	}
	return out
}

func TestAPICheckFindsCopiedPassage(t *testing.T) {
	f := newCheckFixture(t, true)
	txt := ownWords + "\n\n" + bridgesCopied + "\n\nAnd a closing sentence of mine."
	rep := decodeReport(t, do(t, f.srv, jsonRequest("/api/check", map[string]any{"text": txt})))
	if len(rep.Sources) != 1 || rep.Sources[0].Slug != bridgesSlug || rep.Sources[0].Title != "How Medieval Bridges Were Built" {
		t.Fatalf("sources %v, want only %s", sourceSlugs(rep), bridgesSlug)
	}
	ps := rep.Sources[0].Passages
	if len(ps) != 1 {
		t.Fatalf("passages %+v, want one", ps)
	}
	p := ps[0]
	src, err := f.st.Essay(context.Background(), bridgesSlug)
	if err != nil {
		t.Fatal(err)
	}
	n := utf8.RuneCountInString(bridgesCopied)
	wantSub := ibid.Span{Offset: runeIndex(txt, bridgesCopied), Length: n}
	wantSrc := ibid.Span{Offset: runeIndex(src.Text, bridgesCopied), Length: n}
	if p.Submitted != wantSub || p.Source != wantSrc || p.Kind != ibid.Identical {
		t.Errorf("passage %+v, want identical %+v in the text and %+v in the source", p, wantSub, wantSrc)
	}
	if rep.Words == 0 || rep.Similarity <= 0.4 || rep.Similarity >= 0.8 {
		t.Errorf("similarity %.2f of %d words: the copied paragraph is about 60%% of the text", rep.Similarity, rep.Words)
	}
}

// TestAPICheckExclusions checks that each exclusion changes the report
// that the same text gets without it.
func TestAPICheckExclusions(t *testing.T) {
	f := newCheckFixture(t, true)
	quoted := ownWords + "\n\n“" + bridgesCopied + "”"
	refs := ownWords + "\n\nReferences\n\n" + bridgesCopied
	tests := []struct {
		name string
		text string
		opts map[string]any
	}{
		{"quotes", quoted, map[string]any{"exclude_quotes": true}},
		{"references", refs, map[string]any{"exclude_references": true}},
		{"min words", ownWords + "\n\n" + bridgesCopied, map[string]any{"min_words": 200}},
		{"source", ownWords + "\n\n" + bridgesCopied, map[string]any{"exclude_sources": []string{bridgesSlug, "no-such-essay"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := decodeReport(t, do(t, f.srv, jsonRequest("/api/check", map[string]any{"text": tt.text})))
			if len(base.Sources) != 1 || base.Sources[0].Slug != bridgesSlug {
				t.Fatalf("without the exclusion: sources %v, want %s", sourceSlugs(base), bridgesSlug)
			}
			body := map[string]any{"text": tt.text}
			for k, v := range tt.opts {
				body[k] = v
			}
			rep := decodeReport(t, do(t, f.srv, jsonRequest("/api/check", body)))
			if len(rep.Sources) != 0 || rep.Similarity != 0 {
				t.Errorf("with %v: sources %v, similarity %.2f; want none", tt.opts, sourceSlugs(rep), rep.Similarity)
			}
			if rep.Words != base.Words {
				t.Errorf("words %d, want %d: exclusions do not change the word count", rep.Words, base.Words)
			}
		})
	}
}

func TestAPICheckUpload(t *testing.T) {
	f := newCheckFixture(t, true)
	md := []byte("# My essay\n\n" + ownWords + "\n\n> " + bridgesCopied + "\n")
	for _, opt := range []struct {
		fields url.Values
		found  bool
	}{
		{url.Values{}, true},
		// A Markdown block quote has no quotation marks: the quote spans of
		// the document's blocks leave it out.
		{url.Values{"exclude_quotes": {"on"}}, false},
	} {
		rep := decodeReport(t, do(t, f.srv, multipartRequest(t, "/api/check", opt.fields, map[string][]byte{"essay.md": md})))
		if got := len(rep.Sources) == 1 && rep.Sources[0].Slug == bridgesSlug; got != opt.found {
			t.Errorf("upload with %v: sources %v, want found=%v", opt.fields, sourceSlugs(rep), opt.found)
		}
	}
}

// TestAPICheckGolden pins the JSON shape of a report.
func TestAPICheckGolden(t *testing.T) {
	f := newCheckFixture(t, true)
	txt := ownWords + "\n\n" + bridgesCopied
	r := do(t, f.srv, jsonRequest("/api/check", map[string]any{"text": txt}))
	if r.Code != 200 || r.Header.Get("Cache-Control") != "no-store" || r.Header.Get("Content-Type") != "application/json; charset=utf-8" {
		t.Errorf("status %d, Cache-Control %q, Content-Type %q", r.Code, r.Header.Get("Cache-Control"), r.Header.Get("Content-Type"))
	}
	golden(t, "api-check.json", r.Body)
	// No match is an empty list, never null.
	r = do(t, f.srv, jsonRequest("/api/check", map[string]any{"text": ownWords}))
	if !strings.Contains(r.Body, `"sources": []`) {
		t.Errorf("no match: %s", r.Body)
	}
}

// endless is a body of n bytes that is never held in memory.
type endless struct{ n int64 }

func (e *endless) Read(p []byte) (int, error) {
	if e.n <= 0 {
		return 0, io.EOF
	}
	k := min(int64(len(p)), e.n)
	for i := range p[:k] {
		p[i] = 'a'
	}
	e.n -= k
	return int(k), nil
}

func TestAPICheckErrors(t *testing.T) {
	f := newCheckFixture(t, true)
	off := newCheckFixture(t, false)
	const big = 30 << 20
	tooManyWords := strings.Repeat("word ", ibid.MaxCheckWords+1)
	tests := []struct {
		name   string
		srv    *Server
		req    func() *http.Request
		status int
		code   string
		msg    string // part of the message
	}{
		{"empty text", f.srv, func() *http.Request { return jsonRequest("/api/check", map[string]any{"text": "  \n "}) }, 400, ibid.EINVALID, "no text to check"},
		{"no text field", f.srv, func() *http.Request { return jsonRequest("/api/check", map[string]any{}) }, 400, ibid.EINVALID, "no text to check"},
		{"bad json", f.srv, func() *http.Request {
			r := httptest.NewRequest("POST", "/api/check", strings.NewReader(`{"text": `))
			r.Header.Set("Content-Type", "application/json")
			return r
		}, 400, ibid.EINVALID, "not valid JSON"},
		{"bad min_words", f.srv, func() *http.Request {
			return jsonRequest("/api/check", map[string]any{"text": "some words", "min_words": -1})
		}, 400, ibid.EINVALID, "min_words"},
		{"wrong content type", f.srv, func() *http.Request {
			r := httptest.NewRequest("POST", "/api/check", strings.NewReader("text"))
			r.Header.Set("Content-Type", "text/plain")
			return r
		}, 400, ibid.EINVALID, "JSON"},
		{"30 MB announced", f.srv, func() *http.Request {
			r := httptest.NewRequest("POST", "/api/check", &endless{big})
			r.Header.Set("Content-Type", "application/json")
			r.ContentLength = big
			return r
		}, 413, ibid.ETOOLARGE, "10 MB"},
		{"30 MB chunked json", f.srv, func() *http.Request {
			r := httptest.NewRequest("POST", "/api/check", io.MultiReader(strings.NewReader(`{"text": "`), &endless{big}))
			r.Header.Set("Content-Type", "application/json")
			r.ContentLength = -1
			return r
		}, 413, ibid.ETOOLARGE, "10 MB"},
		{"30 MB chunked file", f.srv, func() *http.Request {
			pr, pw := io.Pipe()
			mw := multipart.NewWriter(pw)
			go func() {
				w, _ := mw.CreateFormFile("file", "big.txt")
				io.Copy(w, &endless{big})
				mw.Close()
				pw.Close()
			}()
			r := httptest.NewRequest("POST", "/api/check", pr)
			r.Header.Set("Content-Type", mw.FormDataContentType())
			r.ContentLength = -1
			return r
		}, 413, ibid.ETOOLARGE, "10 MB"},
		{"11 MB file in a small enough body", f.srv, func() *http.Request {
			return multipartRequest(t, "/api/check", nil, map[string][]byte{"big.txt": bytes.Repeat([]byte("a "), (ibid.MaxCheckBytes+2)/2)})
		}, 413, ibid.ETOOLARGE, "10 MB"},
		{"too many words", f.srv, func() *http.Request { return jsonRequest("/api/check", map[string]any{"text": tooManyWords}) }, 413, ibid.ETOOLARGE, "at most 100,000"},
		{"unsupported file type", f.srv, func() *http.Request {
			return multipartRequest(t, "/api/check", nil, map[string][]byte{"essay.exe": []byte("MZ")})
		}, 400, ibid.EINVALID, "unsupported file type .exe"},
		{"not a word document", f.srv, func() *http.Request {
			return multipartRequest(t, "/api/check", nil, map[string][]byte{"essay.docx": []byte("plain text")})
		}, 400, ibid.EINVALID, ""},
		{"checking disabled", off.srv, func() *http.Request { return jsonRequest("/api/check", map[string]any{"text": "words"}) }, 503, ibid.EUNAVAILABLE, "not enabled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			r := do(t, tt.srv, tt.req())
			if r.Code != tt.status {
				t.Fatalf("status %d, want %d: %.300s", r.Code, tt.status, r.Body)
			}
			e := decode[apiErr](t, r)
			if e.Error.Code != tt.code || !strings.Contains(e.Error.Message, tt.msg) {
				t.Errorf("error %+v, want code %s and a message with %q", e.Error, tt.code, tt.msg)
			}
			if tt.status == 413 && time.Since(start) > 5*time.Second {
				// Not a speed test: a body read to its end would take far
				// longer than this on any machine.
				t.Errorf("refusing took %v", time.Since(start))
			}
		})
	}
	if strings.Contains(f.logs.String(), "word word") {
		t.Error("the server logged submitted text")
	}
}

// markRe finds the highlighted passages of a report page.
var markRe = regexp.MustCompile(`<mark class="hl src-(\d)" id="m(\d+)"><a class="badge src-\d" href="#p(\d+)"[^>]*>(\d+)</a>([^<]*)`)

// TestCheckFormFlow walks the no-JavaScript path: the form, a report, and a
// recompute that excludes a source and carries the text along.
func TestCheckFormFlow(t *testing.T) {
	f := newCheckFixture(t, true)
	if r := get(t, f.srv, "/check"); strings.Contains(r.Body, `name="add_to_library"`) {
		t.Error("readers who are not signed in are offered to add their document")
	}
	r := get(t, f.srv, "/check", "Cookie", f.editor.String())
	if r.Code != 200 {
		t.Fatalf("GET /check: %d", r.Code)
	}
	checkHTML(t, "/check", r.Body)
	for _, want := range []string{
		`enctype="multipart/form-data"`, `<textarea id="check-text" name="text"`, `type="file" name="file"`,
		"Up to 100,000 words; .docx, .pdf, .txt, .md, .html", "Your text is checked and discarded; it is not stored.",
		`name="exclude_quotes"`, `name="exclude_references"`, `name="min_words" min="1" max="1000" value="8"`,
		`name="add_to_library"`,
	} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("form lacks %s", want)
		}
	}
	if strings.Contains(r.Body, `name="add_to_library" value="on" checked`) {
		t.Error("add to library is ticked by default")
	}

	canalsCopied := checkEssays[1].paras[1]
	txt := ownWords + "\r\n\r\n" + bridgesCopied + "\r\n\r\n<b>" + canalsCopied + "</b>"
	r = do(t, f.srv, multipartRequest(t, "/check", url.Values{"text": {txt}, "min_words": {"8"}}, nil))
	if r.Code != 200 {
		t.Fatalf("POST /check: %d %s", r.Code, r.Body)
	}
	checkHTML(t, "POST /check", r.Body)
	if cc := r.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("report Cache-Control %q, want no-store", cc)
	}
	marks := markRe.FindAllStringSubmatch(r.Body, -1)
	if len(marks) != 2 {
		t.Fatalf("%d marked passages, want 2:\n%s", len(marks), r.Body)
	}
	// In text order: the bridges paragraph, then the canal one; each
	// carries its source number and links to its comparison.
	for i, want := range []string{bridgesCopied, canalsCopied} {
		m := marks[i]
		if m[2] != fmt.Sprint(i+1) || m[3] != m[2] || !strings.HasPrefix(want, strings.TrimSpace(m[5])[:40]) {
			t.Errorf("mark %d: %q", i, m[0])
		}
		if !strings.Contains(r.Body, `id="p`+m[3]+`"`) {
			t.Errorf("no comparison for passage %s", m[3])
		}
	}
	src, _ := f.st.Essay(context.Background(), canalsSlug)
	link := fmt.Sprintf("/essays/%s?hl=%d-%d#hl", canalsSlug, runeIndex(src.Text, canalsCopied), utf8.RuneCountInString(canalsCopied))
	for _, want := range []string{
		`id="score"`, `class="swatch src-1"`, `class="swatch src-2"`, `href="` + strings.ReplaceAll(link, "&", "&amp;") + `"`,
		"Identical", `name="exclude_source" value="` + bridgesSlug + `"`,
		"&lt;b&gt;", // submitted markup is shown as text
	} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("report lacks %s", want)
		}
	}
	if strings.Contains(r.Body, "<b>") {
		t.Error("submitted markup reached the page unescaped")
	}
	// The recompute form carries the text (CRLF made LF), and excluding a
	// source takes it out of the report.
	carried := regexp.MustCompile(`<input type="hidden" name="text" value="([^"]*)">`).FindStringSubmatch(r.Body)
	if carried == nil {
		t.Fatal("the report does not carry the text")
	}
	text := htmlUnescape(carried[1])
	if text != strings.ReplaceAll(txt, "\r\n", "\n") {
		t.Errorf("carried text %q", text)
	}
	form := url.Values{"text": {text}, "exclude_source": {bridgesSlug}, "min_words": {"8"}}
	r2 := do(t, f.srv, multipartRequest(t, "/check", form, nil))
	if r2.Code != 200 {
		t.Fatalf("recompute: %d", r2.Code)
	}
	if n := len(markRe.FindAllString(r2.Body, -1)); n != 1 || strings.Contains(r2.Body, `href="/essays/`+bridgesSlug+`?hl=`) {
		t.Errorf("after excluding %s: %d passages", bridgesSlug, n)
	}
	if !strings.Contains(r2.Body, "Excluded sources") || !strings.Contains(r2.Body, `value="`+bridgesSlug+`" checked`) {
		t.Error("the excluded source is not listed to include again")
	}
	// A URL-encoded form works too.
	req := httptest.NewRequest("POST", "/check", strings.NewReader(url.Values{"text": {text}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if r3 := do(t, f.srv, req); r3.Code != 200 || len(markRe.FindAllString(r3.Body, -1)) != 2 {
		t.Errorf("url-encoded form: %d", r3.Code)
	}
	// Errors come back as pages.
	r4 := do(t, f.srv, multipartRequest(t, "/check", url.Values{"text": {""}}, nil))
	if r4.Code != 400 || !strings.Contains(r4.Body, "There is no text to check") || !strings.Contains(r4.Header.Get("Content-Type"), "text/html") {
		t.Errorf("empty form: %d %s", r4.Code, r4.Header.Get("Content-Type"))
	}
	if f.logs.Len() > 0 {
		t.Errorf("server logged:\n%s", f.logs)
	}
}

// TestCheckFormKeepsInput: a refused check shows the form again with the
// reason in it and everything the user typed or ticked, never a bare error
// page that loses the text.
func TestCheckFormKeepsInput(t *testing.T) {
	f := newCheckFixture(t, true)
	typed := ownWords + "\r\n\r\nA second paragraph with <angle> & ampersand."
	tests := []struct {
		name   string
		fields url.Values
		files  map[string][]byte
		status int
		msg    string
		text   string // what the text area must hold again
	}{
		{"empty text", url.Values{"text": {"  "}, "exclude_quotes": {"on"}}, nil, 400, "There is no text to check", "  "},
		{"bad number", url.Values{"text": {typed}, "exclude_quotes": {"on"}, "min_words": {"many"}}, nil, 400,
			"The minimum match length must be a whole number", strings.ReplaceAll(typed, "\r\n", "\n")},
		{"number out of range", url.Values{"text": {typed}, "exclude_quotes": {"on"}, "min_words": {"5000"}}, nil, 400,
			"from 1 to 1000", strings.ReplaceAll(typed, "\r\n", "\n")},
		{"corrupt file", url.Values{"text": {typed}, "exclude_quotes": {"on"}}, map[string][]byte{"essay.docx": []byte("not a zip at all")}, 400,
			"not a Word document", strings.ReplaceAll(typed, "\r\n", "\n")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := do(t, f.srv, multipartRequest(t, "/check", tt.fields, tt.files))
			if r.Code != tt.status || !strings.Contains(r.Header.Get("Content-Type"), "text/html") {
				t.Fatalf("status %d (%s), want %d", r.Code, r.Header.Get("Content-Type"), tt.status)
			}
			checkHTML(t, tt.name, r.Body)
			errRe := regexp.MustCompile(`(?s)<form class="check-form"[^>]*>\s*<p class="form-error" id="check-error" role="alert">([^<]*)`)
			m := errRe.FindStringSubmatch(r.Body)
			if m == nil || !strings.Contains(htmlUnescape(m[1]), tt.msg) {
				t.Errorf("the message %q is not in the form: %v", tt.msg, m)
			}
			area := regexp.MustCompile(`(?s)<textarea id="check-text"[^>]*aria-invalid="true">\n(.*?)</textarea>`).FindStringSubmatch(r.Body)
			if area == nil || htmlUnescape(area[1]) != tt.text {
				t.Errorf("text area holds %q, want %q", area, tt.text)
			}
			if !strings.Contains(r.Body, `name="exclude_quotes" value="on" checked`) && tt.fields.Get("exclude_quotes") == "on" {
				t.Error("the ticked option was lost")
			}
			if tt.files != nil && !strings.Contains(r.Body, "The file essay.docx was not kept") {
				t.Error("the page does not ask for the file again")
			}
			if cc := r.Header.Get("Cache-Control"); cc != "no-store" {
				t.Errorf("Cache-Control %q: the page holds the user's text", cc)
			}
		})
	}
	// The editor's "add to library" stays ticked too.
	r := do(t, f.srv, withCookie(multipartRequest(t, "/check", url.Values{"text": {""}, "add_to_library": {"on"}}, nil), f.editor))
	if r.Code != 400 || !strings.Contains(r.Body, `name="add_to_library" value="on" checked`) {
		t.Errorf("add to library: %d, not kept ticked", r.Code)
	}
	// The API is unchanged: a JSON error.
	r = do(t, f.srv, jsonRequest("/api/check", map[string]any{"text": ""}))
	if r.Code != 400 || !strings.Contains(r.Body, `"code": "invalid"`) {
		t.Errorf("API: %d %s", r.Code, r.Body)
	}
}

func htmlUnescape(s string) string {
	return strings.NewReplacer("&#34;", `"`, "&#39;", "'", "&lt;", "<", "&gt;", ">", "&#43;", "+", "&#10;", "\n", "&#13;", "\r", "&amp;", "&").Replace(s)
}

func TestCheckDisabled(t *testing.T) {
	f := newCheckFixture(t, false)
	r := get(t, f.srv, "/check")
	if r.Code != 200 || !strings.Contains(r.Body, `id="check-disabled"`) || strings.Contains(r.Body, "<textarea") {
		t.Errorf("GET /check without a checker: %d", r.Code)
	}
	r = do(t, f.srv, multipartRequest(t, "/check", url.Values{"text": {ownWords}}, nil))
	if r.Code != 503 {
		t.Errorf("POST /check without a checker: %d", r.Code)
	}
}

// textPDF is a one-page PDF of txt (ASCII) in lines of about 70 letters.
func textPDF(t *testing.T, txt string) []byte {
	var content strings.Builder
	content.WriteString("BT /F1 11 Tf 72 740 Td 14 TL\n")
	line := ""
	flush := func() {
		esc := strings.NewReplacer(`\`, `\\`, "(", `\(`, ")", `\)`).Replace(line)
		fmt.Fprintf(&content, "(%s) Tj T*\n", esc)
		line = ""
	}
	for _, w := range strings.Fields(txt) {
		if len(line)+len(w) > 70 {
			flush()
		}
		if line != "" {
			line += " "
		}
		line += w
	}
	flush()
	content.WriteString("ET")
	return hostilePDF("<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [5 0 R] /Count 1 >>",
		pdfFont, pdfStream(t, content.String(), true), pdfPage(2, 3, 4))
}

// textDOCX is a minimal Word document of txt, one paragraph per line.
func textDOCX(t *testing.T, txt string) []byte {
	var body strings.Builder
	for _, p := range strings.Split(txt, "\n") {
		body.WriteString("<w:p><w:r><w:t>")
		xml.EscapeText(&body, []byte(p))
		body.WriteString("</w:t></w:r></w:p>")
	}
	return hostileZip(t, "word/document.xml", `<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>`+
		body.String()+`</w:body></w:document>`)
}

// TestCheckLeavesNoTrace proves the privacy promise: a checked text leaves
// no trace in the database files, the log or a temporary file, unless its
// owner asks to add it. The temporary folder is pointed at a file, where
// nothing can be created, so a check that needed one would fail here.
func TestCheckLeavesNoTrace(t *testing.T) {
	const marker = "Zanzibar quokkas juggle ultramarine teacups nightly"
	txt := ownWords + " " + marker + ".\n\n" + bridgesCopied
	notDir := filepath.Join(t.TempDir(), "not-a-folder")
	if err := os.WriteFile(notDir, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("TMPDIR", notDir)
	scan := func(f *checkFixture) bool {
		t.Helper()
		if err := f.st.Close(); err != nil {
			t.Fatal(err)
		}
		found := false
		for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
			b, err := os.ReadFile(f.path + suffix)
			if os.IsNotExist(err) {
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(b, []byte(marker)) || bytes.Contains(bytes.ToLower(b), []byte("quokkas")) {
				found = true
			}
		}
		if strings.Contains(f.logs.String(), "quokkas") {
			t.Error("the text reached the log")
		}
		return found
	}
	checkAll := func(f *checkFixture, add bool) {
		t.Helper()
		reqs := []*http.Request{
			jsonRequest("/api/check", map[string]any{"text": txt}),
			multipartRequest(t, "/api/check", nil, map[string][]byte{"mine.txt": []byte(txt)}),
			multipartRequest(t, "/check", url.Values{"text": {txt}}, nil),
			multipartRequest(t, "/check", nil, map[string][]byte{"mine.md": []byte(txt)}),
			multipartRequest(t, "/api/check", nil, map[string][]byte{"mine.pdf": textPDF(t, txt)}),
			multipartRequest(t, "/check", nil, map[string][]byte{"mine.docx": textDOCX(t, txt)}),
		}
		if add {
			add := multipartRequest(t, "/check", url.Values{"text": {txt}, "add_to_library": {"on"}}, nil)
			add.AddCookie(f.editor)
			reqs = append(reqs, add)
		}
		for _, req := range reqs {
			if r := do(t, f.srv, req); r.Code != 200 || !strings.Contains(r.Body, bridgesSlug) {
				t.Fatalf("%s: %d, the copied passage not found: %s", req.URL, r.Code, r.Body)
			}
		}
	}

	f := newCheckFixture(t, true)
	checkAll(f, false)
	if scan(f) {
		t.Error("a checked text left a trace in the database")
	}
	// The same scan finds the text once its owner adds it: the test can fail.
	g := newCheckFixture(t, true)
	checkAll(g, true)
	if !scan(g) {
		t.Error("an added text is not in the database: the scan cannot see what it looks for")
	}
}

func TestCheckAddToLibrary(t *testing.T) {
	f := newCheckFixture(t, true)
	txt := ownWords + "\n\n" + "A second paragraph of my own, long enough to be an essay of sorts."
	addReq := func() *http.Request {
		req := multipartRequest(t, "/check", url.Values{"text": {txt}, "add_to_library": {"on"}}, nil)
		req.AddCookie(f.editor)
		return req
	}
	// Only editors add: a reader who ticks the box anyway is refused
	// before anything is checked or stored.
	if r := do(t, f.srv, multipartRequest(t, "/check", url.Values{"text": {txt}, "add_to_library": {"on"}}, nil)); r.Code != http.StatusUnauthorized {
		t.Errorf("anonymous add: %d, want 401", r.Code)
	}
	if _, n, _ := f.st.Essays(context.Background(), ibid.EssayFilter{Limit: 1}); n != len(checkEssays) {
		t.Fatalf("after a refused add: %d essays, want %d", n, len(checkEssays))
	}
	r := do(t, f.srv, addReq())
	if r.Code != 200 || !strings.Contains(r.Body, "Your document was added to the library") {
		t.Fatalf("add: %d", r.Code)
	}
	m := regexp.MustCompile(`id="added">[^<]*<a href="/essays/([^"]+)"`).FindStringSubmatch(r.Body)
	if m == nil {
		t.Fatal("no link to the added essay")
	}
	e, err := f.st.Essay(context.Background(), m[1])
	if err != nil || e.Text != ibid.CanonicalText(textBlocks(txt)) || !strings.HasPrefix(e.Source, "upload:") {
		t.Fatalf("added essay %+v, %v", e, err)
	}
	// Adding the same text again is no error.
	r = do(t, f.srv, addReq())
	if r.Code != 200 || !strings.Contains(r.Body, "already in the library") {
		t.Errorf("adding twice: %d", r.Code)
	}
}

func TestEssayHighlight(t *testing.T) {
	f := newCheckFixture(t, true)
	e, err := f.st.Essay(context.Background(), bridgesSlug)
	if err != nil {
		t.Fatal(err)
	}
	// A span from the end of the first paragraph into the second.
	tail := "and indulgences granted to those who contributed to the cost."
	off := runeIndex(e.Text, tail)
	n := utf8.RuneCountInString(tail) + 2 + utf8.RuneCountInString("Masons began")
	tests := []struct {
		hl      string
		want    []string
		notWant []string
	}{
		{fmt.Sprintf("%d-%d", off, n), []string{
			`<mark class="hl-passage" id="hl">` + tail + `</mark>`,
			`<p><mark class="hl-passage">Masons began</mark> by driving`,
		}, nil},
		{"0-8", []string{`<p><mark class="hl-passage" id="hl">Building</mark> a stone`}, nil},
		{"x", nil, []string{"<mark"}},
		{"5-0", nil, []string{"<mark"}},
		{"999999-5", nil, []string{"<mark"}},
	}
	for _, tt := range tests {
		r := get(t, f.srv, "/essays/"+bridgesSlug+"?hl="+tt.hl)
		if r.Code != 200 {
			t.Fatalf("hl=%s: %d", tt.hl, r.Code)
		}
		checkHTML(t, "hl="+tt.hl, r.Body)
		for _, w := range tt.want {
			if !strings.Contains(r.Body, w) {
				t.Errorf("hl=%s: page lacks %s", tt.hl, w)
			}
		}
		for _, w := range tt.notWant {
			if strings.Contains(r.Body, w) {
				t.Errorf("hl=%s: page has %s", tt.hl, w)
			}
		}
	}
}

func TestMarkText(t *testing.T) {
	tests := []struct {
		name  string
		text  string
		marks []markSpan
		want  string
	}{
		{"plain paragraphs", "One.\n\nTwo\nlines.\n \n\nThree <&>", nil,
			"<p>One.</p>\n<p>Two<br>\nlines.</p>\n<p>Three &lt;&amp;&gt;</p>"},
		{"a passage across a paragraph break", "Aa bb.\n\nCc dd.", []markSpan{{Span: ibid.Span{Offset: 3, Length: 8}, Passage: 1, Source: 2, Color: 2}},
			`<p>Aa <mark class="hl src-2" id="m1"><a class="badge src-2" href="#p1" aria-label="Passage 1 from source 2: compare">2</a>bb.</mark></p>` + "\n" +
				`<p><mark class="hl src-2">Cc </mark>dd.</p>`},
		{"overlap keeps the earlier passage", "abcdef", []markSpan{
			{Span: ibid.Span{Offset: 0, Length: 4}, Passage: 1, Source: 1, Color: 1},
			{Span: ibid.Span{Offset: 2, Length: 4}, Passage: 2, Source: 2, Color: 2},
		}, `<p><mark class="hl src-1" id="m1"><a class="badge src-1" href="#p1" aria-label="Passage 1 from source 1: compare">1</a>abcd</mark>` +
			`<mark class="hl src-2" id="m2"><a class="badge src-2" href="#p2" aria-label="Passage 2 from source 2: compare">2</a>ef</mark></p>`},
		{"spans out of range are clamped", "ab", []markSpan{{Span: ibid.Span{Offset: 1, Length: 50}, Passage: 1, Source: 1, Color: 1}},
			`<p>a<mark class="hl src-1" id="m1"><a class="badge src-1" href="#p1" aria-label="Passage 1 from source 1: compare">1</a>b</mark></p>`},
	}
	for _, tt := range tests {
		if got := string(markText([]rune(tt.text), tt.marks)); got != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.name, got, tt.want)
		}
	}
}

func TestDiffWords(t *testing.T) {
	a, b := diffWords("The figure rose <fast>.", "the figure climbed fast", nil, nil)
	if string(a) != `The figure <span class="diff">rose</span> &lt;fast&gt;.` || string(b) != `the figure <span class="diff">climbed</span> fast` {
		t.Errorf("diff: %s | %s", a, b)
	}
	// "rose" is at rune 11 of its side, "climbed" at 11 of the other.
	a, b = diffWords("The figure rose <fast>.", "the figure climbed fast", map[int]bool{11: true}, map[int]bool{11: true})
	if string(a) != `The figure <span class="diff swap">rose</span> &lt;fast&gt;.` || string(b) != `the figure <span class="diff swap">climbed</span> fast` {
		t.Errorf("swaps: %s | %s", a, b)
	}
}

func TestPercentAndVerdict(t *testing.T) {
	for _, tt := range []struct {
		f    float64
		want string
	}{{0, "0%"}, {0.001, "<1%"}, {0.234, "23%"}, {1, "100%"}} {
		if got := percent(tt.f); got != tt.want {
			t.Errorf("percent(%v) = %s, want %s", tt.f, got, tt.want)
		}
	}
	for _, tt := range []struct {
		rep   ibid.Report
		level string
	}{
		{ibid.Report{}, "none"},
		{ibid.Report{Similarity: 0.05, Sources: make([]ibid.SourceMatch, 1)}, "low"},
		{ibid.Report{Similarity: 0.2, Sources: make([]ibid.SourceMatch, 2)}, "moderate"},
		{ibid.Report{Similarity: 0.9, Sources: make([]ibid.SourceMatch, 1)}, "high"},
	} {
		if level, line := verdict(&tt.rep); level != tt.level || line == "" {
			t.Errorf("verdict(%v) = %s %q, want %s", tt.rep.Similarity, level, line, tt.level)
		}
	}
}

// FuzzMarkText checks that any text with any passage spans draws as
// balanced HTML whose text, tags and badges removed, is the submitted text
// with its line breaks turned into paragraph and line breaks.
func FuzzMarkText(f *testing.F) {
	f.Add("Aa bb.\n\nCc dd.", 3, 8, 0, 2)
	f.Add("<script>\n \n\n&amp;", 0, 3, 2, 100)
	f.Add("héllo wörld", -5, 7, 6, 0)
	f.Fuzz(func(t *testing.T, s string, o1, l1, o2, l2 int) {
		if !utf8.ValidString(s) {
			return
		}
		r := []rune(s)
		marks := []markSpan{
			{Span: ibid.Span{Offset: o1, Length: l1}, Passage: 1, Source: 1, Color: 1},
			{Span: ibid.Span{Offset: o2, Length: l2}, Passage: 2, Source: 2, Color: 2},
		}
		out := string(markText(r, marks))
		if strings.Count(out, "<mark") != strings.Count(out, "</mark>") || strings.Count(out, "<p>") != strings.Count(out, "</p>") {
			t.Fatalf("unbalanced: %q", out)
		}
		plain := regexp.MustCompile(`<a class="badge[^>]*>\d+</a>`).ReplaceAllString(out, "")
		plain = regexp.MustCompile(`<[^>]*>`).ReplaceAllString(plain, "")
		plain = htmlUnescape(plain)
		// Line breaks become markup; everything else survives in order.
		strip := func(s string) string {
			return strings.Join(strings.FieldsFunc(s, func(c rune) bool { return c == '\n' || isSpaceRune(c) }), "")
		}
		// HTML escaping turns NUL into U+FFFD, as it must.
		if strip(plain) != strip(strings.ReplaceAll(s, "\x00", "\uFFFD")) {
			t.Fatalf("text changed:\n in %q\nout %q", s, plain)
		}
	})
}

// FuzzHighlightBlocks checks that a highlight never breaks an essay's text:
// whatever the span, each block shows its own text, escaped, with at most
// one balanced mark.
func FuzzHighlightBlocks(f *testing.F) {
	f.Add("First <b>para</b>.", "Item one\nItem two", 3, 20)
	f.Add("", "x", 0, 1)
	f.Fuzz(func(t *testing.T, a, items string, off, n int) {
		if !utf8.ValidString(a) || !utf8.ValidString(items) {
			return
		}
		blocks := []blockView{
			{Type: ibid.Paragraph, Text: a},
			{Type: ibid.List, Items: strings.Split(items, "\n")},
			{Type: ibid.Heading, Text: a},
		}
		highlightBlocks(blocks, ibid.Span{Offset: off, Length: n})
		ids := 0
		check := func(orig string, h template.HTML) {
			if h == "" {
				return
			}
			s := string(h)
			ids += strings.Count(s, `id="hl"`)
			if strings.Count(s, "<mark") != 1 || strings.Count(s, "</mark>") != 1 {
				t.Fatalf("marks in %q", s)
			}
			plain := htmlUnescape(regexp.MustCompile(`<[^>]*>`).ReplaceAllString(s, ""))
			if plain != strings.ReplaceAll(orig, "\x00", "\uFFFD") {
				t.Fatalf("text %q became %q", orig, plain)
			}
		}
		for _, b := range blocks {
			check(b.Text, b.Marked)
			for i, m := range b.MarkedItems {
				if m == "" && b.Items[i] != "" {
					t.Fatalf("item %d drawn empty", i)
				}
				if strings.Contains(string(m), "<mark") {
					check(b.Items[i], m)
				}
			}
		}
		if ids > 1 {
			t.Fatalf("%d marks with id hl", ids)
		}
	})
}

// checkBenchText is a 4,000-word text of which a few paragraphs are copied
// from the library.
func checkBenchText() string {
	var b strings.Builder
	words := strings.Fields(ownWords)
	n := 0
	for i := 0; n < 4000; i++ {
		if i%5 == 4 {
			b.WriteString(bridgesCopied)
			n += len(strings.Fields(bridgesCopied))
		} else {
			for k := range 60 {
				b.WriteString(words[(i*7+k*3)%len(words)])
				b.WriteByte(' ')
			}
			n += 60
		}
		b.WriteString("\n\n")
	}
	return b.String()
}

// BenchmarkAPICheck is one check of a 4,000-word text through the JSON API.
func BenchmarkAPICheck(b *testing.B) {
	f := newCheckFixture(b, true)
	body, _ := json.Marshal(map[string]any{"text": checkBenchText()})
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest("POST", "/api/check", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		f.srv.ServeHTTP(rec, req)
		if rec.Code != 200 {
			b.Fatal(rec.Code)
		}
	}
}

// BenchmarkCheckPage is the same check drawn as a report page.
func BenchmarkCheckPage(b *testing.B) {
	f := newCheckFixture(b, true)
	form := url.Values{"text": {checkBenchText()}}.Encode()
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest("POST", "/check", strings.NewReader(form))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		f.srv.ServeHTTP(rec, req)
		if rec.Code != 200 {
			b.Fatal(rec.Code)
		}
	}
}

// canalSpun is the first two paragraphs of "The Canal Age in Britain" with
// many of their words swapped for synonyms, as a spinner would.
const canalSpun = "Between the 1760s and the 1830s Britain excavated thousands of miles of canals. Coal proprietors " +
	"desired an inexpensive way to shift heavy loads, and a lone horse could draw on water a weight that would " +
	"require dozens of horses on the rutted roads of the era.\n\n" +
	"Engineers such as James Brindley trailed the outlines of the land wherever they could, because locks were " +
	"costly to construct and slow to pass. Where a vale could not be avoided they constructed aqueducts, and " +
	"where a hill stood in the way they carved tunnels through it."

// TestAPICheckSpunCopy: a spun copy of a library essay is found as a
// paraphrased passage that lists the synonyms swapped in.
func TestAPICheckSpunCopy(t *testing.T) {
	f := newCheckFixture(t, true)
	rec := httptest.NewRecorder()
	body, _ := json.Marshal(map[string]any{"text": canalSpun})
	req := httptest.NewRequest("POST", "/api/check", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	f.srv.ServeHTTP(rec, req)
	if rec.Code != 200 {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	var rep ibid.Report
	if err := json.Unmarshal(rec.Body.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Sources) != 1 || !strings.Contains(rep.Sources[0].Title, "Canal") || rep.Similarity < 0.8 {
		t.Fatalf("report %+v, want the canal essay as the source of most of the text", rep)
	}
	sub := []rune(canalSpun)
	var swaps []string
	for _, p := range rep.Sources[0].Passages {
		if p.Kind != ibid.Paraphrased {
			t.Errorf("passage %+v is %s, want paraphrased", p.Submitted, p.Kind)
		}
		for _, s := range p.Substitutions {
			swaps = append(swaps, string(sub[s.Submitted.Offset:s.Submitted.End()]))
		}
	}
	for _, want := range []string{"proprietors", "construct"} {
		if !slices.Contains(swaps, want) {
			t.Errorf("substitutions %q lack %q", swaps, want)
		}
	}
}
