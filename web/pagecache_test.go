package web

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/andybalholm/brotli"
	"github.com/ibid-dev/ibid"
	"github.com/ibid-dev/ibid/demo"
	"github.com/ibid-dev/ibid/ingest"
	"github.com/ibid-dev/ibid/originality"
	"github.com/ibid-dev/ibid/sqlite"
)

// otherWriter opens a second handle on the fixture library's file, as
// another server on the same library would: its writes reach the page cache
// only through the store.
func otherWriter(t *testing.T, st ibid.Store) ibid.Store {
	t.Helper()
	db, err := sqlite.Open(st.(*sqlite.DB).Path())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// editEssay changes the stored essay slug through st.
func editEssay(t *testing.T, st ibid.Store, slug string, change func(e *ibid.Essay)) {
	t.Helper()
	ctx := context.Background()
	e, err := st.Essay(ctx, slug)
	if err != nil {
		t.Fatal(err)
	}
	change(e)
	if err := st.UpdateEssay(ctx, e); err != nil {
		t.Fatal(err)
	}
}

// TestPageCacheFollowsWrites serves the long essay's page to a reader, then
// changes the library through another handle on its file, and wants the
// next page to show the change: the essay's own title, a related essay's
// title, a new related essay, a related essay deleted.
func TestPageCacheFollowsWrites(t *testing.T) {
	const page = "/essays/" + longSlug
	tests := []struct {
		name  string
		write func(t *testing.T, other ibid.Store)
		want  string // in the page after the write
		gone  string // in the page before the write, not after
	}{
		{"the essay's title", func(t *testing.T, other ibid.Store) {
			editEssay(t, other, longSlug, func(e *ibid.Essay) { e.Title = "Soviet Diplomacy Between the Wars" })
		}, "Soviet Diplomacy Between the Wars", "Soviet Foreign Policy, 1917–1941"},
		{"a related essay's title", func(t *testing.T, other ibid.Store) {
			editEssay(t, other, "the-congress-of-vienna", func(e *ibid.Essay) { e.Title = "Vienna Redraws Europe" })
		}, "Vienna Redraws Europe", "The Congress of Vienna"},
		{"a new related essay", func(t *testing.T, other ibid.Store) {
			e := newEssay("Litvinov at Geneva", "History", []string{"Soviet Union", "Diplomacy"}, []ibid.Block{
				{Type: ibid.Paragraph, Text: "Litvinov argued for collective security at the League of Nations."},
			}, time.Time{})
			if err := other.CreateEssay(context.Background(), e); err != nil {
				t.Fatal(err)
			}
		}, "Litvinov at Geneva", ""},
		{"a related essay deleted", func(t *testing.T, other ibid.Store) {
			e, err := other.Essay(context.Background(), "the-congress-of-vienna")
			if err != nil {
				t.Fatal(err)
			}
			if err := other.DeleteEssay(context.Background(), e.ID); err != nil {
				t.Fatal(err)
			}
		}, "", "The Congress of Vienna"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := newServer(t, Config{})
			before := get(t, s, page)
			again := get(t, s, page)
			if before.Code != 200 || again.Body != before.Body || again.Header.Get("ETag") != before.Header.Get("ETag") {
				t.Fatalf("two readers' pages differ: %d, ETags %q %q", before.Code, before.Header.Get("ETag"), again.Header.Get("ETag"))
			}
			if _, ok := s.pageCache.lru.get(page); !ok {
				t.Fatal("the reader's page was not kept")
			}
			if tt.gone != "" && !strings.Contains(before.Body, tt.gone) {
				t.Fatalf("the page before the write lacks %q", tt.gone)
			}
			if tt.want != "" && strings.Contains(before.Body, tt.want) {
				t.Fatalf("the page before the write already has %q", tt.want)
			}
			tt.write(t, otherWriter(t, s.store))
			waitOutStaleness()
			after := get(t, s, page)
			if after.Code != 200 {
				t.Fatalf("after the write: %d", after.Code)
			}
			if tt.want != "" && !strings.Contains(after.Body, tt.want) {
				t.Errorf("after the write the page lacks %q: served from the cache", tt.want)
			}
			if tt.gone != "" && strings.Contains(after.Body, tt.gone) {
				t.Errorf("after the write the page still has %q: served from the cache", tt.gone)
			}
			if after.Header.Get("ETag") == before.Header.Get("ETag") {
				t.Errorf("the ETag %s stayed across the change", after.Header.Get("ETag"))
			}
			// Last-Modified moves on even within the second, so that a
			// client revalidating by date alone gets the new page.
			t0, err0 := http.ParseTime(before.Header.Get("Last-Modified"))
			t1, err1 := http.ParseTime(after.Header.Get("Last-Modified"))
			if err0 != nil || err1 != nil || !t1.After(t0) {
				t.Errorf("Last-Modified %q then %q", before.Header.Get("Last-Modified"), after.Header.Get("Last-Modified"))
			}
			if r := get(t, s, page, "If-Modified-Since", before.Header.Get("Last-Modified")); r.Code != 200 || r.Body != after.Body {
				t.Errorf("revalidating the old page by date: %d", r.Code)
			}
			// The old ETag no longer earns a 304.
			if r := get(t, s, page, "If-None-Match", before.Header.Get("ETag")); r.Code != 200 || r.Body != after.Body {
				t.Errorf("revalidating the old page: %d", r.Code)
			}
		})
	}
}

// TestPageCacheHeaders checks the answers to conditional and compressed
// requests for a cached page, and that signed-in and ?hl= pages never come
// from (or go into) the readers' cache.
func TestPageCacheHeaders(t *testing.T) {
	f := newEditFixture(t)
	const page = "/essays/" + longSlug
	plain := get(t, f.srv, page)
	etag := plain.Header.Get("ETag")
	if plain.Code != 200 || etag == "" || plain.Header.Get("Last-Modified") == "" || plain.Header.Get("Content-Encoding") != "" {
		t.Fatalf("reader's page: %d, headers %v", plain.Code, plain.Header)
	}
	if cc := plain.Header.Get("Cache-Control"); strings.Contains(cc, "private") {
		t.Errorf("reader's page is %q", cc)
	}
	if strings.Contains(plain.Body, `id="edit-essay"`) {
		t.Fatal("a reader's page has the edit controls")
	}
	zipped := get(t, f.srv, page, "Accept-Encoding", "gzip, deflate")
	brotlied := get(t, f.srv, page, "Accept-Encoding", "gzip, deflate, br, zstd")
	brETag := brotlied.Header.Get("ETag")
	cookie := f.cookie.String()

	tests := []struct {
		name   string
		header []string
		code   int
		enc    string // Content-Encoding wanted (a 304 carries none)
		etag   string // wanted; "" wants none
	}{
		{"matching ETag", []string{"If-None-Match", etag}, 304, "", etag},
		{"matching among others", []string{"If-None-Match", `"abc", ` + etag}, 304, "", etag},
		{"weak ETag", []string{"If-None-Match", "W/" + etag}, 304, "", etag},
		{"any ETag", []string{"If-None-Match", "*"}, 304, "", etag},
		{"other ETag", []string{"If-None-Match", `"abc"`}, 200, "", etag},
		{"other ETag, not modified since", []string{"If-None-Match", `"abc"`, "If-Modified-Since", plain.Header.Get("Last-Modified")}, 200, "", etag},
		{"not modified since", []string{"If-Modified-Since", plain.Header.Get("Last-Modified")}, 304, "", etag},
		{"modified since", []string{"If-Modified-Since", time.Now().Add(-time.Hour).UTC().Format(http.TimeFormat)}, 200, "", etag},
		{"gzip", []string{"Accept-Encoding", "gzip"}, 200, "gzip", zipped.Header.Get("ETag")},
		{"gzip refused", []string{"Accept-Encoding", "gzip;q=0, identity"}, 200, "", etag},
		{"gzip ETag", []string{"Accept-Encoding", "gzip", "If-None-Match", zipped.Header.Get("ETag")}, 304, "", zipped.Header.Get("ETag")},
		{"plain ETag for gzip", []string{"Accept-Encoding", "gzip", "If-None-Match", etag}, 200, "gzip", zipped.Header.Get("ETag")},
		{"br", []string{"Accept-Encoding", "br"}, 200, "br", brETag},
		{"br preferred", []string{"Accept-Encoding", "gzip, br"}, 200, "br", brETag},
		{"gzip preferred by q", []string{"Accept-Encoding", "br;q=0.5, gzip"}, 200, "gzip", zipped.Header.Get("ETag")},
		{"br ETag", []string{"Accept-Encoding", "gzip, br", "If-None-Match", brETag}, 304, "", brETag},
		{"gzip ETag for br", []string{"Accept-Encoding", "gzip, br", "If-None-Match", zipped.Header.Get("ETag")}, 200, "br", brETag},
		{"br ETag for gzip", []string{"Accept-Encoding", "gzip", "If-None-Match", brETag}, 200, "gzip", zipped.Header.Get("ETag")},
		{"signed in", []string{"Cookie", cookie}, 200, "", ""},
		{"signed in, br", []string{"Cookie", cookie, "Accept-Encoding", "br"}, 200, "", ""},
		{"signed in with the reader's ETag", []string{"Cookie", cookie, "If-None-Match", etag}, 200, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := get(t, f.srv, page, tt.header...)
			if r.Code != tt.code || r.Header.Get("Content-Encoding") != tt.enc || r.Header.Get("ETag") != tt.etag {
				t.Fatalf("%d, encoding %q, ETag %q; want %d, %q, %q", r.Code, r.Header.Get("Content-Encoding"), r.Header.Get("ETag"), tt.code, tt.enc, tt.etag)
			}
			if r.Code == 304 {
				if r.Body != "" {
					t.Errorf("304 with a body of %d bytes", len(r.Body))
				}
				return
			}
			if cl := r.Header.Get("Content-Length"); r.Header.Get("ETag") != "" && cl != strconv.Itoa(len(r.Body)) {
				t.Errorf("Content-Length %s for %d bytes", cl, len(r.Body))
			}
			body := r.Body
			var zr io.Reader
			switch tt.enc {
			case "gzip":
				var err error
				if zr, err = gzip.NewReader(strings.NewReader(r.Body)); err != nil {
					t.Fatal(err)
				}
			case "br":
				zr = brotli.NewReader(strings.NewReader(r.Body))
			}
			if zr != nil {
				b, err := io.ReadAll(zr)
				if err != nil {
					t.Fatal(err)
				}
				if len(b) < 2*len(r.Body) {
					t.Errorf("%s: %d bytes for a page of %d", tt.enc, len(r.Body), len(b))
				}
				body = string(b)
			}
			signedIn := strings.Contains(tt.name, "signed in")
			if hasEdit := strings.Contains(body, `id="edit-essay"`); hasEdit != signedIn {
				t.Errorf("edit controls: %v, want %v", hasEdit, signedIn)
			}
			if cc := r.Header.Get("Cache-Control"); strings.Contains(cc, "private") != signedIn {
				t.Errorf("Cache-Control %q", cc)
			}
			if !signedIn && body != plain.Body {
				t.Errorf("the page differs from the plain reader's (%d bytes, want %d)", len(body), len(plain.Body))
			}
		})
	}
	if z := zipped.Header.Get("ETag"); z == etag || z == brETag || brETag == etag || !strings.Contains(zipped.Header.Get("Vary"), "Accept-Encoding") {
		t.Errorf("gzip ETag %q, Brotli's %q, beside %q; Vary %q", z, brETag, etag, zipped.Header.Get("Vary"))
	}

	if r := do(t, f.srv, httptest.NewRequest("HEAD", page, nil)); r.Code != 200 || r.Body != "" ||
		r.Header.Get("Content-Length") != strconv.Itoa(len(plain.Body)) || r.Header.Get("ETag") != etag {
		t.Errorf("HEAD: %d, %d bytes, Content-Length %s, ETag %s", r.Code, len(r.Body), r.Header.Get("Content-Length"), r.Header.Get("ETag"))
	}

	// A signed-in view or a highlighted passage leaves the readers' page
	// as it was.
	get(t, f.srv, page, "Cookie", cookie)
	hl := get(t, f.srv, page+"?hl=0-5")
	if !strings.Contains(hl.Body, `<mark class="hl-passage"`) || hl.Header.Get("ETag") != "" {
		t.Errorf("highlighted page: mark %v, ETag %q", strings.Contains(hl.Body, "hl-passage"), hl.Header.Get("ETag"))
	}
	if r := get(t, f.srv, page); r.Body != plain.Body || r.Header.Get("ETag") != etag {
		t.Error("the reader's page changed after a signed-in and a highlighted view")
	}
	if cp, _ := f.srv.pageCache.lru.get(page); cp == nil || bytes.Contains(cp.html, []byte("edit-essay")) || f.srv.pageCache.lru.order.Len() != 1 {
		t.Errorf("the cache holds %d pages", f.srv.pageCache.lru.order.Len())
	}
	if r := get(t, f.srv, "/essays/no-such-essay"); r.Code != 404 || f.srv.pageCache.lru.order.Len() != 1 {
		t.Errorf("a missing essay: %d, %d pages kept", r.Code, f.srv.pageCache.lru.order.Len())
	}
}

func TestContentCoding(t *testing.T) {
	tests := []struct {
		header string
		want   string
	}{
		{"", ""},
		{"gzip", "gzip"},
		{"GZIP", "gzip"},
		{"deflate, gzip;q=0.5", "gzip"},
		{"gzip;q=0", ""},
		{"gzip; q=0.0, identity", ""},
		{"*", "br"},
		{"*;q=0", ""},
		{"x-gzip", "gzip"},
		{"deflate", ""},
		{"gzipped, brotli", ""},
		{"*, gzip;q=0", "br"},
		{"gzip;q=0, *", "br"},
		{"br;q=0, *", "gzip"},
		{"identity;q=0.5, *;q=0.1", ""},
		{"gzip, deflate, br, zstd", "br"}, // Chromium
		{"gzip, deflate, br", "br"},       // Firefox
		{"deflate, gzip", "gzip"},         // curl --compressed without Brotli
		{"br;q=0.5, gzip", "gzip"},
		{"br;q=0.8, gzip;q=0.8", "br"},
		{"BR", "br"},
		{"br ; q=0.9 , gzip ; q=0.3", "br"},
		{"br;q=0", ""},
		{"br;q=2, gzip;q=0.5", "br"}, // a q out of range is ignored: 1
		{"gzip;q=0.4, identity;q=0.6", ""},
		{"gzip;q=0.6, identity;q=0.4", "gzip"},
	}
	for _, tt := range tests {
		if got := contentCoding([]string{tt.header}); got != tt.want {
			t.Errorf("contentCoding(%q) = %q, want %q", tt.header, got, tt.want)
		}
	}
	// Fields given on separate lines count together.
	if got := contentCoding([]string{"gzip", "br;q=0.5"}); got != "gzip" {
		t.Errorf("two fields: %q, want gzip", got)
	}
	if got := contentCoding(nil); got != "" {
		t.Errorf("no field: %q", got)
	}
}

// BenchmarkPageCompression compresses the page of the demo library's
// longest essay (the seed-size page of the wrk figures) as a render does,
// in each coding: the figures behind brotliQuality.
func BenchmarkPageCompression(b *testing.B) {
	st, err := sqlite.Open(filepath.Join(b.TempDir(), "demo.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	im := &ingest.Importer{Store: st, Fingerprint: originality.Fingerprint}
	if _, err := im.FS(context.Background(), demo.FS(), "demo:", nil); err != nil {
		b.Fatal(err)
	}
	s, err := New(st, Config{Logger: slogTo(io.Discard)})
	if err != nil {
		b.Fatal(err)
	}
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest("GET", "/essays/soviet-foreign-policy-1917-1941", nil))
	if rec.Code != 200 {
		b.Fatalf("the demo page: %d", rec.Code)
	}
	html := rec.Body.Bytes()
	for _, c := range []struct {
		name string
		new  func(io.Writer) io.WriteCloser
	}{
		{"gzip-9", func(w io.Writer) io.WriteCloser { zw, _ := gzip.NewWriterLevel(w, gzip.BestCompression); return zw }},
		{"br-1", func(w io.Writer) io.WriteCloser { return brotli.NewWriterLevel(w, 1) }},
		{"br-5", func(w io.Writer) io.WriteCloser { return brotli.NewWriterLevel(w, 5) }},
		{"br-9", func(w io.Writer) io.WriteCloser { return brotli.NewWriterLevel(w, 9) }},
		{"br-11", func(w io.Writer) io.WriteCloser { return brotli.NewWriterLevel(w, 11) }},
	} {
		b.Run(c.name, func(b *testing.B) {
			var out bytes.Buffer
			for b.Loop() {
				out.Reset()
				zw := c.new(&out)
				zw.Write(html)
				zw.Close()
			}
			b.ReportMetric(float64(out.Len()), "bytes")
			b.ReportMetric(float64(len(html)), "html-bytes")
		})
	}
}

// waitOutStaleness waits until the page cache must show what other
// processes wrote before it was called: the bound the cache promises, not a
// guess at how long anything takes.
func waitOutStaleness() { time.Sleep(PageStaleness + time.Millisecond) }

// TestVersionReader drives the version reader on a clock of its own: a
// request gets a read begun at most maxAge before it and after the last
// write through this process, joins a read in flight that is fresh enough,
// starts one in the background past half the age, and never keeps a failed
// read.
func TestVersionReader(t *testing.T) {
	const ms = int64(time.Millisecond)
	var clock atomic.Int64
	started := make(chan int64, 4)
	release := make(chan error)
	var reads atomic.Int64
	vr := newVersionReader(func(ctx context.Context) (int64, error) {
		n := reads.Add(1)
		started <- n
		return n, <-release
	}, 10*time.Millisecond)
	vr.now = clock.Load
	ask := func() chan int64 {
		out := make(chan int64, 1)
		go func() {
			v, err := vr.get(context.Background())
			if err != nil {
				v = -1
			}
			out <- v
		}()
		return out
	}
	expectRead := func(want int64) {
		t.Helper()
		if n := <-started; n != want {
			t.Fatalf("read %d began, want %d", n, want)
		}
	}
	readsSoFar := func(want int64, when string) {
		t.Helper()
		if n := reads.Load(); n != want {
			t.Fatalf("%s: %d reads so far, want %d", when, n, want)
		}
	}
	answer := func(c chan int64, want int64, what string) {
		t.Helper()
		if v := <-c; v != want {
			t.Errorf("%s: got version %d, want %d", what, v, want)
		}
	}

	first := ask() // t=0: nothing known, a read
	expectRead(1)
	second := ask() // joins read 1, begun at its own time
	release <- nil
	answer(first, 1, "the first request")
	answer(second, 1, "a request during read 1")

	clock.Store(4 * ms) // young: from memory, no read
	answer(ask(), 1, "at 4 ms")
	readsSoFar(1, "at 4 ms")

	clock.Store(6 * ms) // past half the age: answered at once, read 2 starts behind it
	answer(ask(), 1, "at 6 ms")
	expectRead(2)

	// At 10.5 ms read 1 (0 ms) is too old; read 2 (6 ms), in flight or
	// done by the time the request asks, is young enough, and not past
	// half its age either, so no read starts.
	clock.Store(10*ms + ms/2)
	late := ask()
	release <- nil
	answer(late, 2, "at 10.5 ms")
	readsSoFar(2, "at 10.5 ms")

	clock.Store(13 * ms) // a write through this process: read 2 no longer does
	vr.forget()
	afterWrite := ask()
	expectRead(3)
	release <- nil
	answer(afterWrite, 3, "after a write through this process")

	clock.Store(40 * ms) // idle past the age: a read, and it fails
	failed := ask()
	expectRead(4)
	release <- context.DeadlineExceeded
	answer(failed, -1, "a failed read")
	retry := ask() // the failure was not kept
	expectRead(5)
	release <- nil
	answer(retry, 5, "after a failed read")

	clock.Store(46 * ms) // read 6 starts in the background and hangs...
	answer(ask(), 5, "at 46 ms")
	expectRead(6)
	clock.Store(70 * ms) // ...past the age: a new request does not join it
	stuck := ask()
	expectRead(7)
	release <- nil
	release <- nil
	answer(stuck, 7, "beside a read in flight too old")
}

// TestOwnWritesSeenAtOnce: a write through the server shows in the next
// page at once, however long the server may otherwise keep the version,
// while a write through another handle waits for that bound.
func TestOwnWritesSeenAtOnce(t *testing.T) {
	f := newEditFixture(t)
	f.srv.pageCache.version.maxAge = int64(time.Hour)
	const page = "/essays/" + longSlug
	if r := get(t, f.srv, page); r.Code != 200 || !strings.Contains(r.Body, "Soviet Foreign Policy") {
		t.Fatalf("the page: %d", r.Code)
	}
	editEssay(t, otherWriter(t, f.st), longSlug, func(e *ibid.Essay) { e.Title = "Written Elsewhere" })
	if r := get(t, f.srv, page); r.Code != 200 || strings.Contains(r.Body, "Written Elsewhere") {
		t.Fatalf("a write through another handle showed within the bound (%d): the cache is not in play", r.Code)
	}
	for name, sign := range f.credentials() {
		title := "Soviet Diplomacy, by " + name
		req := jsonReq("PATCH", "/api/essays/"+longSlug, map[string]any{"title": title})
		sign(req)
		if r := do(t, f.srv, req); r.Code != 200 {
			t.Fatalf("%s: the edit: %d %s", name, r.Code, r.Body)
		}
		if r := get(t, f.srv, page); r.Code != 200 || !strings.Contains(r.Body, title) {
			t.Errorf("%s: the page after an edit through this server lacks the new title (%d)", name, r.Code)
		}
	}
}

// TestListingPagesCached serves each listing page at its plain address to
// a reader twice, adds an essay through another handle on the library, and
// wants every page to show it; the same pages with a query or for a
// signed-in editor are rendered for the request and not kept.
func TestListingPagesCached(t *testing.T) {
	f := newEditFixture(t)
	pages := []struct {
		path string
		want string // shown once the essay is added
	}{
		{"/", "Litvinov at Geneva"},
		{"/subjects", "Treaties"},
		{"/subjects/history", "Litvinov at Geneva"},
		{"/topics/diplomacy", "Litvinov at Geneva"},
		{"/essays", "Litvinov at Geneva"},
	}
	before := map[string]response{}
	for _, p := range pages {
		a, b := get(t, f.srv, p.path), get(t, f.srv, p.path)
		if a.Code != 200 || a.Header.Get("ETag") == "" || b.Body != a.Body || b.Header.Get("ETag") != a.Header.Get("ETag") {
			t.Fatalf("%s: %d, ETags %q and %q", p.path, a.Code, a.Header.Get("ETag"), b.Header.Get("ETag"))
		}
		if _, ok := f.srv.pageCache.lru.get(p.path); !ok {
			t.Errorf("%s was not kept", p.path)
		}
		if strings.Contains(a.Body, p.want) {
			t.Fatalf("%s shows %q before the essay is added", p.path, p.want)
		}
		if r := get(t, f.srv, p.path, "If-None-Match", a.Header.Get("ETag")); r.Code != 304 {
			t.Errorf("%s revalidated: %d", p.path, r.Code)
		}
		if r := get(t, f.srv, p.path, "Cookie", f.cookie.String()); r.Code != 200 || r.Header.Get("ETag") != "" ||
			!strings.Contains(r.Header.Get("Cache-Control"), "private") || !strings.Contains(r.Body, "editor@example.org") {
			t.Errorf("%s signed in: %d, ETag %q, Cache-Control %q", p.path, r.Code, r.Header.Get("ETag"), r.Header.Get("Cache-Control"))
		}
		before[p.path] = a
	}
	// A listing's further pages, addressed as the site links to them,
	// are kept too; other queries, and pages past the end, are not.
	kept := f.srv.pageCache.lru.order.Len()
	for _, q := range []struct {
		path string
		code int
		kept bool
	}{
		{"/subjects/biology?page=2", 200, true},
		{"/essays?length=1-2&page=2", 200, true},
		{"/subjects/biology?page=02", 200, false},
		{"/subjects/biology?page=2&x=1", 200, false},
		{"/subjects/biology?page=1", 200, false},
		{"/essays?page=2&length=1-2", 200, false},
		{"/?page=2", 200, false},
		{"/subjects?page=2", 200, false},
		{"/subjects/biology?page=9", 404, false},
	} {
		r := get(t, f.srv, q.path)
		if q.kept {
			kept++
		}
		if r.Code != q.code || (r.Header.Get("ETag") != "") != q.kept || f.srv.pageCache.lru.order.Len() != kept {
			t.Errorf("%s: %d, ETag %q, %d pages kept (want %d, kept %v)", q.path, r.Code, r.Header.Get("ETag"), f.srv.pageCache.lru.order.Len(), q.code, q.kept)
		}
	}

	e := newEssay("Litvinov at Geneva", "History", []string{"Diplomacy", "Treaties"}, []ibid.Block{
		{Type: ibid.Paragraph, Text: "Litvinov argued for collective security at the League of Nations."},
	}, time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))
	if err := otherWriter(t, f.st).CreateEssay(context.Background(), e); err != nil {
		t.Fatal(err)
	}
	waitOutStaleness()
	for _, p := range pages {
		r := get(t, f.srv, p.path)
		if r.Code != 200 || !strings.Contains(r.Body, p.want) || r.Header.Get("ETag") == before[p.path].Header.Get("ETag") {
			t.Errorf("%s after the essay was added: %d, shows it %v, ETag %q (was %q)", p.path, r.Code,
				strings.Contains(r.Body, p.want), r.Header.Get("ETag"), before[p.path].Header.Get("ETag"))
		}
	}
}

// TestSearchPagesCached: a search asked again by a reader is served from
// the search cache (same page, same ETag, 304 on revalidation), apart from
// the cache of essay and listing pages; a signed-in editor's search, a
// search with a field the form does not have, and a refused search are not
// kept; an essay added through another handle on the library shows in the
// next search.
func TestSearchPagesCached(t *testing.T) {
	f := newEditFixture(t)
	const search = "/search?q=zeppelinfeld"
	a, b := get(t, f.srv, search), get(t, f.srv, search)
	if a.Code != 200 || a.Header.Get("ETag") == "" || b.Body != a.Body || b.Header.Get("ETag") != a.Header.Get("ETag") {
		t.Fatalf("%s: %d, ETags %q and %q", search, a.Code, a.Header.Get("ETag"), b.Header.Get("ETag"))
	}
	if _, ok := f.srv.pageCache.searches.peek(search); !ok {
		t.Error("the search was not kept")
	}
	if _, ok := f.srv.pageCache.lru.peek(search); ok {
		t.Error("the search was kept with the essay pages")
	}
	if r := get(t, f.srv, search, "If-None-Match", a.Header.Get("ETag")); r.Code != 304 {
		t.Errorf("revalidated: %d", r.Code)
	}
	kept := f.srv.pageCache.searches.order.Len()
	for _, q := range []struct {
		path    string
		headers []string
		code    int
	}{
		{search, []string{"Cookie", f.cookie.String()}, 200},
		{search + "&hl=1", nil, 200},
		{search + "&q=other", nil, 200},
		{"/search?q=" + strings.Repeat("x", maxQueryLen+1), nil, 413},
		{"/search?q=vienna&length=nonsense", nil, 400},
	} {
		r := get(t, f.srv, q.path, q.headers...)
		if r.Code != q.code || r.Header.Get("ETag") != "" || f.srv.pageCache.searches.order.Len() != kept {
			t.Errorf("%.60s: %d (want %d), ETag %q, %d searches kept (want %d)", q.path, r.Code, q.code,
				r.Header.Get("ETag"), f.srv.pageCache.searches.order.Len(), kept)
		}
	}
	if strings.Contains(a.Body, "Litvinov at Geneva") {
		t.Fatal("the search finds the essay before it is added")
	}
	e := newEssay("Litvinov at Geneva", "History", []string{"Diplomacy"}, []ibid.Block{
		{Type: ibid.Paragraph, Text: "Litvinov spoke of the Zeppelinfeld rallies at the League of Nations."},
	}, time.Time{})
	if err := otherWriter(t, f.st).CreateEssay(context.Background(), e); err != nil {
		t.Fatal(err)
	}
	waitOutStaleness()
	if r := get(t, f.srv, search); r.Code != 200 || !strings.Contains(r.Body, "Litvinov at Geneva") || r.Header.Get("ETag") == a.Header.Get("ETag") {
		t.Errorf("after the essay was added: %d, finds it %v, ETag %q (was %q)", r.Code,
			strings.Contains(r.Body, "Litvinov at Geneva"), r.Header.Get("ETag"), a.Header.Get("ETag"))
	}
}

// TestBrotliUpgrade: a page first served in Brotli at quality 5 is
// recompressed at quality 11 in the background and served so from then on,
// the same page under the same ETag; a gzip request queues nothing, and a
// page the cache no longer holds is not recompressed.
func TestBrotliUpgrade(t *testing.T) {
	s, _ := newServer(t, Config{})
	u := s.pageCache.upgrader
	upgraded := make(chan struct{}, 4)
	u.done = func() { upgraded <- struct{}{} }
	const page = "/essays/" + longSlug
	plain := get(t, s, page)
	if r := get(t, s, page, "Accept-Encoding", "gzip"); r.Code != 200 || len(u.queue) != 0 || u.running.Load() {
		t.Fatalf("a gzip request: %d, %d pages queued for Brotli", r.Code, len(u.queue))
	}
	decode := func(r response) string {
		t.Helper()
		if r.Code != 200 || r.Header.Get("Content-Encoding") != "br" || r.Header.Get("Content-Length") != strconv.Itoa(len(r.Body)) {
			t.Fatalf("%d, Content-Encoding %q, Content-Length %s for %d bytes", r.Code, r.Header.Get("Content-Encoding"), r.Header.Get("Content-Length"), len(r.Body))
		}
		b, err := io.ReadAll(brotli.NewReader(strings.NewReader(r.Body)))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	first := get(t, s, page, "Accept-Encoding", "br")
	if decode(first) != plain.Body {
		t.Fatal("the quality 5 form is not the page")
	}
	select {
	case <-upgraded:
	case <-time.After(time.Minute): // a bound on a hang, not a measure of speed
		t.Fatal("the page was not recompressed")
	}
	second := get(t, s, page, "Accept-Encoding", "br")
	if decode(second) != plain.Body {
		t.Fatal("the quality 11 form is not the page")
	}
	cp, _ := s.pageCache.lru.peek(page)
	want := cp.compress("-br", brHeader, brotliWriter(brotliBestQuality)).body
	if second.Body != string(want) || second.Header.Get("ETag") != first.Header.Get("ETag") {
		t.Errorf("after the upgrade: %d bytes (quality 11 makes %d, quality 5 made %d), ETag %s (was %s)",
			len(second.Body), len(want), len(first.Body), second.Header.Get("ETag"), first.Header.Get("ETag"))
	}

	// A page the cache does not hold (replaced by a newer render) is skipped.
	stale := newCachedPage(1, []byte(plain.Body))
	u.upgrade(upgradeJob{page, stale})
	if stale.br.v.Load() != nil {
		t.Error("a page the cache no longer holds was recompressed")
	}
}
