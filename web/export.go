package web

import (
	"bytes"
	"container/list"
	"fmt"
	"mime"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/ibid-dev/ibid"
)

// essayOrExport serves /essays/{slug} as the essay page and
// /essays/{slug}.{ext} as a download. Slugs hold no dots, so the first dot
// starts the extension ("csl.json" included).
func (s *Server) essayOrExport(w http.ResponseWriter, r *http.Request) error {
	name := r.PathValue("name")
	slug, ext, ok := strings.Cut(name, ".")
	if !ok {
		return s.essay(w, r, slug)
	}
	x, ok := s.exporters[strings.ToLower(ext)]
	if !ok {
		return ibid.Errorf(ibid.ENOTFOUND, "This essay is not available in that format.")
	}
	return s.export(w, r, slug, x)
}

// export writes an essay through an exporter. The output depends only on the
// essay (its text, whose hash it has, and its metadata, which editors may
// change without touching the text: hence its Updated time) and the
// exporter, so it is cached by those and their digest doubles as the ETag.
func (s *Server) export(w http.ResponseWriter, r *http.Request, slug string, x ibid.Exporter) error {
	e, err := s.loadEssay(r.Context(), slug)
	if err != nil {
		return err
	}
	ext, _, ctype := x.Format()
	ext = strings.ToLower(strings.TrimPrefix(ext, "."))
	version := ibid.ContentHash(e.Hash + "\x00" + e.Updated.UTC().Format(time.RFC3339Nano))
	key := ext + "\x00" + version
	data, ok := s.cache.get(key)
	s.metrics.cacheLookup(ok)
	if !ok {
		var b bytes.Buffer
		if err := x.Export(&b, e); err != nil {
			return fmt.Errorf("export %s as %s: %w", e.Slug, ext, err)
		}
		data = b.Bytes()
		s.cache.add(key, data)
	}
	h := w.Header()
	h.Set("Content-Type", ctype)
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": e.Slug + "." + ext}))
	h.Set("ETag", `"`+version+`"`)
	h.Set("Cache-Control", "public, max-age=0, must-revalidate")
	// ServeContent answers If-None-Match with 304 and handles ranges, which
	// resumable PDF downloads use.
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(data))
	return nil
}

// lruCache keeps values up to a total size in bytes, dropping the least
// recently used first. Entries larger than the whole budget are not kept.
// The download cache keeps byte slices in one; the page cache (pagecache.go)
// keeps rendered pages in another.
type lruCache[V any] struct {
	mu     sync.Mutex
	max    int
	size   int
	sizeOf func(V) int
	order  *list.List // front is most recent; values are *lruEntry[V]
	items  map[string]*list.Element
}

type lruEntry[V any] struct {
	key  string
	val  V
	size int
}

// newLRUCache returns a cache of byte slices, measured by their length.
func newLRUCache(maxBytes int) *lruCache[[]byte] {
	return newSizedLRU(maxBytes, func(b []byte) int { return len(b) })
}

// newSizedLRU returns a cache whose values weigh sizeOf bytes each.
func newSizedLRU[V any](maxBytes int, sizeOf func(V) int) *lruCache[V] {
	return &lruCache[V]{max: maxBytes, sizeOf: sizeOf, order: list.New(), items: map[string]*list.Element{}}
}

// bytes is the size of what the cache holds.
func (c *lruCache[V]) bytes() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.size
}

func (c *lruCache[V]) get(key string) (V, bool) { return c.lookup(key, true) }

// peek is get without making the entry the most recently used.
func (c *lruCache[V]) peek(key string) (V, bool) { return c.lookup(key, false) }

func (c *lruCache[V]) lookup(key string, touch bool) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[key]
	if !ok {
		var zero V
		return zero, false
	}
	if touch {
		c.order.MoveToFront(el)
	}
	return el.Value.(*lruEntry[V]).val, true
}

func (c *lruCache[V]) add(key string, val V) {
	n := c.sizeOf(val)
	if n > c.max {
		// Too large to keep; an older value under the key is stale now.
		c.remove(key)
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[key]; ok {
		old := el.Value.(*lruEntry[V])
		c.size += n - old.size
		old.val, old.size = val, n
		c.order.MoveToFront(el)
	} else {
		c.items[key] = c.order.PushFront(&lruEntry[V]{key: key, val: val, size: n})
		c.size += n
	}
	for c.size > c.max {
		el := c.order.Back()
		ent := el.Value.(*lruEntry[V])
		c.order.Remove(el)
		delete(c.items, ent.key)
		c.size -= ent.size
	}
}

// remove drops the entry under key, if any.
func (c *lruCache[V]) remove(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[key]; ok {
		c.order.Remove(el)
		delete(c.items, key)
		c.size -= el.Value.(*lruEntry[V]).size
	}
}
