package web

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ibid-dev/ibid"
	"github.com/ibid-dev/ibid/originality"
)

// emptyChecker answers every check with a report of no matches at once:
// these tests are about what happens around a check.
func emptyChecker(ctx context.Context, text string, opt originality.Options) (*ibid.Report, error) {
	return &ibid.Report{Words: 2}, nil
}

// errorBody decodes a JSON error body.
func errorBody(t *testing.T, r response) (code, msg string) {
	t.Helper()
	var body struct {
		Error struct{ Code, Message string }
	}
	if err := json.Unmarshal([]byte(r.Body), &body); err != nil {
		t.Fatalf("not a JSON error (%d): %.200s", r.Code, r.Body)
	}
	return body.Error.Code, body.Error.Message
}

// wantError checks a refusal: its status, and a JSON error with code under
// /api/ or an HTML error page elsewhere.
func wantError(t *testing.T, r response, path string, status int, code string) {
	t.Helper()
	if r.Code != status {
		t.Fatalf("%s: status %d, want %d: %.300s", path, r.Code, status, r.Body)
	}
	if strings.HasPrefix(path, "/api/") {
		if got, _ := errorBody(t, r); got != code {
			t.Errorf("%s: code %q, want %q", path, got, code)
		}
		return
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Errorf("%s: Content-Type %q, want an HTML page", path, ct)
	}
	if !strings.Contains(r.Body, "</html>") {
		t.Errorf("%s: not a whole page: %.200s", path, r.Body)
	}
}

// checkRequest returns a small valid check for path: JSON for the API, a
// form for the page.
func smallCheck(t *testing.T, path string) *http.Request {
	t.Helper()
	if strings.HasPrefix(path, "/api/") {
		return jsonRequest(path, map[string]any{"text": "two words"})
	}
	return multipartRequest(t, path, url.Values{"text": {"two words"}}, nil)
}

func TestCrossOriginRequestsAreRefused(t *testing.T) {
	s, _ := newServer(t, Config{Checker: emptyChecker, BaseURL: "https://ibid.example.org/"})
	tests := []struct {
		name   string
		method string
		header []string // name, value pairs
		want   int
	}{
		{"no browser headers (curl, the CLI)", "POST", nil, 200},
		{"same origin by Sec-Fetch-Site", "POST", []string{"Sec-Fetch-Site", "same-origin"}, 200},
		{"typed in the address bar", "POST", []string{"Sec-Fetch-Site", "none"}, 200},
		{"same origin by Origin", "POST", []string{"Origin", "http://example.com"}, 200},
		{"the public origin behind a proxy", "POST", []string{"Origin", "https://ibid.example.org"}, 200},
		{"cross-site form", "POST", []string{"Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example"}, 403},
		{"same-site but other origin", "POST", []string{"Sec-Fetch-Site", "same-site"}, 403},
		{"cross origin, old browser", "POST", []string{"Origin", "https://evil.example"}, 403},
		{"cross-site GET is a read", "GET", []string{"Sec-Fetch-Site", "cross-site"}, 200},
	}
	for _, path := range []string{"/api/check", "/check"} {
		for _, tt := range tests {
			t.Run(path+"/"+tt.name, func(t *testing.T) {
				req := smallCheck(t, path)
				if tt.method == "GET" {
					req = httptest.NewRequest("GET", path, nil)
					if path == "/api/check" {
						return // the API has no GET form
					}
				}
				for i := 0; i+1 < len(tt.header); i += 2 {
					req.Header.Set(tt.header[i], tt.header[i+1])
				}
				r := do(t, s, req)
				if tt.want == 200 {
					if r.Code != 200 {
						t.Fatalf("status %d: %.300s", r.Code, r.Body)
					}
					return
				}
				wantError(t, r, path, tt.want, ibid.EFORBIDDEN)
			})
		}
	}
}

func TestBodyLimits(t *testing.T) {
	s, _ := newServer(t, Config{Checker: emptyChecker})
	small, _ := newServer(t, Config{Checker: emptyChecker, Limits: Limits{MaxBodyBytes: 4 << 10}})
	const big = 30 << 20
	tests := []struct {
		name    string
		srv     *Server
		path    string
		ctype   string
		prefix  string // before the endless 'a's
		size    int64
		chunked bool // sent without Content-Length: the limit bites while reading
	}{
		{"30 MB JSON check", s, "/api/check", "application/json", `{"text":"`, big, false},
		{"30 MB JSON check, chunked", s, "/api/check", "application/json", `{"text":"`, big, true},
		{"30 MB form check", s, "/check", "application/x-www-form-urlencoded", "text=", big, false},
		{"30 MB form check, chunked", s, "/check", "application/x-www-form-urlencoded", "text=", big, true},
		{"60 MB to a route that reads no body", s, "/essays", "text/plain", "", 60 << 20, false},
		{"over a small server limit, chunked", small, "/api/check", "application/json", `{"text":"`, 8 << 10, true},
		{"over a small server limit", small, "/check", "application/x-www-form-urlencoded", "text=", 8 << 10, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := io.MultiReader(strings.NewReader(tt.prefix), &endless{tt.size})
			req := httptest.NewRequest("POST", tt.path, body)
			req.Header.Set("Content-Type", tt.ctype)
			req.ContentLength = int64(len(tt.prefix)) + tt.size
			if tt.chunked {
				req.ContentLength = -1
			}
			wantError(t, do(t, tt.srv, req), tt.path, 413, ibid.ETOOLARGE)
		})
	}
	// The limits leave room for what is allowed.
	if r := do(t, small, smallCheck(t, "/api/check")); r.Code != 200 {
		t.Errorf("a small check under a small limit: %d %s", r.Code, r.Body)
	}
}

func TestCheckRateLimit(t *testing.T) {
	s, _ := newServer(t, Config{Checker: emptyChecker, Limits: Limits{
		CheckRate:      3,
		TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")},
	}})
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	s.gate.rate.now = func() time.Time { return now }
	from := func(path, remote, forwarded string) response {
		req := smallCheck(t, path)
		req.RemoteAddr = remote
		if forwarded != "" {
			req.Header.Set("X-Forwarded-For", forwarded)
		}
		return do(t, s, req)
	}
	// Three checks a minute: the API and the page share the bucket.
	for i, path := range []string{"/api/check", "/check", "/api/check"} {
		if r := from(path, "192.0.2.1:1000", ""); r.Code != 200 {
			t.Fatalf("check %d: %d %s", i+1, r.Code, r.Body)
		}
	}
	for _, path := range []string{"/api/check", "/check"} {
		r := from(path, "192.0.2.1:2000", "")
		wantError(t, r, path, 429, ibid.ERATELIMIT)
		// One token comes back every 20 seconds.
		if ra := r.Header.Get("Retry-After"); ra != "20" {
			t.Errorf("%s: Retry-After %q, want 20", path, ra)
		}
	}
	// Another client is not held back, and a forged X-Forwarded-For from
	// an untrusted address changes nothing.
	if r := from("/api/check", "198.51.100.7:1000", ""); r.Code != 200 {
		t.Errorf("another client: %d", r.Code)
	}
	if r := from("/api/check", "192.0.2.1:1000", "203.0.113.9"); r.Code != 429 {
		t.Errorf("forged X-Forwarded-For: %d, want 429", r.Code)
	}
	// Behind a trusted proxy each forwarded client has its own bucket.
	for i := range 3 {
		if r := from("/api/check", "10.1.2.3:5000", "203.0.113.9, 10.9.9.9"); r.Code != 200 {
			t.Fatalf("proxied client, check %d: %d", i+1, r.Code)
		}
	}
	if r := from("/api/check", "10.1.2.3:5000", "203.0.113.9"); r.Code != 429 {
		t.Errorf("proxied client over its rate: %d", r.Code)
	}
	if r := from("/api/check", "10.1.2.3:5000", "203.0.113.10"); r.Code != 200 {
		t.Errorf("another proxied client: %d", r.Code)
	}
	// Time refills the bucket.
	now = now.Add(20 * time.Second)
	if r := from("/api/check", "192.0.2.1:1000", ""); r.Code != 200 {
		t.Errorf("after 20 s: %d", r.Code)
	}
	if r := from("/api/check", "192.0.2.1:1000", ""); r.Code != 429 {
		t.Errorf("a second check after 20 s: %d", r.Code)
	}
	// Reading is never rate limited.
	for range 5 {
		if r := get(t, s, "/essays"); r.Code != 200 {
			t.Fatalf("GET /essays: %d", r.Code)
		}
	}

	// Rate 0 is no limit.
	free, _ := newServer(t, Config{Checker: emptyChecker})
	for i := range 50 {
		if r := do(t, free, smallCheck(t, "/api/check")); r.Code != 200 {
			t.Fatalf("unlimited, check %d: %d", i+1, r.Code)
		}
	}
}

func TestRateLimiterForgetsIdleClients(t *testing.T) {
	l := newRateLimiter(60) // one token a second, 60 held
	l.max = 3
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l.now = func() time.Time { return now }
	for _, c := range []string{"a", "b", "c"} {
		l.allow(c)
		now = now.Add(time.Second)
	}
	if n := l.size(); n != 3 {
		t.Fatalf("%d clients, want 3", n)
	}
	// A fourth client pushes out the least recently seen, a.
	l.allow("d")
	if _, ok := l.clients["a"]; ok || l.size() != 3 {
		t.Errorf("past the cap: a still kept, or %d clients", l.size())
	}
	// A forgotten client starts again with a full bucket: no harm, since
	// only a client idle for longest is forgotten.
	for i := range 60 {
		if ok, _ := l.allow("a"); !ok {
			t.Fatalf("a's check %d refused", i+1)
		}
	}
	if ok, wait := l.allow("a"); ok || wait != time.Second {
		t.Errorf("a's 61st check: %v, wait %v", ok, wait)
	}
	// After a minute every bucket has refilled and every client is
	// forgotten at the next request.
	now = now.Add(61 * time.Second)
	l.allow("e")
	if n := l.size(); n != 1 {
		t.Errorf("%d clients after a minute idle, want 1 (e)", n)
	}
}

func TestClientAddr(t *testing.T) {
	l := Limits{TrustedProxies: mustProxies(t, "10.0.0.0/8, ::1")}
	tests := []struct {
		remote, forwarded string
		want              string // clientKey
	}{
		{"192.0.2.1:1234", "", "192.0.2.1"},
		{"192.0.2.1:1234", "203.0.113.1", "192.0.2.1"}, // untrusted: header ignored
		{"10.0.0.1:1234", "203.0.113.1", "203.0.113.1"},
		{"10.0.0.1:1234", "198.51.100.1, 203.0.113.1", "203.0.113.1"},       // the right-most untrusted hop
		{"10.0.0.1:1234", "203.0.113.1, 10.0.0.2, 10.0.0.3", "203.0.113.1"}, // through a chain of proxies
		{"10.0.0.1:1234", "10.0.0.2", "10.0.0.2"},                           // only proxies: the farthest
		{"10.0.0.1:1234", "garbage", "10.0.0.1"},
		{"10.0.0.1:1234", "", "10.0.0.1"},
		{"[::1]:1234", "2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"},
		{"[2001:db8::1]:1234", "", "2001:db8::/64"},
		{"[::ffff:192.0.2.1]:1234", "", "192.0.2.1"},
		{"not an address", "", "unknown"},
	}
	for _, tt := range tests {
		req := httptest.NewRequest("GET", "/", nil)
		req.RemoteAddr = tt.remote
		if tt.forwarded != "" {
			req.Header.Set("X-Forwarded-For", tt.forwarded)
		}
		if got := clientKey(l.clientAddr(req)); got != tt.want {
			t.Errorf("%s with X-Forwarded-For %q: %s, want %s", tt.remote, tt.forwarded, got, tt.want)
		}
	}
}

func mustProxies(t *testing.T, s string) []netip.Prefix {
	t.Helper()
	p, err := ParseProxies(s)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestParseProxies(t *testing.T) {
	tests := []struct {
		in   string
		want string // the prefixes joined by spaces, or "error"
	}{
		{"", ""},
		{"10.0.0.1", "10.0.0.1/32"},
		{" 10.0.0.0/8 , ::1,192.168.1.7/16", "10.0.0.0/8 ::1/128 192.168.0.0/16"},
		{"::ffff:10.0.0.1", "10.0.0.1/32"},
		{"10.0.0.300", "error"},
		{"10.0.0.0/33", "error"},
		{"proxy.example.org", "error"},
	}
	for _, tt := range tests {
		ps, err := ParseProxies(tt.in)
		var got []string
		for _, p := range ps {
			got = append(got, p.String())
		}
		g := strings.Join(got, " ")
		if err != nil {
			g = "error"
			if ibid.ErrorCode(err) != ibid.EINVALID {
				t.Errorf("%q: %v is not EINVALID", tt.in, err)
			}
		}
		if g != tt.want {
			t.Errorf("ParseProxies(%q) = %q, want %q", tt.in, g, tt.want)
		}
	}
}

func TestConcurrentChecksAreBounded(t *testing.T) {
	entered := make(chan struct{})
	release := make(chan struct{})
	blocking := func(ctx context.Context, text string, opt originality.Options) (*ibid.Report, error) {
		if strings.Contains(text, "block") {
			entered <- struct{}{}
			<-release
		}
		return &ibid.Report{}, nil
	}
	s, _ := newServer(t, Config{Checker: blocking, Limits: Limits{MaxChecks: 1}})
	var wg sync.WaitGroup
	wg.Add(1)
	var first response
	go func() {
		defer wg.Done()
		first = do(t, s, jsonRequest("/api/check", map[string]any{"text": "block me"}))
	}()
	<-entered
	// The one slot is taken: both the API and the page answer 503 to
	// another client (the same client is told it has its share, see
	// TestCheckSlotsAreSharedFairly).
	for _, path := range []string{"/api/check", "/check"} {
		req := smallCheck(t, path)
		req.RemoteAddr = "198.51.100.9:1000"
		r := do(t, s, req)
		wantError(t, r, path, 503, ibid.EUNAVAILABLE)
		if ra := r.Header.Get("Retry-After"); ra != "5" {
			t.Errorf("%s: Retry-After %q, want 5", path, ra)
		}
	}
	// Reading goes on meanwhile.
	if r := get(t, s, "/essays"); r.Code != 200 {
		t.Errorf("GET /essays while the checker is full: %d", r.Code)
	}
	close(release)
	wg.Wait()
	if first.Code != 200 {
		t.Errorf("the running check: %d %s", first.Code, first.Body)
	}
	if r := do(t, s, smallCheck(t, "/api/check")); r.Code != 200 {
		t.Errorf("after the slot is free: %d %s", r.Code, r.Body)
	}
}

func TestCheckQueueWaitsForASlot(t *testing.T) {
	entered := make(chan struct{})
	release := make(chan struct{})
	blocking := func(ctx context.Context, text string, opt originality.Options) (*ibid.Report, error) {
		if strings.Contains(text, "block") {
			entered <- struct{}{}
			<-release
		}
		return &ibid.Report{}, nil
	}
	// A queue far longer than the test: the waiting check must get the
	// slot when it frees, not time out.
	s, _ := newServer(t, Config{Checker: blocking, Limits: Limits{MaxChecks: 1, CheckQueue: time.Hour}})
	done := make(chan response)
	go func() { done <- do(t, s, jsonRequest("/api/check", map[string]any{"text": "block me"})) }()
	<-entered
	// From another address, since one address may hold only its share of
	// the slots (and is refused past it, not queued); and released only
	// once it waits in the queue, or the slot could free before it asks.
	second := smallCheck(t, "/api/check")
	second.RemoteAddr = "192.0.2.7:4321"
	go func() { done <- do(t, s, second) }()
	for {
		s.gate.mu.Lock()
		n := len(s.gate.waiting)
		s.gate.mu.Unlock()
		if n == 1 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	close(release)
	for range 2 {
		if r := <-done; r.Code != 200 {
			t.Errorf("status %d: %s", r.Code, r.Body)
		}
	}
}

func TestCheckTimeout(t *testing.T) {
	stuck := func(ctx context.Context, text string, opt originality.Options) (*ibid.Report, error) {
		<-ctx.Done() // a check that only ends when it is stopped
		return nil, ctx.Err()
	}
	s, logs := newServer(t, Config{Checker: stuck, Limits: Limits{CheckTimeout: time.Millisecond}})
	for _, path := range []string{"/api/check", "/check"} {
		r := do(t, s, smallCheck(t, path))
		wantError(t, r, path, 503, ibid.EUNAVAILABLE)
		if !strings.Contains(r.Body, "took longer than") {
			t.Errorf("%s: the message does not say why: %.300s", path, r.Body)
		}
	}
	if !strings.Contains(logs.String(), "deadline exceeded") {
		t.Errorf("the operator's log does not say the check timed out:\n%s", logs)
	}
}

// TestSecurityHeaders checks, in one place, the headers every response
// carries, whatever answers it: a page, a file, the API, the error pages
// and every refusal of the middleware.
func TestSecurityHeaders(t *testing.T) {
	s, _ := newServer(t, Config{Checker: emptyChecker, Limits: Limits{CheckRate: 1}})
	home := get(t, s, "/")
	css := regexp.MustCompile(`/static/[^"]+\.css`).FindString(home.Body)
	if css == "" {
		t.Fatal("no stylesheet on the home page")
	}
	cross := smallCheck(t, "/check")
	cross.Header.Set("Sec-Fetch-Site", "cross-site")
	huge := httptest.NewRequest("POST", "/api/check", &endless{1})
	huge.ContentLength = 1 << 40
	reqs := map[string]*http.Request{
		"page":          httptest.NewRequest("GET", "/", nil),
		"essay":         httptest.NewRequest("GET", "/essays/"+scriptSlug, nil),
		"static file":   httptest.NewRequest("GET", css, nil),
		"API":           httptest.NewRequest("GET", "/api/essays", nil),
		"health":        httptest.NewRequest("GET", "/healthz", nil),
		"404":           httptest.NewRequest("GET", "/nowhere", nil),
		"check":         smallCheck(t, "/api/check"),
		"rate limit":    smallCheck(t, "/api/check"), // the second of one a minute
		"cross origin":  cross,
		"body too long": huge,
	}
	// Run the check before the rate-limited one.
	order := []string{"page", "essay", "static file", "API", "health", "404", "check", "rate limit", "cross origin", "body too long"}
	want := map[string]int{"404": 404, "rate limit": 429, "cross origin": 403, "body too long": 413}
	for _, name := range order {
		r := do(t, s, reqs[name])
		if code := want[name]; code != 0 && r.Code != code || code == 0 && r.Code != 200 {
			t.Errorf("%s: status %d", name, r.Code)
		}
		csp := r.Header.Get("Content-Security-Policy")
		for _, d := range []string{"default-src 'self'", "script-src 'self'", "object-src 'none'", "frame-ancestors 'none'", "base-uri 'none'", "form-action 'self'"} {
			if !strings.Contains(csp, d) {
				t.Errorf("%s: CSP %q lacks %s", name, csp, d)
			}
		}
		if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
			t.Errorf("%s: CSP allows inline code: %q", name, csp)
		}
		for h, v := range map[string]string{
			"X-Content-Type-Options": "nosniff",
			"Referrer-Policy":        "same-origin",
			"X-Frame-Options":        "DENY",
		} {
			if got := r.Header.Get(h); got != v {
				t.Errorf("%s: %s %q, want %q", name, h, got, v)
			}
		}
		if strings.Contains(r.Header.Get("Content-Type"), "html") {
			noInlineCode(t, name, r.Body)
		}
	}
}

// noInlineCode fails when a page holds code the CSP would block: a script
// element without src, or an event handler attribute.
func noInlineCode(t *testing.T, name, page string) {
	t.Helper()
	for _, tag := range regexp.MustCompile(`(?i)<script\b[^>]*>`).FindAllString(page, -1) {
		if !strings.Contains(tag, " src=") && !strings.Contains(tag, `type="application/ld+json"`) {
			t.Errorf("%s: inline script %s", name, tag)
		}
	}
	if m := regexp.MustCompile(`(?i)<[a-z][^>]*\son[a-z]+\s*=`).FindString(page); m != "" {
		t.Errorf("%s: event handler attribute in %s", name, m)
	}
}

// TestAccessLog checks the request log line and that no text of a check
// reaches any log, whatever way it is sent.
func TestAccessLog(t *testing.T) {
	const marker = "Quixotic aardvarks whistle vermilion sonatas"
	var access bytes.Buffer
	s, errs := newServer(t, Config{Checker: emptyChecker, AccessLog: slogTo(&access)})
	reqs := []*http.Request{
		jsonRequest("/api/check?note="+url.QueryEscape(marker), map[string]any{"text": marker}),
		multipartRequest(t, "/api/check", nil, map[string][]byte{"mine.txt": []byte(marker)}),
		multipartRequest(t, "/check?text="+url.QueryEscape(marker), url.Values{"text": {marker}}, nil),
		httptest.NewRequest("GET", "/search?q="+url.QueryEscape(marker), nil),
	}
	// A refused check still must not log its text.
	bad := multipartRequest(t, "/check", url.Values{"text": {marker}, "min_words": {marker}}, nil)
	reqs = append(reqs, bad)
	for _, req := range reqs {
		do(t, s, req)
	}
	lines := strings.Split(strings.TrimSpace(access.String()), "\n")
	if len(lines) != len(reqs) {
		t.Fatalf("%d request lines for %d requests:\n%s", len(lines), len(reqs), access.String())
	}
	for _, want := range []string{"msg=request", "method=POST", "path=/api/check", "status=200", "duration=", "bytes=", "client=192.0.2.1"} {
		if !strings.Contains(lines[0], want) {
			t.Errorf("request line %q lacks %s", lines[0], want)
		}
	}
	if !strings.Contains(lines[4], "status=400") {
		t.Errorf("the refused check's line: %q", lines[4])
	}
	for _, log := range []string{access.String(), errs.String()} {
		for _, word := range strings.Fields(marker) {
			if strings.Contains(strings.ToLower(log), strings.ToLower(word)) {
				t.Errorf("%q reached a log:\n%s", word, log)
			}
		}
	}
}

// signalReader is a request body that says when it is first read, then
// blocks until it is released.
type signalReader struct {
	once    sync.Once
	reading chan struct{}
	release chan struct{}
	body    io.Reader
}

func (s *signalReader) Read(p []byte) (int, error) {
	s.once.Do(func() {
		close(s.reading)
		<-s.release
	})
	return s.body.Read(p)
}

// TestSlowUploadHoldsNoSlot: a check whose body is still arriving does
// not take one of the check slots, so slow clients cannot block checking.
func TestSlowUploadHoldsNoSlot(t *testing.T) {
	s, _ := newServer(t, Config{Checker: emptyChecker, Limits: Limits{MaxChecks: 1}})
	slow := &signalReader{reading: make(chan struct{}), release: make(chan struct{}),
		body: strings.NewReader(`{"text": "a slow upload"}`)}
	req := httptest.NewRequest("POST", "/api/check", slow)
	req.Header.Set("Content-Type", "application/json")
	done := make(chan response)
	go func() { done <- do(t, s, req) }()
	<-slow.reading
	// The slow upload is being read; another check goes through.
	if r := do(t, s, smallCheck(t, "/api/check")); r.Code != 200 {
		t.Errorf("a check beside a slow upload: %d %s", r.Code, r.Body)
	}
	close(slow.release)
	if r := <-done; r.Code != 200 {
		t.Errorf("the slow upload, once arrived: %d %s", r.Code, r.Body)
	}
}

// TestSearchLimits: searches have a rate per client (429 with Retry-After),
// a bound on how many run at once and a deadline (503 with Retry-After),
// so that no client can hold the store's read connections with searches.
// Before these limits, four searches of "a" typed 250 times held every read
// connection for 40 s and /healthz failed.
func TestSearchLimits(t *testing.T) {
	s, _ := newServer(t, Config{Limits: Limits{SearchRate: 3, MaxSearches: 1, SearchTimeout: 200 * time.Millisecond}})
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	s.searches.rate.now = func() time.Time { return now }
	from := func(target, remote string) response {
		req := httptest.NewRequest("GET", target, nil)
		req.RemoteAddr = remote
		return do(t, s, req)
	}
	// The search form itself is not a search.
	for range 5 {
		if r := from("/search", "192.0.2.1:1000"); r.Code != 200 {
			t.Fatalf("/search: %d", r.Code)
		}
	}
	for i, target := range []string{"/search?q=rapallo", "/api/search?q=rapallo", "/search?q=bees"} {
		if r := from(target, "192.0.2.1:1000"); r.Code != 200 {
			t.Fatalf("search %d: %d %.200s", i+1, r.Code, r.Body)
		}
	}
	// A search asked before comes from the search cache, past the rate:
	// it costs no search.
	if r := from("/search?q=rapallo", "192.0.2.1:1000"); r.Code != 200 {
		t.Errorf("a cached search past the rate: %d", r.Code)
	}
	for _, target := range []string{"/search?q=treaty", "/api/search?q=rapallo"} {
		r := from(target, "192.0.2.1:1000")
		wantError(t, r, strings.SplitN(target, "?", 2)[0], 429, ibid.ERATELIMIT)
		if ra := r.Header.Get("Retry-After"); ra != "20" {
			t.Errorf("%s: Retry-After %q, want 20", target, ra)
		}
	}
	if r := from("/api/search?q=rapallo", "198.51.100.7:1000"); r.Code != 200 {
		t.Errorf("another client: %d", r.Code)
	}

	// Every search slot taken: a search waits until its deadline, then is
	// refused, while pages and /healthz go on.
	s.searches.slots <- struct{}{}
	for _, target := range []string{"/search?q=vienna", "/api/search?q=bees"} {
		r := from(target, "203.0.113.1:1000")
		wantError(t, r, strings.SplitN(target, "?", 2)[0], 503, ibid.EUNAVAILABLE)
		if r.Header.Get("Retry-After") == "" {
			t.Errorf("%s: 503 without Retry-After", target)
		}
	}
	if r := get(t, s, "/healthz"); r.Code != 200 {
		t.Errorf("/healthz with the search slots taken: %d", r.Code)
	}
	if r := get(t, s, "/essays"); r.Code != 200 {
		t.Errorf("/essays with the search slots taken: %d", r.Code)
	}
	<-s.searches.slots

	// A search past its deadline is stopped with a 503 of its own.
	fast, _ := newServer(t, Config{Limits: Limits{SearchTimeout: time.Nanosecond, MaxSearches: -1}})
	r := get(t, fast, "/api/search?q=bees")
	wantError(t, r, "/api/search", 503, ibid.EUNAVAILABLE)
	if _, msg := errorBody(t, r); !strings.Contains(msg, "took too long") {
		t.Errorf("deadline message: %q", msg)
	}
}

// TestAccessLineIsSlogText holds the access log's own line to the bytes
// slog.TextHandler writes for the same record, quoting included.
func TestAccessLineIsSlogText(t *testing.T) {
	paths := []string{"/essays/soviet-foreign-policy-1917-1941", "/", "", "/a b", `/x"y`, "/a=b", `/back\slash`,
		"/é", "/\x7f", "/\x01", "/\t", "/\xff", "/\u00a0", "/\u200b", "/\u2028", "/\ufffd", "/<&>", "/日本"}
	times := []time.Time{
		time.Date(2026, 12, 6, 22, 41, 4, 487_654_321, time.UTC),
		time.Date(2026, 12, 6, 22, 41, 4, 0, time.UTC),
		time.Date(2026, 1, 2, 3, 4, 5, 999_999_999, time.FixedZone("X", -(3*3600+30*60))),
	}
	durations := []time.Duration{0, 1, 198_806, 3 * time.Second / 2, 2 * time.Hour}
	for i, path := range paths {
		l := accessLine{method: "GET", path: path, status: 200 + i, duration: durations[i%len(durations)], bytes: int64(i * 1000), client: "192.0.2.1"}
		if i%3 == 1 {
			l.method, l.client = "PO ST", "2001:db8::/64"
		}
		now := times[i%len(times)]
		var want bytes.Buffer
		rec := slog.NewRecord(now, slog.LevelInfo, "request", 0)
		rec.AddAttrs(slog.String("method", l.method), slog.String("path", l.path), slog.Int("status", l.status),
			slog.Duration("duration", l.duration), slog.Int64("bytes", l.bytes), slog.String("client", l.client))
		if err := slog.NewTextHandler(&want, nil).Handle(context.Background(), rec); err != nil {
			t.Fatal(err)
		}
		if got := string(l.appendText(nil, now)); got != want.String() {
			t.Errorf("path %q:\n got %q\nwant %q", path, got, want.String())
		}
	}
}

// TestAccessLogWriter: a server given a writer instead of a logger writes
// the same line per request.
func TestAccessLogWriter(t *testing.T) {
	var access bytes.Buffer
	s, _ := newServer(t, Config{AccessLogWriter: &access})
	do(t, s, httptest.NewRequest("GET", "/essays/"+longSlug+"?hl=1-2", nil))
	do(t, s, httptest.NewRequest("GET", "/no%20such%20page", nil))
	lines := strings.Split(strings.TrimSpace(access.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines for 2 requests:\n%s", len(lines), access.String())
	}
	re := regexp.MustCompile(`^time=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\S* level=INFO msg=request method=GET path=("[^"]*"|\S+) status=(\d+) duration=\S+ bytes=(\d+) client=192\.0\.2\.1$`)
	for i, want := range []struct{ path, status string }{{"/essays/" + longSlug, "200"}, {`"/no such page"`, "404"}} {
		m := re.FindStringSubmatch(lines[i])
		if m == nil || m[1] != want.path || m[2] != want.status || m[3] == "0" {
			t.Errorf("line %q, want path %s status %s", lines[i], want.path, want.status)
		}
	}
}
