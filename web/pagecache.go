package web

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// pageCacheBytes bounds the memory kept for rendered pages, their HTML and
// its gzip together: some 1,200 essay pages of the seed's size (43 KB of
// HTML, 13 KB gzipped).
const pageCacheBytes = 64 << 20

// pageCache keeps pages rendered for readers who are not signed in, by
// address. A page shows more than its own essay (the related essays, which
// any other essay's arrival can change), so an entry is good only at the
// library version (ibid.Store.Version) it was rendered at: every request
// reads the version, one row (shared between requests that arrive together:
// versionReader), and a page of an older version is rendered again. The
// version lives in the store, so a write through another server on the same
// database is seen as soon as it is committed.
type pageCache struct {
	lru          *lruCache[*cachedPage]
	version      *versionReader
	hits, misses atomic.Int64 // for /metrics; atomics, not labelled counters, on the hot path
}

// cachedPage is one rendered page, compressed once when it is rendered.
type cachedPage struct {
	version  int64 // the library's version it was rendered at
	html, gz []byte
	etag     string    // quoted, of the HTML
	gzETag   string    // the gzip's: etag with "-gz" inside the quotes
	modified time.Time // when it was rendered, to the second
	lastMod  string    // modified as Last-Modified writes it, made once
}

func newPageCache(maxBytes int, version func(context.Context) (int64, error)) *pageCache {
	return &pageCache{
		lru: newSizedLRU(maxBytes, func(p *cachedPage) int {
			// The slices and the address key; the struct itself is noise.
			return len(p.html) + len(p.gz) + 64
		}),
		version: &versionReader{read: version},
	}
}

// versionReader shares reads of the library's version between the
// requests that want it at once, without ever answering a request with a
// read that began before the request arrived: a request that finds a read
// in flight waits for the next one, which starts when that one ends and
// serves every request that arrived meanwhile. So each request still sees
// every write committed before it came, and under load the store answers
// one query at a time instead of one per page view (a quarter of a cached
// page's time was the query).
type versionReader struct {
	read    func(context.Context) (int64, error)
	mu      sync.Mutex
	running bool         // a read is in flight
	next    *versionCall // the read that starts when it ends; nil when none is wanted yet
}

// versionCall is one read of the version and those waiting for it.
type versionCall struct {
	done    chan struct{} // closed when version and err are set
	version int64
	err     error
	waiters int // requests that joined it, counted under versionReader.mu
}

// versionLinger is the pause before a read that requests gathered for
// while the previous one ran: with a read taking some 30 µs, the version
// costs a few per cent of one core however many pages are served, for at
// most this much more latency.
const versionLinger = time.Millisecond

// versionReadTimeout bounds one shared read: it runs apart from the
// requests that wait for it, any of which may go away.
const versionReadTimeout = 10 * time.Second

func (vr *versionReader) get(ctx context.Context) (int64, error) {
	vr.mu.Lock()
	var c *versionCall
	if vr.running {
		if vr.next == nil {
			vr.next = &versionCall{done: make(chan struct{})}
		}
		c = vr.next
		c.waiters++
	} else {
		vr.running = true
		c = &versionCall{done: make(chan struct{})}
		go vr.run(c)
	}
	vr.mu.Unlock()
	select {
	case <-c.done:
		return c.version, c.err
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

// run reads the version for c, then for the requests that gathered while
// it did, until none are waiting.
func (vr *versionReader) run(c *versionCall) {
	for first := true; c != nil; first = false {
		if !first {
			// Under load the reads would run back to back, one core's
			// worth of queries; a pause gathers the requests of the next
			// short while into one read. A read never starts before its
			// requests came, so the pause costs latency, not freshness.
			time.Sleep(versionLinger)
		}
		ctx, cancel := context.WithTimeout(context.Background(), versionReadTimeout)
		c.version, c.err = vr.read(ctx)
		cancel()
		close(c.done)
		vr.mu.Lock()
		c, vr.next = vr.next, nil
		vr.running = c != nil
		vr.mu.Unlock()
	}
}

// cacheable reports whether r asks for the plain address of a page: the
// query (?hl= marks a passage) changes what a page shows, and such pages are
// rendered for the request.
func cacheable(r *http.Request) bool {
	return r.URL.RawQuery == "" && !r.URL.ForceQuery
}

// cachedPage serves the page that build renders for an anonymous reader of
// r from the cache, calling build only when the cache has none for the
// library's current version. Errors of build (not found) are not kept.
func (s *Server) cachedPage(w http.ResponseWriter, r *http.Request, build func() ([]byte, error)) error {
	// The version is read before the page is built: a write committed in
	// between leaves a newer page under an older version, rendered again on
	// the next request, never an older page under a newer version.
	version, err := s.pageCache.version.get(r.Context())
	if err != nil {
		return err
	}
	key := r.URL.RequestURI()
	cp, ok := s.pageCache.lru.get(key)
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
		if old != nil && !cp.modified.After(old.modified) {
			// Rendered again within the second of the last render:
			// Last-Modified has to move on, or a client revalidating
			// with If-Modified-Since alone would keep the old page.
			cp.modified = old.modified.Add(time.Second)
			cp.lastMod = cp.modified.Format(http.TimeFormat)
		}
		s.pageCache.lru.add(key, cp)
	}
	servePage(w, r, cp)
	return nil
}

// cachePages wraps the handler of a listing page (home, subjects, a
// subject, a topic, all essays) whose page, at its plain address, depends
// only on the library and the server's configuration: readers who are not
// signed in get it from the page cache. Addresses with a query (?page=2,
// ?length=) are rendered for the request, so that made-up queries cannot
// crowd the essay pages out of the cache.
func (s *Server) cachePages(h handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if !cacheable(r) || s.viewer(r) != nil {
			return h(w, r)
		}
		return s.cachedPage(w, r, func() ([]byte, error) {
			c := &captureWriter{header: http.Header{}}
			if err := h(c, r); err != nil {
				return nil, err
			}
			if c.code != 0 && c.code != http.StatusOK {
				return nil, fmt.Errorf("web: a cached page answered %d", c.code)
			}
			return c.body.Bytes(), nil
		})
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
		etag:     `"` + hex.EncodeToString(sum[:12]) + `"`,
		gzETag:   `"` + hex.EncodeToString(sum[:12]) + `-gz"`,
		modified: time.Now().UTC().Truncate(time.Second),
	}
	cp.lastMod = cp.modified.Format(http.TimeFormat)
	var b bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
	zw.Write(html) // writes to a bytes.Buffer do not fail
	zw.Close()
	cp.gz = b.Bytes()
	return cp
}

// servePage writes a cached page: gzipped for clients that accept it, 304
// for a matching If-None-Match (or, without one, an If-Modified-Since not
// older than the render), no body for HEAD. It writes the body in one call
// with its length: http.ServeContent, which also does ranges (of no use on
// a page), copies through a fresh 32 KB buffer and chunks, which cost a
// quarter of a cached page's time.
func servePage(w http.ResponseWriter, r *http.Request, cp *cachedPage) {
	h := w.Header()
	// Browsers and shared caches revalidate every time, which the ETag
	// makes cheap; a signed-in reader's page differs (Cookie), and its
	// response is private.
	h.Set("Cache-Control", "no-cache")
	h.Set("Vary", "Accept-Encoding, Cookie")
	body, etag := cp.html, cp.etag
	gz := acceptsGzip(r.Header.Get("Accept-Encoding"))
	if gz {
		body, etag = cp.gz, cp.gzETag
	}
	h.Set("ETag", etag)
	h.Set("Last-Modified", cp.lastMod)
	if notModified(r, etag, cp.modified) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Type", "text/html; charset=utf-8")
	if gz {
		h.Set("Content-Encoding", "gzip")
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}

// notModified applies If-None-Match (weak comparison, as for GET) or, when
// there is none, If-Modified-Since.
func notModified(r *http.Request, etag string, modified time.Time) bool {
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		for _, tag := range strings.Split(inm, ",") {
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

// acceptsGzip reads an Accept-Encoding header: gzip listed without q=0, or
// failing that * without q=0.
func acceptsGzip(header string) bool {
	gzipQ, starQ := -1.0, -1.0
	for _, part := range strings.Split(header, ",") {
		coding, params, _ := strings.Cut(part, ";")
		coding = strings.TrimSpace(coding)
		q := 1.0
		for _, p := range strings.Split(params, ";") {
			k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
			if strings.EqualFold(k, "q") {
				if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
					q = f
				}
			}
		}
		switch {
		case strings.EqualFold(coding, "gzip"), strings.EqualFold(coding, "x-gzip"):
			gzipQ = q
		case coding == "*":
			starQ = q
		}
	}
	if gzipQ >= 0 {
		return gzipQ > 0
	}
	return starQ > 0
}
