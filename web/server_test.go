package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/ibid-dev/ibid"
)

// countingExporter writes a small text rendering and counts its calls, to
// show when the cache answers.
type countingExporter struct {
	ext, label, ctype string
	calls             atomic.Int32
	fail              bool
}

func (x *countingExporter) Format() (string, string, string) { return x.ext, x.label, x.ctype }

func (x *countingExporter) Export(w io.Writer, e *ibid.Essay) error {
	x.calls.Add(1)
	if x.fail {
		return errors.New("renderer exploded at /srv/secret/path")
	}
	_, err := fmt.Fprintf(w, "%s\n\n%s\n", e.Title, e.Text)
	return err
}

func TestExport(t *testing.T) {
	pdf := &countingExporter{ext: "pdf", label: "PDF", ctype: "application/pdf"}
	txt := &countingExporter{ext: "txt", label: "Plain text", ctype: "text/plain; charset=utf-8"}
	csl := &countingExporter{ext: "csl.json", label: "CSL-JSON", ctype: "application/vnd.citationstyles.csl+json"}
	bad := &countingExporter{ext: "docx", label: "Word", ctype: "application/octet-stream", fail: true}
	s, logs := newServer(t, Config{Exporters: []ibid.Exporter{pdf, txt, csl, bad}})

	// The essay page offers them: PDF as the primary action, the rest in
	// the "Download as…" menu.
	page := get(t, s, "/essays/"+longSlug).Body
	for _, w := range []string{
		`<a class="btn btn-primary" href="/essays/` + longSlug + `.pdf" download>Download PDF</a>`,
		"Download as…", `href="/essays/` + longSlug + `.txt" download>Plain text</a>`,
		`href="/essays/` + longSlug + `.csl.json" download>CSL-JSON</a>`,
	} {
		if !strings.Contains(page, w) {
			t.Errorf("essay page lacks %q", w)
		}
	}

	essay := get(t, s, "/api/essays/"+longSlug)
	if essay.Code != 200 {
		t.Fatal(essay.Body)
	}
	tests := []struct {
		x        *countingExporter
		filename string
	}{
		{pdf, longSlug + ".pdf"},
		{txt, longSlug + ".txt"},
		{csl, longSlug + ".csl.json"},
	}
	for _, tt := range tests {
		t.Run(tt.x.ext, func(t *testing.T) {
			path := "/essays/" + longSlug + "." + tt.x.ext
			r := get(t, s, path)
			if r.Code != 200 {
				t.Fatalf("status %d: %s", r.Code, r.Body)
			}
			if got := r.Header.Get("Content-Type"); got != tt.x.ctype {
				t.Errorf("Content-Type %q, want %q", got, tt.x.ctype)
			}
			if got, want := r.Header.Get("Content-Disposition"), `attachment; filename=`+tt.filename; got != want {
				t.Errorf("Content-Disposition %q, want %q", got, want)
			}
			if !strings.HasPrefix(r.Body, "Soviet Foreign Policy, 1917–1941\n\n") {
				t.Errorf("body starts %.60q", r.Body)
			}
			etag := r.Header.Get("ETag")
			if len(etag) != 66 || etag[0] != '"' {
				t.Errorf("ETag %q, want the quoted content hash", etag)
			}
			// A second download comes from the cache, a revalidation is a 304.
			if again := get(t, s, path); again.Body != r.Body || tt.x.calls.Load() != 1 {
				t.Errorf("second download: %d exporter calls, want 1", tt.x.calls.Load())
			}
			if nm := get(t, s, path, "If-None-Match", etag); nm.Code != http.StatusNotModified {
				t.Errorf("If-None-Match: status %d, want 304", nm.Code)
			}
		})
	}

	// Upper-case extensions work; unknown ones and unknown essays are 404s.
	if r := get(t, s, "/essays/"+longSlug+".TXT"); r.Code != 200 {
		t.Errorf(".TXT: status %d", r.Code)
	}
	for _, p := range []string{"/essays/" + longSlug + ".epub", "/essays/no-such-essay.pdf"} {
		if r := get(t, s, p); r.Code != 404 || r.Header.Get("Content-Disposition") != "" {
			t.Errorf("%s: status %d, Content-Disposition %q", p, r.Code, r.Header.Get("Content-Disposition"))
		}
	}

	// A failing exporter is an internal error: logged with its detail,
	// shown without it.
	logs.Reset()
	r := get(t, s, "/essays/"+longSlug+".docx")
	if r.Code != 500 || strings.Contains(r.Body, "secret") || !strings.Contains(r.Body, "An internal error occurred.") {
		t.Errorf("failing exporter: status %d, body %.300s", r.Code, r.Body)
	}
	if !strings.Contains(logs.String(), "renderer exploded") {
		t.Errorf("the internal error was not logged: %q", logs)
	}
}

func TestNewRejectsBadExporters(t *testing.T) {
	store := openStore(t)
	a := &countingExporter{ext: "pdf", label: "PDF", ctype: "application/pdf"}
	b := &countingExporter{ext: ".PDF", label: "Other PDF", ctype: "application/pdf"}
	noType := &countingExporter{ext: "txt"}
	if _, err := New(store, Config{Exporters: []ibid.Exporter{a, b}}); err == nil {
		t.Error("two exporters for pdf were accepted")
	}
	if _, err := New(store, Config{Exporters: []ibid.Exporter{noType}}); err == nil {
		t.Error("an exporter without a content type was accepted")
	}
	if _, err := New(nil, Config{}); err == nil {
		t.Error("a nil store was accepted")
	}
}

func TestServeError(t *testing.T) {
	tests := []struct {
		err      error
		status   int
		code     string
		message  string
		loggedAt string // "" when not logged
	}{
		{ibid.Errorf(ibid.EINVALID, "Bad input."), 400, "invalid", "Bad input.", ""},
		{ibid.Errorf(ibid.EUNAUTHORIZED, "Sign in."), 401, "unauthorized", "Sign in.", ""},
		{ibid.Errorf(ibid.EFORBIDDEN, "Not yours."), 403, "forbidden", "Not yours.", ""},
		{ibid.Errorf(ibid.ENOTFOUND, "No such essay."), 404, "not_found", "No such essay.", ""},
		{ibid.Errorf(ibid.ECONFLICT, "Already there."), 409, "conflict", "Already there.", ""},
		{ibid.Errorf(ibid.ETOOLARGE, "Too big."), 413, "too_large", "Too big.", ""},
		{ibid.Errorf(ibid.ERATELIMIT, "Slow down."), 429, "rate_limited", "Slow down.", ""},
		{&ibid.Error{Code: ibid.EUNAVAILABLE, Message: "Busy.", Err: errors.New("pool drained")}, 503, "unavailable", "Busy.", "WARN"},
		{fmt.Errorf("query: %w", errors.New("disk I/O error at /var/lib/secret.db")), 500, "internal", "An internal error occurred.", "ERROR"},
		{fmt.Errorf("wrapped: %w", ibid.Errorf(ibid.ENOTFOUND, "Gone.")), 404, "not_found", "Gone.", ""},
		{&ibid.Error{Code: "made_up", Message: "Odd."}, 500, "internal", "An internal error occurred.", "ERROR"},
	}
	for _, tt := range tests {
		for _, path := range []string{"/api/essays", "/essays"} {
			t.Run(tt.code+path, func(t *testing.T) {
				var logs bytes.Buffer
				s := &Server{cfg: Config{SiteName: "ibid"}, log: slog.New(slog.NewTextHandler(&logs, nil))}
				var err error
				if s.static, err = loadStatic(); err != nil {
					t.Fatal(err)
				}
				if s.pages, err = s.parseTemplates(); err != nil {
					t.Fatal(err)
				}
				rec := httptest.NewRecorder()
				s.serveError(rec, httptest.NewRequest("GET", path, nil), tt.err)
				if rec.Code != tt.status {
					t.Errorf("status %d, want %d", rec.Code, tt.status)
				}
				body := rec.Body.String()
				if strings.Contains(body, "secret") || strings.Contains(body, "pool drained") {
					t.Errorf("internal detail shown: %s", body)
				}
				if strings.HasPrefix(path, "/api/") {
					var v apiErr
					if err := decodeStrict(body, &v); err != nil || v.Error.Code != tt.code || v.Error.Message != tt.message {
						t.Errorf("body %s (%v), want code %q message %q", body, err, tt.code, tt.message)
					}
				} else if !strings.Contains(body, "<!doctype html>") || !strings.Contains(body, tt.message) {
					t.Errorf("HTML error page lacks %q:\n%.400s", tt.message, body)
				}
				logged := logs.String()
				switch {
				case tt.loggedAt == "" && logged != "":
					t.Errorf("logged a client error: %s", logged)
				case tt.loggedAt != "" && !strings.Contains(logged, "level="+tt.loggedAt):
					t.Errorf("log %q, want level %s", logged, tt.loggedAt)
				}
			})
		}
	}
}

func decodeStrict(s string, v any) error {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// panicStore panics on every listing, as a buggy store might.
type panicStore struct{ ibid.Store }

func (panicStore) Subjects(ctx context.Context) ([]ibid.Count, error) { panic("boom") }

func TestPanicIsAnInternalError(t *testing.T) {
	var logs bytes.Buffer
	s, err := New(panicStore{openStore(t)}, Config{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	r := get(t, s, "/subjects")
	if r.Code != 500 || strings.Contains(r.Body, "boom") || !strings.Contains(logs.String(), "panic: boom") {
		t.Errorf("status %d, log %q", r.Code, logs.String())
	}
}

func TestFormatInt(t *testing.T) {
	tests := []struct {
		n    int
		want string
	}{
		{0, "0"}, {7, "7"}, {999, "999"}, {1000, "1,000"}, {3836, "3,836"}, {12345, "12,345"},
		{100000, "100,000"}, {1234567, "1,234,567"}, {-4200, "-4,200"},
	}
	for _, tt := range tests {
		if got := formatInt(tt.n); got != tt.want {
			t.Errorf("formatInt(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
}

func TestMetaLine(t *testing.T) {
	s := &Server{cfg: Config{WordsPerPage: 500}}
	tests := []struct {
		words int
		want  string
	}{
		{3836, "3,836 words · 8 pages · 16 min read"},
		{1, "1 word · 1 page · 1 min read"},
		{500, "500 words · 1 page · 2 min read"},
		{501, "501 words · 2 pages · 2 min read"},
	}
	for _, tt := range tests {
		if got := s.metaLine(tt.words); got != tt.want {
			t.Errorf("metaLine(%d) = %q, want %q", tt.words, got, tt.want)
		}
	}
	s.cfg.WordsPerPage = 250
	if got := s.metaLine(3836); got != "3,836 words · 16 pages · 16 min read" {
		t.Errorf("250 words a page: %q", got)
	}
}

func TestSnippetHTML(t *testing.T) {
	const m, e = ibid.SnippetMark, ibid.SnippetEnd
	tests := []struct {
		in, want string
	}{
		{"plain", "plain"},
		{"the " + m + "treaty" + e + " of " + m + "Rapallo" + e, "the <mark>treaty</mark> of <mark>Rapallo</mark>"},
		{"<script>" + m + "x" + e + "</script> & \"q\"", "&lt;script&gt;<mark>x</mark>&lt;/script&gt; &amp; &#34;q&#34;"},
		{m + "unclosed", "<mark>unclosed</mark>"},
		{"stray" + e + " end", "stray end"},
		{m + m + "double" + e + e, "<mark>double</mark>"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := string(snippetHTML(tt.in)); got != tt.want {
			t.Errorf("snippetHTML(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// FuzzSnippetHTML checks that whatever a store returns, the rendered
// snippet holds no markup but balanced <mark> elements.
func FuzzSnippetHTML(f *testing.F) {
	for _, s := range []string{"a \uE000b\uE001 c", "<b>\uE000", "\uE001\uE001&amp;", "x\uE000<\uE000>\uE001"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := string(snippetHTML(s))
		rest := strings.ReplaceAll(strings.ReplaceAll(out, "<mark>", ""), "</mark>", "")
		if strings.ContainsAny(rest, "<>\"") {
			t.Fatalf("unescaped markup in %q", out)
		}
		depth := 0
		for i := 0; i < len(out); i++ {
			switch {
			case strings.HasPrefix(out[i:], "<mark>"):
				depth++
			case strings.HasPrefix(out[i:], "</mark>"):
				depth--
			}
			if depth < 0 || depth > 1 {
				t.Fatalf("unbalanced marks in %q", out)
			}
		}
		if depth != 0 {
			t.Fatalf("unclosed mark in %q", out)
		}
	})
}

func TestPager(t *testing.T) {
	q := url.Values{"q": {"a b"}, "page": {"3"}}
	tests := []struct {
		page, total int
		want        string // links: numbers, "…" for gaps, [n] for the current page
		prev, next  string
	}{
		{1, 0, "[1]", "", ""},
		{1, 20, "[1]", "", ""},
		{1, 21, "[1] 2", "", "/search?page=2&q=a+b"},
		{2, 21, "1 [2]", "/search?q=a+b", ""},
		{5, 200, "1 2 3 4 [5] 6 7 … 10", "/search?page=4&q=a+b", "/search?page=6&q=a+b"},
		{10, 200, "1 … 8 9 [10]", "/search?page=9&q=a+b", ""},
	}
	for _, tt := range tests {
		p, err := newPager("/search", q, tt.page, tt.total)
		if err != nil {
			t.Fatal(err)
		}
		var parts []string
		for _, l := range p.Links {
			switch {
			case l.Gap:
				parts = append(parts, "…")
			case l.Current:
				parts = append(parts, fmt.Sprintf("[%d]", l.N))
			default:
				parts = append(parts, fmt.Sprint(l.N))
			}
		}
		if got := strings.Join(parts, " "); got != tt.want || p.Prev != tt.prev || p.Next != tt.next {
			t.Errorf("page %d of %d items: %q prev %q next %q; want %q %q %q", tt.page, tt.total, got, p.Prev, p.Next, tt.want, tt.prev, tt.next)
		}
	}
	if _, err := newPager("/essays", nil, 3, 40); ibid.ErrorCode(err) != ibid.ENOTFOUND {
		t.Errorf("page past the end: %v", err)
	}
}

func TestLRUCache(t *testing.T) {
	c := newLRUCache(10)
	c.add("a", []byte("aaaa"))
	c.add("b", []byte("bbbb"))
	c.get("a") // a is now the most recent
	c.add("c", []byte("cccc"))
	if _, ok := c.get("b"); ok {
		t.Error("b should have been evicted as least recently used")
	}
	for _, k := range []string{"a", "c"} {
		if _, ok := c.get(k); !ok {
			t.Errorf("%s was evicted", k)
		}
	}
	c.add("huge", make([]byte, 11))
	if _, ok := c.get("huge"); ok {
		t.Error("an entry larger than the cache was kept")
	}
	c.add("a", []byte("a")) // replacing shrinks
	if c.size != 5 || c.order.Len() != 2 {
		t.Errorf("size %d with %d entries, want 5 and 2", c.size, c.order.Len())
	}
}

func TestOtherMethodsAreRefused(t *testing.T) {
	s, _ := newServer(t, Config{})
	const get, getPost = "GET, HEAD", "GET, HEAD, POST"
	tests := []struct {
		method, path string
		allow        string // "" wants a 404
	}{
		{"POST", "/api/search", get},
		{"POST", "/essays/" + longSlug, get},
		{"PUT", "/essays/" + longSlug, get},
		{"POST", "/", get},
		{"DELETE", "/subjects", get},
		{"POST", "/static/style.css", get},
		{"POST", "/healthz", get},
		{"GET", "/api/check", "POST"},
		{"PUT", "/api/check", "POST"},
		{"PUT", "/check", getPost},
		{"DELETE", "/check", getPost},
		{"PUT", "/login", getPost},
		{"GET", "/logout", "POST"},
		{"PUT", "/api/essays", "GET, HEAD, POST"},
		{"POST", "/api/essays/" + longSlug, "GET, HEAD, PATCH, DELETE"},
		{"PUT", "/essays/" + longSlug + "/edit", getPost},
		{"GET", "/account/password", "POST"},
		{"PUT", "/no/such/page", ""},
		{"GET", "/api/nothing", ""},
	}
	for _, tt := range tests {
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, httptest.NewRequest(tt.method, tt.path, strings.NewReader("x=1")))
		want := http.StatusMethodNotAllowed
		if tt.allow == "" {
			want = http.StatusNotFound
		}
		if rec.Code != want || rec.Header().Get("Allow") != tt.allow {
			t.Errorf("%s %s: status %d, Allow %q; want %d, Allow %q", tt.method, tt.path, rec.Code, rec.Header().Get("Allow"), want, tt.allow)
		}
		body := rec.Body.String()
		if strings.HasPrefix(tt.path, "/api/") {
			if !strings.Contains(body, `"error"`) {
				t.Errorf("%s %s: not a JSON error: %s", tt.method, tt.path, body)
			}
		} else if tt.allow != "" && !strings.Contains(body, "This address answers only") {
			t.Errorf("%s %s: the page does not say which methods work: %s", tt.method, tt.path, body)
		}
	}
	// HEAD is answered like GET, without a body.
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest("HEAD", "/essays/"+longSlug, nil))
	if rec.Code != 200 {
		t.Errorf("HEAD: status %d", rec.Code)
	}
}

func TestDescription(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{"Short text.", 20, "Short text."},
		{"  spaced\n out  ", 20, "spaced out"},
		{"one two three four", 12, "one two…"},
		{"first, second third", 8, "first…"},
		{"Ééééééééé", 5, "Éé…"}, // no word boundary: cut between runes
	}
	for _, tt := range tests {
		if got := description(tt.in, tt.n); got != tt.want {
			t.Errorf("description(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
	}
}

// TestConcurrentDownloads runs downloads and pages side by side; with -race
// it checks the export cache's locking.
func TestConcurrentDownloads(t *testing.T) {
	txt := &countingExporter{ext: "txt", label: "Plain text", ctype: "text/plain; charset=utf-8"}
	s, _ := newServer(t, Config{Exporters: []ibid.Exporter{txt}})
	paths := []string{"/essays/" + longSlug + ".txt", "/essays/" + scriptSlug + ".txt", "/essays/" + longSlug, "/api/essays"}
	done := make(chan string)
	for i := range 8 {
		go func() {
			p := paths[i%len(paths)]
			if r := get(t, s, p); r.Code != 200 {
				done <- fmt.Sprintf("%s: %d", p, r.Code)
				return
			}
			done <- ""
		}()
	}
	for range 8 {
		if msg := <-done; msg != "" {
			t.Error(msg)
		}
	}
	// Each essay is rendered at most once per concurrent miss: never more
	// often than it was asked for.
	if n := txt.calls.Load(); n < 2 || n > 4 {
		t.Errorf("%d exports for 4 downloads of 2 essays", n)
	}
}
