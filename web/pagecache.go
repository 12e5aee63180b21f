package web

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/andybalholm/brotli"
)

// pageCacheBytes bounds the memory kept for rendered pages, their HTML and
// its compressed forms together: some 750 essay pages of the seed's size
// (44 KB of HTML, 13 KB gzipped or in Brotli).
const pageCacheBytes = 64 << 20

// searchCacheBytes bounds the search result pages kept, in a cache of their
// own: readers make up searches, and a stream of new ones must not push the
// essay and listing pages out. 8 MB holds some 300 result pages.
const searchCacheBytes = 8 << 20

// pageCache keeps pages rendered for readers who are not signed in, by
// address. A page shows more than its own essay (the related essays, which
// any other essay's arrival can change), so an entry is good only at the
// library version (ibid.Store.Version) it was rendered at. The version lives
// in the store, so that a write through another server on the same database
// is seen; versionReader keeps the store's answer for PageStaleness, so
// that a page view costs no query, and forgets it at once after a write
// through this server.
type pageCache struct {
	lru          *lruCache[*cachedPage]
	searches     *lruCache[*cachedPage] // search result pages (see searchCacheBytes)
	version      *versionReader
	upgrader     *brotliUpgrader
	hits, misses atomic.Int64 // for /metrics; atomics, not labelled counters, on the hot path
}

// cachedPage is one rendered page and its compressed forms, each made on
// the first request that asks for it (most readers' browsers ask for
// Brotli only; curl and crawlers for gzip or nothing).
type cachedPage struct {
	version  int64 // the library's version it was rendered at
	html     []byte
	modified time.Time // when it was rendered, to the second
	lastModH []string  // modified as Last-Modified writes it (see headerValue)
	plain    pageVariant
	gz, br   lazyVariant
	key      string          // its address in the cache
	upgrader *brotliUpgrader // told when the Brotli form is first made; nil: none
}

// pageVariant is a page in one content coding, with its header values made
// once (see headerValue).
type pageVariant struct {
	body        []byte // the HTML itself where the coding saved too little
	etag        string // quoted; a coding's is the HTML's, weak, with the coding's suffix inside the quotes
	etagH, lenH []string
	codingH     []string // Content-Encoding; nil for the HTML
}

// lazyVariant is a compressed form made on first use, which a better one
// made later may replace (brotliUpgrader).
type lazyVariant struct {
	once sync.Once
	v    atomic.Pointer[pageVariant]
}

// A compressed form is kept only if it is at most this share of the HTML
// (pages come to some 30 %), so that a page's size in the cache can be
// known before its forms are made: the HTML and twice half of it.
const compressedShare = 2

// The Brotli qualities of pages. Measured on the demo's long essay page
// (35 KB, BenchmarkPageCompression, this 2-CPU machine under load):
// quality 5 takes 2-5 ms and gives 11.7 KB (gzip -9: 1-2.5 ms, 12.3 KB);
// quality 11 gives 9.8 KB (-16 %) but takes 85-250 ms, too long for the
// first reader of a page after each write to the library, which makes
// every page render again. So a page is served at quality 5 at once, and
// brotliUpgrader recompresses it at 11 in the background.
const (
	brotliQuality     = 5
	brotliBestQuality = 11
)

func (cp *cachedPage) variant(coding string) *pageVariant {
	switch coding {
	case "br":
		return cp.br.get(func() *pageVariant {
			v := cp.compress("-br", brHeader, brotliWriter(brotliQuality))
			if cp.upgrader != nil && v != &cp.plain {
				cp.upgrader.add(cp.key, cp)
			}
			return v
		})
	case "gzip":
		return cp.gz.get(func() *pageVariant { return cp.compress("-gz", gzipHeader, gzipWriter) })
	}
	return &cp.plain
}

// get returns the variant, making it with mk on first use.
func (lv *lazyVariant) get(mk func() *pageVariant) *pageVariant {
	if v := lv.v.Load(); v != nil {
		return v
	}
	lv.once.Do(func() { lv.v.CompareAndSwap(nil, mk()) })
	return lv.v.Load()
}

func brotliWriter(quality int) func(io.Writer) io.WriteCloser {
	return func(w io.Writer) io.WriteCloser { return brotli.NewWriterLevel(w, quality) }
}

func gzipWriter(w io.Writer) io.WriteCloser {
	zw, _ := gzip.NewWriterLevel(w, gzip.BestCompression)
	return zw
}

// compress makes the page's HTML in a content coding.
func (cp *cachedPage) compress(suffix string, coding []string, compressor func(io.Writer) io.WriteCloser) *pageVariant {
	var b bytes.Buffer
	zw := compressor(&b)
	zw.Write(cp.html) // writes to a bytes.Buffer do not fail
	zw.Close()
	if b.Len()*compressedShare > len(cp.html) {
		// Not worth keeping: the HTML goes out as it is.
		return &cp.plain
	}
	v := &pageVariant{body: b.Bytes(), codingH: coding}
	// Weak: the compressed bytes depend on the compressor and its
	// quality, not only on the page; a weak ETag promises the same page,
	// not the same bytes (and ranges are not served), so it stays when
	// brotliUpgrader swaps in a smaller form.
	v.etag = `W/` + cp.plain.etag[:len(cp.plain.etag)-1] + suffix + `"`
	v.etagH = headerValue(v.etag)
	v.lenH = headerValue(strconv.Itoa(len(v.body)))
	return v
}

// brotliUpgrader recompresses rendered pages at brotliBestQuality, one at
// a time, in a goroutine that runs while there is work: pages wait in a
// short queue (past it they keep quality 5), a page replaced or dropped
// from the cache meanwhile is skipped, and after each page the goroutine
// rests as long as it worked, so that it takes at most half of one core
// however often the library changes.
type brotliUpgrader struct {
	queue   chan upgradeJob
	running atomic.Bool
	current func(key string) *cachedPage // the page the cache holds under key now
	done    func()                       // called after each job; for tests
}

type upgradeJob struct {
	key string
	cp  *cachedPage
}

// add queues cp for an upgrade, unless the queue is full.
func (u *brotliUpgrader) add(key string, cp *cachedPage) {
	select {
	case u.queue <- upgradeJob{key, cp}:
	default:
		return
	}
	if !u.running.Swap(true) {
		go u.run()
	}
}

func (u *brotliUpgrader) run() {
	for {
		select {
		case job := <-u.queue:
			start := time.Now()
			u.upgrade(job)
			if u.done != nil {
				u.done()
			}
			time.Sleep(time.Since(start))
		default:
			u.running.Store(false)
			// A job queued after the select found none, whose add saw
			// running still true, is taken up here.
			if len(u.queue) == 0 || u.running.Swap(true) {
				return
			}
		}
	}
}

// upgrade recompresses one page, if the cache still holds it.
func (u *brotliUpgrader) upgrade(job upgradeJob) {
	if u.current(job.key) != job.cp {
		return
	}
	if v := job.cp.compress("-br", brHeader, brotliWriter(brotliBestQuality)); v != &job.cp.plain {
		job.cp.br.v.Store(v) // requests from now on get it, and get makes no quality 5 form
	}
}

func newPageCache(maxBytes, searchBytes int, version func(context.Context) (int64, error)) *pageCache {
	// The HTML and room for its two compressed forms (compress keeps none
	// larger than half of it), and the address key; the struct itself is
	// noise.
	size := func(p *cachedPage) int { return 2*len(p.html) + len(p.key) + 64 }
	pc := &pageCache{
		lru:      newSizedLRU(maxBytes, size),
		searches: newSizedLRU(searchBytes, size),
		version:  newVersionReader(version, PageStaleness),
	}
	pc.upgrader = &brotliUpgrader{
		queue: make(chan upgradeJob, 32),
		current: func(key string) *cachedPage {
			cp, _ := pc.lru.peek(key)
			return cp
		},
	}
	return pc
}

// PageStaleness bounds how old a page served from the cache may be: it
// shows every write committed to the library at least this long before the
// server began to answer (and every write made through this server before
// the request, at once). Writes by other processes on the same library (a
// second server on the same PostgreSQL, `ibid import` on the same SQLite
// file) are seen through the library's version, which a server reads at
// most once in this interval, and only while it serves pages: a query every
// few milliseconds under load, none when idle, instead of one a page view
// (a fifth of a cached page's time).
const PageStaleness = 10 * time.Millisecond

// versionReader answers "the library's version" with a read of the store
// begun no more than maxAge before the question, and begun after the last
// write this process made (forget). Under steady traffic a request finds a
// fresh enough answer in memory, and one that finds it past half its age
// starts the next read in the background, so that requests seldom wait;
// after a pause, or a write through this server, the next requests wait for
// a new read and share it.
type versionReader struct {
	read    func(context.Context) (int64, error)
	maxAge  int64        // nanoseconds
	now     func() int64 // a monotonic clock in nanoseconds; a test's own in tests
	last    atomic.Pointer[versionCall]
	barrier atomic.Int64 // reads begun before this are too old, whatever their age: a write came after them
	mu      sync.Mutex
	flight  *versionCall // the newest read in flight; nil when none
}

// versionCall is one read of the version.
type versionCall struct {
	start   int64         // when the read began, on versionReader.now's clock
	done    chan struct{} // closed when version and err are set
	version int64
	err     error
}

// versionReadTimeout bounds one read: it runs apart from the requests that
// wait for it, any of which may go away.
const versionReadTimeout = 10 * time.Second

func newVersionReader(read func(context.Context) (int64, error), maxAge time.Duration) *versionReader {
	epoch := time.Now()
	return &versionReader{
		read:   read,
		maxAge: int64(maxAge),
		now:    func() int64 { return int64(time.Since(epoch)) }, // monotonic
	}
}

func (vr *versionReader) get(ctx context.Context) (int64, error) {
	now := vr.now()
	floor := max(now-vr.maxAge, vr.barrier.Load())
	if c := vr.last.Load(); c != nil && c.start >= floor {
		if now-c.start > vr.maxAge/2 {
			vr.refresh()
		}
		return c.version, nil
	}
	vr.mu.Lock()
	c := vr.flight
	if c == nil || c.start < floor {
		c = vr.startLocked()
	}
	vr.mu.Unlock()
	select {
	case <-c.done:
		return c.version, c.err
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

// refresh starts a read in the background unless one is in flight.
func (vr *versionReader) refresh() {
	if !vr.mu.TryLock() {
		return // another request is starting one, or one is ending
	}
	if vr.flight == nil {
		vr.startLocked()
	}
	vr.mu.Unlock()
}

// forget makes the reads begun so far too old for requests that come
// after: this process has just committed a write, and the writer, told so,
// may ask for the page at once.
func (vr *versionReader) forget() {
	now := vr.now()
	for {
		b := vr.barrier.Load()
		if b >= now || vr.barrier.CompareAndSwap(b, now) {
			return
		}
	}
}

// startLocked starts a read; vr.mu is held.
func (vr *versionReader) startLocked() *versionCall {
	c := &versionCall{start: vr.now(), done: make(chan struct{})}
	vr.flight = c
	go vr.run(c)
	return c
}

func (vr *versionReader) run(c *versionCall) {
	ctx, cancel := context.WithTimeout(context.Background(), versionReadTimeout)
	c.version, c.err = vr.read(ctx)
	cancel()
	vr.mu.Lock()
	if vr.flight == c {
		vr.flight = nil
	}
	if last := vr.last.Load(); c.err == nil && (last == nil || last.start < c.start) {
		vr.last.Store(c)
	}
	vr.mu.Unlock()
	close(c.done)
}

// seeOwnWrites makes a write through this server visible to the next page
// view at once: after a request that may have written (any method but GET,
// HEAD and OPTIONS), the version is read again, and the response is not
// let out before the version reader knows.
func (s *Server) seeOwnWrites(h http.Handler) http.Handler {
	vr := s.pageCache.version
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			h.ServeHTTP(w, r)
			return
		}
		// A handler answers after its write commits; the response may go
		// out before it returns (a large body is flushed as it is written).
		h.ServeHTTP(&forgetOnWrite{ResponseWriter: w, vr: vr}, r)
		vr.forget()
	})
}

// forgetOnWrite calls forget before the first byte of the response.
type forgetOnWrite struct {
	http.ResponseWriter
	vr   *versionReader
	done bool
}

func (w *forgetOnWrite) WriteHeader(code int) {
	if !w.done {
		w.done = true
		w.vr.forget()
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *forgetOnWrite) Write(b []byte) (int, error) {
	if !w.done {
		w.done = true
		w.vr.forget()
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection.
func (w *forgetOnWrite) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// cacheable reports whether r asks for the plain address of a page, or,
// with keys, for an address with a query of those keys only, written as
// the site's own links write it (url.Values.Encode: keys sorted, one value
// each, ?page= from 2 up without leading zeros). Other queries (?hl= marks
// a passage; ?page=02, ?x=) are rendered for the request, so that made-up
// addresses cannot crowd the cache: each kept address is a page the site
// links to (a page past the end of a listing is not found, and not kept).
func cacheable(r *http.Request, keys ...string) bool {
	raw := r.URL.RawQuery
	if raw == "" {
		return !r.URL.ForceQuery
	}
	if len(keys) == 0 {
		return false
	}
	q, err := url.ParseQuery(raw)
	if err != nil || q.Encode() != raw {
		return false
	}
	for k, vs := range q {
		if len(vs) != 1 || vs[0] == "" || !slices.Contains(keys, k) {
			return false
		}
		if k == "page" {
			if n, err := strconv.Atoi(vs[0]); err != nil || n < 2 || strconv.Itoa(n) != vs[0] {
				return false
			}
		}
	}
	return true
}

// cachedPage serves the page that build renders for an anonymous reader of
// r from the cache, calling build only when the cache has none for the
// library's current version. Errors of build (not found) are not kept.
func (s *Server) cachedPage(w http.ResponseWriter, r *http.Request, build func() ([]byte, error)) error {
	return s.cachedIn(s.pageCache.lru, s.pageCache.upgrader, w, r, build)
}

// cachedIn is cachedPage with the cache to use, and the Brotli upgrader of
// its pages (nil: they keep quality 5).
func (s *Server) cachedIn(lru *lruCache[*cachedPage], upgrader *brotliUpgrader, w http.ResponseWriter, r *http.Request, build func() ([]byte, error)) error {
	// The version is read before the page is built: a write committed in
	// between leaves a newer page under an older version, rendered again on
	// the next request, never an older page under a newer version.
	version, err := s.pageCache.version.get(r.Context())
	if err != nil {
		return err
	}
	key := r.URL.RequestURI()
	cp, ok := lru.get(key)
	if ok && cp.version == version {
		s.pageCache.hits.Add(1)
	} else {
		s.pageCache.misses.Add(1)
		html, err := build()
		if err != nil {
			return err
		}
		old := cp
		cp = newCachedPage(version, html)
		cp.key, cp.upgrader = key, upgrader
		if old != nil && !cp.modified.After(old.modified) {
			// Rendered again within the second of the last render:
			// Last-Modified has to move on, or a client revalidating
			// with If-Modified-Since alone would keep the old page.
			cp.modified = old.modified.Add(time.Second)
			cp.lastModH = headerValue(cp.modified.Format(http.TimeFormat))
		}
		lru.add(key, cp)
	}
	servePage(w, r, cp)
	return nil
}

// cachePages wraps the handler of a listing page (home, subjects, a
// subject, a topic, all essays) whose page, at its plain address or with a
// query of the given keys (?page=2, ?length=), depends only on the library
// and the server's configuration: readers who are not signed in get it from
// the page cache. Other addresses with a query are rendered for the request
// (see cacheable).
func (s *Server) cachePages(h handlerFunc, keys ...string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if !cacheable(r, keys...) || s.viewer(r) != nil {
			return h(w, r)
		}
		return s.cachedPage(w, r, capture(w, r, h))
	}
}

// cacheSearches wraps the search page. A reader who is not signed in gets
// a search asked before, at the same address and library version, from the
// search cache, without taking a search slot or a token of the search
// rate: a repeated search costs what a cached page costs. A search is kept
// only if it has at most the form's fields (q, subject, length, page), so
// that the page depends on nothing else.
func (s *Server) cacheSearches(h handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if s.viewer(r) != nil || !searchCacheable(r) {
			return h(w, r)
		}
		// Search pages are not upgraded to Brotli quality 11: made-up
		// searches would keep the upgrader busy for pages asked once.
		return s.cachedIn(s.pageCache.searches, nil, w, r, capture(w, r, h))
	}
}

// searchCacheable reports whether r is a search the search cache may keep:
// its query has only the search form's fields, once each, and is no longer
// than a search may be (the handler refuses longer ones, and those are
// not kept anyway).
func searchCacheable(r *http.Request) bool {
	raw := r.URL.RawQuery
	if len(raw) > 4*maxQueryLen {
		return false
	}
	q, err := url.ParseQuery(raw)
	if err != nil {
		return false
	}
	for k, vs := range q {
		switch k {
		case "q", "subject", "length", "page":
		default:
			return false
		}
		if len(vs) != 1 {
			return false
		}
	}
	return true
}

// capture returns a build function for the page cache that runs h with a
// captureWriter. When h fails, the headers it set (Retry-After on a 429 or
// 503) are copied to w, where the error's response goes.
func capture(w http.ResponseWriter, r *http.Request, h handlerFunc) func() ([]byte, error) {
	return func() ([]byte, error) {
		c := &captureWriter{header: http.Header{}}
		if err := h(c, r); err != nil {
			for k, v := range c.header {
				w.Header()[k] = v
			}
			return nil, err
		}
		if c.code != 0 && c.code != http.StatusOK {
			return nil, fmt.Errorf("web: a cached page answered %d", c.code)
		}
		return c.body.Bytes(), nil
	}
}

// captureWriter keeps what a page handler writes, for the page cache.
type captureWriter struct {
	header http.Header
	code   int
	body   bytes.Buffer
}

func (c *captureWriter) Header() http.Header         { return c.header }
func (c *captureWriter) WriteHeader(code int)        { c.code = code }
func (c *captureWriter) Write(b []byte) (int, error) { return c.body.Write(b) }

func newCachedPage(version int64, html []byte) *cachedPage {
	sum := sha256.Sum256(html)
	cp := &cachedPage{
		version:  version,
		html:     html,
		modified: time.Now().UTC().Truncate(time.Second),
	}
	cp.lastModH = headerValue(cp.modified.Format(http.TimeFormat))
	cp.plain.body = html
	cp.plain.etag = `"` + hex.EncodeToString(sum[:12]) + `"`
	cp.plain.etagH = headerValue(cp.plain.etag)
	cp.plain.lenH = headerValue(strconv.Itoa(len(html)))
	return cp
}

// Header values of every cached page (see headerValue).
var (
	// Browsers and shared caches revalidate every time, which the ETag
	// makes cheap; a signed-in reader's page differs (Cookie), and its
	// response is private.
	noCacheHeader = headerValue("no-cache")
	varyHeader    = headerValue("Accept-Encoding, Cookie")
	htmlHeader    = headerValue("text/html; charset=utf-8")
	gzipHeader    = headerValue("gzip")
	brHeader      = headerValue("br")
)

// servePage writes a cached page: in Brotli or gzip for clients that accept
// it, 304 for a matching If-None-Match (or, without one, an
// If-Modified-Since not older than the render), no body for HEAD. It writes
// the body in one call with its length: http.ServeContent, which also does
// ranges (of no use on a page), copies through a fresh 32 KB buffer and
// chunks, which cost a quarter of a cached page's time. Headers are set by
// assignment with values made once per render (Header.Set was a tenth of
// the time).
func servePage(w http.ResponseWriter, r *http.Request, cp *cachedPage) {
	h := w.Header()
	h["Cache-Control"] = noCacheHeader
	h["Vary"] = varyHeader
	v := cp.variant(contentCoding(r.Header["Accept-Encoding"]))
	h["Etag"] = v.etagH
	h["Last-Modified"] = cp.lastModH
	if notModified(r, v.etag, cp.modified) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h["Content-Type"] = htmlHeader
	if v.codingH != nil {
		h["Content-Encoding"] = v.codingH
	}
	h["Content-Length"] = v.lenH
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(v.body)
	}
}

// notModified applies If-None-Match (weak comparison, as for GET) or, when
// there is none, If-Modified-Since.
func notModified(r *http.Request, etag string, modified time.Time) bool {
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		etag = strings.TrimPrefix(etag, "W/")
		for tag := range strings.SplitSeq(inm, ",") {
			tag = strings.TrimPrefix(strings.TrimSpace(tag), "W/")
			if tag == "*" || tag == etag {
				return true
			}
		}
		return false
	}
	if ims := r.Header.Get("If-Modified-Since"); ims != "" {
		t, err := http.ParseTime(ims)
		return err == nil && !modified.After(t)
	}
	return false
}

// contentCoding picks the coding of a page from the Accept-Encoding header
// fields: "br" or "gzip", whichever has the higher q-value (br on a tie),
// or "" for the HTML as it is. A coding not named takes the q of "*" when
// that is named; q=0 refuses; identity named with a higher q than both
// wins.
func contentCoding(fields []string) string {
	if len(fields) == 0 {
		return ""
	}
	brQ, gzipQ, starQ, identityQ := -1.0, -1.0, -1.0, -1.0
	for _, field := range fields {
		for part := range strings.SplitSeq(field, ",") {
			coding, params, _ := strings.Cut(part, ";")
			coding = strings.TrimSpace(coding)
			q := 1.0
			for p := range strings.SplitSeq(params, ";") {
				k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
				if strings.EqualFold(strings.TrimSpace(k), "q") {
					if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil && f >= 0 && f <= 1 {
						q = f
					}
				}
			}
			switch {
			case strings.EqualFold(coding, "br"):
				brQ = q
			case strings.EqualFold(coding, "gzip"), strings.EqualFold(coding, "x-gzip"):
				gzipQ = q
			case strings.EqualFold(coding, "identity"):
				identityQ = q
			case coding == "*":
				starQ = q
			}
		}
	}
	if brQ < 0 {
		brQ = starQ
	}
	if gzipQ < 0 {
		gzipQ = starQ
	}
	switch {
	case brQ > 0 && brQ >= gzipQ && brQ >= identityQ:
		return "br"
	case gzipQ > 0 && gzipQ >= identityQ:
		return "gzip"
	}
	return ""
}
