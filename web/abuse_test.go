package web

import (
	"context"
	"fmt"
	"github.com/ibid-dev/ibid/originality"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os/exec"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/ibid-dev/ibid"
)

// allocated returns the bytes fn allocates.
func allocated(fn func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestBodyBufferFollowsWhatArrives: a check that announces a body of
// nearly 11 MB and sends ten bytes costs ten bytes. Before the fix, the
// body buffer was grown to the announced length before a byte arrived, so
// 30 such connections took the server from 87 MB to 418 MB.
func TestBodyBufferFollowsWhatArrives(t *testing.T) {
	s, _ := newServer(t, Config{Checker: emptyChecker})
	const announced = checkBodyBytes - 1
	for _, path := range []string{"/api/check", "/check"} {
		t.Run(path, func(t *testing.T) {
			// The least of three runs: the count is of the whole process,
			// and what other goroutines allocate meanwhile is not ours.
			got := uint64(math.MaxUint64)
			for range 3 {
				req := httptest.NewRequest("POST", path, strings.NewReader(`{"text":""}`))
				req.Header.Set("Content-Type", "application/json")
				req.ContentLength = announced
				got = min(got, allocated(func() { do(t, s, req) }))
			}
			t.Logf("an 11-byte body announced as %d bytes: %d bytes allocated", announced, got)
			if got > announced/8 {
				t.Errorf("an 11-byte body announced as %d bytes allocated %d bytes", announced, got)
			}
		})
	}
}

// TestUploadsPerClientAreBounded: a client may have at most MaxUploads
// requests with a body in progress; the next is refused with 429 and
// Retry-After before any of it is read, while other clients go on.
// Before the bound, 90 stalled uploads from 3 addresses took the server's
// memory to 881 MB.
func TestUploadsPerClientAreBounded(t *testing.T) {
	const max = 3
	s, _ := newServer(t, Config{Checker: emptyChecker, Limits: Limits{MaxUploads: max, MaxChecks: max, MaxChecksPerClient: max}})
	var slow []*signalReader
	done := make(chan response, max)
	for i := range max {
		r := &signalReader{reading: make(chan struct{}), release: make(chan struct{}),
			body: strings.NewReader(fmt.Sprintf(`{"text": "slow upload %d"}`, i))}
		slow = append(slow, r)
		req := httptest.NewRequest("POST", "/api/check", r)
		req.Header.Set("Content-Type", "application/json")
		go func() { done <- do(t, s, req) }()
		<-r.reading
	}
	for _, path := range []string{"/api/check", "/check"} {
		r := do(t, s, smallCheck(t, path))
		wantError(t, r, path, 429, ibid.ERATELIMIT)
		if r.Header.Get("Retry-After") == "" {
			t.Errorf("%s: 429 without Retry-After", path)
		}
	}
	// Reading is not an upload.
	if r := get(t, s, "/"); r.Code != 200 {
		t.Errorf("GET / beside the uploads: %d", r.Code)
	}
	// Another client is not held back by this one.
	other := smallCheck(t, "/api/check")
	other.RemoteAddr = "198.51.100.7:4000"
	if r := do(t, s, other); r.Code != 200 {
		t.Errorf("another client: %d %s", r.Code, r.Body)
	}
	for _, r := range slow {
		close(r.release)
	}
	for range max {
		if r := <-done; r.Code != 200 {
			t.Errorf("a slow upload, once arrived: %d %s", r.Code, r.Body)
		}
	}
	if r := do(t, s, smallCheck(t, "/api/check")); r.Code != 200 {
		t.Errorf("once the uploads are done: %d %s", r.Code, r.Body)
	}
}

// TestEssayOverTheBoundIs413: an essay past ibid.DefaultMaxEssayWords
// sent by an editor gets 413 with a message that says the bound, in the
// API and on the add page, and nothing is stored.
func TestEssayOverTheBoundIs413(t *testing.T) {
	f := newEditFixture(t)
	before := f.essayCount(t)
	long := strings.Repeat("word ", ibid.DefaultMaxEssayWords+1)
	req := jsonRequest("/api/essays", map[string]any{"title": "Too long", "text": long})
	req.Header.Set("Authorization", "Bearer "+f.token)
	r := do(t, f.srv, req)
	wantError(t, r, "/api/essays", 413, ibid.ETOOLARGE)
	if _, msg := errorBody(t, r); !strings.Contains(msg, "200,000 words") {
		t.Errorf("message %q does not say the bound", msg)
	}
	form := multipartRequest(t, "/add", url.Values{"title": {"Too long"}, "text": {long}}, nil)
	form.AddCookie(f.cookie)
	r = do(t, f.srv, form)
	if r.Code != 413 || !strings.Contains(r.Body, "200,000 words") {
		t.Errorf("/add: %d, want 413 saying the bound", r.Code)
	}
	// A body announced as far larger than an essay's text is refused
	// before a byte of it is read.
	announced := jsonRequest("/api/essays", map[string]any{"title": "Announced", "text": "short"})
	announced.ContentLength = 45 << 20
	announced.Header.Set("Authorization", "Bearer "+f.token)
	r = do(t, f.srv, announced)
	wantError(t, r, "/api/essays", 413, ibid.ETOOLARGE)
	if _, msg := errorBody(t, r); !strings.Contains(msg, "16 MB") {
		t.Errorf("message %q does not say the limit", msg)
	}
	// A text far over the byte bound is refused before it is parsed.
	huge := jsonRequest("/api/essays", map[string]any{"title": "Too big", "text": strings.Repeat("abcdefghi ", ibid.DefaultMaxEssayBytes/8)})
	huge.Header.Set("Authorization", "Bearer "+f.token)
	r = do(t, f.srv, huge)
	wantError(t, r, "/api/essays", 413, ibid.ETOOLARGE)
	if _, msg := errorBody(t, r); !strings.Contains(msg, "at most 5 MB") {
		t.Errorf("message %q does not say the bound", msg)
	}
	if f.essayCount(t) != before {
		t.Error("an essay over the bound was stored")
	}
}

// wordyPDF is a small, compressed PDF of pages × lines × 100 tiny words:
// 60 pages of 170 lines make a 1,020,000-word document of about 150 KB.
func wordyPDF(t *testing.T, pages, lines int) []byte {
	var content strings.Builder
	content.WriteString("BT /F1 1 Tf 1.2 TL 10 780 Td\n")
	line := "(" + strings.Repeat("ab ", 100) + ") '\n"
	for range lines {
		content.WriteString(line)
	}
	content.WriteString("ET")
	objs := []string{"<< /Type /Catalog /Pages 2 0 R >>", "", pdfFont, pdfStream(t, content.String(), true)}
	var kids []string
	for range pages {
		objs = append(objs, pdfPage(2, 3, 4))
		kids = append(kids, fmt.Sprintf("%d 0 R", len(objs)))
	}
	objs[1] = fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), pages)
	return hostilePDF(objs...)
}

// TestPDFStopsAtTheWordBudget: a 150 KB PDF of a million tiny words is
// refused as over the check's 100,000 words once that many have been
// read, and its reading never holds the whole of pdftotext's output.
// Before, pdftotext ran to the 15 s limit while its output (about 150
// bytes of XHTML a word) piled up in memory: 277 MB of RSS a check.
func TestPDFStopsAtTheWordBudget(t *testing.T) {
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext (poppler-utils) is not installed")
	}
	s, _ := newServer(t, Config{Checker: emptyChecker})
	pdf := wordyPDF(t, 60, 170)
	runtime.GC()
	peak := watchHeap()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	r := do(t, s, multipartRequest(t, "/api/check", nil, map[string][]byte{"words.pdf": pdf}))
	heap := peak() - before.HeapAlloc
	t.Logf("%d-byte PDF: %d, peak heap +%d MB", len(pdf), r.Code, heap>>20)
	wantError(t, r, "/api/check", 413, ibid.ETOOLARGE)
	if _, msg := errorBody(t, r); !strings.Contains(msg, "100,000 words") {
		t.Errorf("message %q does not say the word budget", msg)
	}
	if heap > 64<<20 {
		t.Errorf("reading the PDF took %d MB of heap: its text is not read as a stream", heap>>20)
	}
}

// TestCheckSlotsAreSharedFairly: a client holds at most its share of the
// check slots (429 past it, with Retry-After), so that another client
// still finds one. Before, one client sending 16 slow checks a minute,
// under its rate limit, held every slot and the others got 503.
func TestCheckSlotsAreSharedFairly(t *testing.T) {
	entered := make(chan struct{})
	release := make(chan struct{})
	blocking := func(ctx context.Context, text string, opt originality.Options) (*ibid.Report, error) {
		if strings.Contains(text, "block") {
			entered <- struct{}{}
			<-release
		}
		return &ibid.Report{}, nil
	}
	s, _ := newServer(t, Config{Checker: blocking, Limits: Limits{MaxChecks: 4}})
	from := func(addr string, text string) *http.Request {
		req := jsonRequest("/api/check", map[string]any{"text": text})
		req.RemoteAddr = addr
		return req
	}
	const abuser, other = "203.0.113.5:1000", "198.51.100.9:2000"
	// The abuser sends as many slow checks as there are slots: each one
	// either starts (and blocks) or is refused at once.
	done := make(chan response, 4)
	running, refused := 0, 0
	for range 4 {
		go func() { done <- do(t, s, from(abuser, "block me")) }()
		select {
		case <-entered:
			running++
		case r := <-done:
			refused++
			wantError(t, r, "/api/check", 429, ibid.ERATELIMIT)
			if r.Header.Get("Retry-After") == "" {
				t.Error("429 without Retry-After")
			}
		}
	}
	if running != 2 || refused != 2 {
		t.Errorf("the abuser has %d checks running and %d refused, want its share: 2 and 2", running, refused)
	}
	// Another client gets one of the slots left.
	r := do(t, s, from(other, "two words"))
	if r.Code != 200 {
		t.Errorf("another client beside the abuser: %d %s", r.Code, r.Body)
	}
	close(release)
	for range running {
		if r := <-done; r.Code != 200 {
			t.Errorf("the abuser's running check: %d", r.Code)
		}
	}
}

// TestFreedSlotGoesToTheFairestWaiter: a freed check slot goes to the
// waiting client with the fewest checks running, even if another waited
// longer.
func TestFreedSlotGoesToTheFairestWaiter(t *testing.T) {
	g := newCheckGate(Limits{MaxChecks: 3, MaxChecksPerClient: 2, CheckQueue: time.Hour})
	ctx := context.Background()
	a1, _ := g.acquire(ctx, "a")
	a2, _ := g.acquire(ctx, "a")
	g.acquire(ctx, "b")
	got := make(chan string, 2)
	wait := func(client string) {
		if _, err := g.acquire(ctx, client); err != nil {
			t.Errorf("%s: %v", client, err)
		}
		got <- client
	}
	go wait("b") // b, with one check running, waits first
	for g.queued() < 1 {
		runtime.Gosched()
	}
	go wait("c") // c, with none, later
	for g.queued() < 2 {
		runtime.Gosched()
	}
	if _, err := g.acquire(ctx, "a"); ibid.ErrorCode(err) != ibid.ERATELIMIT {
		t.Errorf("a third check of a client with a share of 2: %v", err)
	}
	a1()
	if first := <-got; first != "c" {
		t.Errorf("the freed slot went to %s, want c (fewest running)", first)
	}
	if g.inUse() != 3 || g.queued() != 1 {
		t.Errorf("%d in use and %d waiting, want 3 and 1", g.inUse(), g.queued())
	}
	a2()
	if next := <-got; next != "b" {
		t.Errorf("the next slot went to %s, want b", next)
	}
}

// TestSignInBackoffPerAccount: after backoffFree failed sign-ins to one
// account, from however many addresses, the account waits before the next
// try (429 with Retry-After, even for the right password), twice as long
// after each further failure; other accounts are not held up, and a
// successful sign-in clears the count. Before, only each address was
// limited, so a guesser with many addresses had unlimited tries.
func TestSignInBackoffPerAccount(t *testing.T) {
	s, _ := newServer(t, Config{})
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	s.backoff.now = func() time.Time { return now }
	addUser(t, s.users, "victim@example.org", ibid.RoleEditor, "the victim's password")
	addUser(t, s.users, "bob@example.org", ibid.RoleEditor, "bob's long password")
	attempt := 0
	login := func(email, pw string) response {
		attempt++
		req := formPost("/login", url.Values{"email": {email}, "password": {pw}})
		req.RemoteAddr = fmt.Sprintf("203.0.113.%d:1000", attempt) // a new address every time
		return do(t, s, req)
	}
	for i := range backoffFree {
		if r := login("Victim@Example.org", fmt.Sprint("guess ", i)); r.Code != http.StatusUnauthorized {
			t.Fatalf("guess %d: %d", i+1, r.Code)
		}
	}
	r := login("victim@example.org", "the victim's password")
	if r.Code != http.StatusTooManyRequests || r.Header.Get("Retry-After") != "1" || !strings.Contains(r.Body, "Too many failed sign-ins to this account") ||
		responseCookie(r, sessionCookie) != nil {
		t.Errorf("the right password after %d guesses: %d, Retry-After %q", backoffFree, r.Code, r.Header.Get("Retry-After"))
	}
	if r := login("bob@example.org", "bob's long password"); r.Code != http.StatusSeeOther {
		t.Errorf("another account: %d", r.Code)
	}
	// Each further failure doubles the wait.
	for i, want := range []string{"2", "4", "8"} {
		now = now.Add(time.Hour)
		if r := login("victim@example.org", "another guess"); r.Code != http.StatusUnauthorized {
			t.Fatalf("guess after waiting: %d", r.Code)
		}
		if r := login("victim@example.org", "the victim's password"); r.Code != http.StatusTooManyRequests || r.Header.Get("Retry-After") != want {
			t.Errorf("after %d more failures: %d, Retry-After %q, want %s", i+1, r.Code, r.Header.Get("Retry-After"), want)
		}
	}
	now = now.Add(8 * time.Second)
	if r := login("victim@example.org", "the victim's password"); r.Code != http.StatusSeeOther {
		t.Fatalf("the right password after the wait: %d", r.Code)
	}
	if r := login("victim@example.org", "one typo"); r.Code != http.StatusUnauthorized {
		t.Errorf("a typo after signing in: %d, want 401 (the count is cleared)", r.Code)
	}
}

// TestPasswordResetRevokesTokens: an admin's password reset ends the
// account's sessions and revokes its API tokens; the admin page lists any
// account's tokens and revokes one. Before, a thief's tokens kept working
// after the reset and admins could not see them.
func TestPasswordResetRevokesTokens(t *testing.T) {
	f := newAccountFixture(t)
	stolen, _ := apiToken(t, f.srv.users, f.editor)
	_, kept := apiToken(t, f.srv.users, f.admin)
	works := func(tok string) bool {
		req := httptest.NewRequest("DELETE", "/api/essays/no-such-essay", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		return do(t, f.srv, req).Code == http.StatusNotFound // signed in, and nothing to delete
	}
	if !works(stolen) {
		t.Fatal("the token does not work to begin with")
	}
	page := fmt.Sprintf("/admin/users/%d", f.editor.ID)
	r := do(t, f.srv, withCookie(httptest.NewRequest("GET", page, nil), f.adminC))
	if r.Code != 200 || !strings.Contains(r.Body, `id="token-table"`) || !strings.Contains(r.Body, "/tokens/") {
		t.Fatalf("the admin page of the editor lists no tokens: %d", r.Code)
	}
	r = f.post(t, page+"/password", url.Values{"password": {"reset by the admin, long"}}, f.adminC)
	if r.Code != http.StatusSeeOther {
		t.Fatalf("reset: %d", r.Code)
	}
	if works(stolen) {
		t.Error("the editor's API token outlived the password reset")
	}
	if list, _ := f.srv.tokensOf(context.Background(), f.admin.ID); len(list) != 1 {
		t.Error("the reset revoked another account's tokens")
	}

	// Revoking one token of another account from the admin page.
	revoke := fmt.Sprintf("/admin/users/%d/tokens/%d/revoke", f.admin.ID, kept.ID)
	if r := f.post(t, revoke, nil, sessionFor(t, f.srv.users, f.editor)); r.Code != http.StatusForbidden {
		t.Errorf("an editor revoking through the admin page: %d", r.Code)
	}
	if r := f.post(t, fmt.Sprintf("/admin/users/%d/tokens/%d/revoke", f.editor.ID, kept.ID), nil, f.adminC); r.Code != http.StatusNotFound {
		t.Errorf("a token under the wrong account: %d", r.Code)
	}
	if r := f.post(t, revoke, nil, f.adminC); r.Code != http.StatusSeeOther {
		t.Errorf("revoke: %d", r.Code)
	}
	if list, _ := f.srv.tokensOf(context.Background(), f.admin.ID); len(list) != 0 {
		t.Error("the revoked token is still there")
	}
}

// TestHSTS: with an https base URL every response tells browsers to keep
// to https; with an http one (a laptop, a test) none does.
func TestHSTS(t *testing.T) {
	for base, want := range map[string]string{"https://ibid.example.org/": "max-age=31536000", "http://127.0.0.1:8080": ""} {
		s, _ := newServer(t, Config{BaseURL: base})
		for _, path := range []string{"/", "/no-such-page", "/api/essays"} {
			if got := get(t, s, path).Header.Get("Strict-Transport-Security"); got != want {
				t.Errorf("%s %s: Strict-Transport-Security %q, want %q", base, path, got, want)
			}
		}
	}
}
