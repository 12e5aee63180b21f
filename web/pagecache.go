package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// pageCacheBytes bounds the memory kept for rendered pages, their HTML and
// its gzip together: some 1,300 essay pages of the seed's size (39 KB of
// HTML, 11 KB gzipped).
const pageCacheBytes = 64 << 20

// pageCache keeps pages rendered for readers who are not signed in, by
// address. A page shows more than its own essay (the related essays, which
// any other essay's arrival can change), so an entry is good only at the
// library version (ibid.Store.Version) it was rendered at: every request
// reads the version, one row, and a page of an older version is rendered
// again. The version lives in the store, so a write through another server
// on the same database is seen as soon as it is committed.
type pageCache struct {
	lru *lruCache[*cachedPage]
}

// cachedPage is one rendered page, compressed once when it is rendered.
type cachedPage struct {
	version  int64 // the library's version it was rendered at
	html, gz []byte
	etag     string    // quoted, of the HTML; the gzip's adds "-gz" inside the quotes
	modified time.Time // when it was rendered, to the second
}

func newPageCache(maxBytes int) *pageCache {
	return &pageCache{lru: newSizedLRU(maxBytes, func(p *cachedPage) int {
		// The slices and the address key; the struct itself is noise.
		return len(p.html) + len(p.gz) + 64
	})}
}

// cacheable reports whether r asks for the plain address of a page: the
// query (?hl= marks a passage) changes what a page shows, and such pages are
// rendered for the request.
func cacheable(r *http.Request) bool {
	return r.URL.RawQuery == "" && !r.URL.ForceQuery
}

// cachedPage serves the page build makes for an anonymous reader of r from
// the cache, building and rendering it only when the cache has none for the
// library's current version. Errors of build (not found) are not kept.
func (s *Server) cachedPage(w http.ResponseWriter, r *http.Request, build func() (*page, error)) error {
	// The version is read before the page is built: a write committed in
	// between leaves a newer page under an older version, rendered again on
	// the next request, never an older page under a newer version.
	version, err := s.store.Version(r.Context())
	if err != nil {
		return err
	}
	key := r.URL.RequestURI()
	cp, ok := s.pageCache.lru.get(key)
	if !ok || cp.version != version {
		p, err := build()
		if err != nil {
			return err
		}
		html, err := s.renderBytes(p.template, p)
		if err != nil {
			return err
		}
		cp = newCachedPage(version, html)
		s.pageCache.lru.add(key, cp)
	}
	servePage(w, r, cp)
	return nil
}

func newCachedPage(version int64, html []byte) *cachedPage {
	sum := sha256.Sum256(html)
	cp := &cachedPage{
		version:  version,
		html:     html,
		etag:     `"` + hex.EncodeToString(sum[:12]) + `"`,
		modified: time.Now().UTC().Truncate(time.Second),
	}
	var b bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
	zw.Write(html) // writes to a bytes.Buffer do not fail
	zw.Close()
	cp.gz = b.Bytes()
	return cp
}

// servePage writes a cached page: gzipped for clients that accept it, 304
// for a matching If-None-Match (or an If-Modified-Since not older than the
// render), ranges and HEAD as http.ServeContent does them.
func servePage(w http.ResponseWriter, r *http.Request, cp *cachedPage) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	// Browsers and shared caches revalidate every time, which the ETag
	// makes cheap; a signed-in reader's page differs (Cookie), and its
	// response is private.
	h.Set("Cache-Control", "no-cache")
	h.Set("Vary", "Accept-Encoding, Cookie")
	body, etag := cp.html, cp.etag
	if acceptsGzip(r.Header.Get("Accept-Encoding")) {
		body, etag = cp.gz, strings.TrimSuffix(cp.etag, `"`)+`-gz"`
		h.Set("Content-Encoding", "gzip")
	}
	h.Set("ETag", etag)
	http.ServeContent(w, r, "", cp.modified, bytes.NewReader(body))
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
