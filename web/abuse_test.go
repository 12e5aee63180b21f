package web

import (
	"fmt"
	"math"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strings"
	"testing"

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
	s, _ := newServer(t, Config{Checker: emptyChecker, Limits: Limits{MaxUploads: max}})
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
	if f.essayCount(t) != before {
		t.Error("an essay over the bound was stored")
	}
}
