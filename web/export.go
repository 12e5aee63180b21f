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

// lruCache keeps byte slices up to a total size, dropping the least recently
// used first. Entries larger than the whole budget are not kept.
type lruCache struct {
	mu    sync.Mutex
	max   int
	size  int
	order *list.List // front is most recent; values are *lruEntry
	items map[string]*list.Element
}

type lruEntry struct {
	key  string
	data []byte
}

func newLRUCache(maxBytes int) *lruCache {
	return &lruCache{max: maxBytes, order: list.New(), items: map[string]*list.Element{}}
}

// bytes is the size of what the cache holds.
func (c *lruCache) bytes() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.size
}

func (c *lruCache) get(key string) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[key]
	if !ok {
		return nil, false
	}
	c.order.MoveToFront(el)
	return el.Value.(*lruEntry).data, true
}

func (c *lruCache) add(key string, data []byte) {
	if len(data) > c.max {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[key]; ok {
		old := el.Value.(*lruEntry)
		c.size += len(data) - len(old.data)
		old.data = data
		c.order.MoveToFront(el)
	} else {
		c.items[key] = c.order.PushFront(&lruEntry{key: key, data: data})
		c.size += len(data)
	}
	for c.size > c.max {
		el := c.order.Back()
		ent := el.Value.(*lruEntry)
		c.order.Remove(el)
		delete(c.items, ent.key)
		c.size -= len(ent.data)
	}
}
