package originality

import (
	"container/list"
	"context"
	"sync"

	"github.com/ibid-dev/ibid"
)

// Library adapts any ibid.Store to a Source: postings from the store's
// fingerprint index, texts from its essays. It keeps the prepared texts of
// recent candidates in memory (at most cacheBytes), because preparing
// a source — tokens, stems, sentences — costs more than aligning it, and the
// same essays are candidates again and again. Each entry carries the
// essay's content hash, and every check asks the store for the current
// hashes of its cached candidates (one query, while it aligns them): an
// essay edited or deleted through another server sharing the database is
// never reported in its old form (a candidate found stale is aligned again
// as it is now, or left out if deleted).
func Library(s ibid.Store) Source {
	return &library{Store: s, items: map[int64]*list.Element{}, order: list.New(), max: cacheBytes}
}

// cacheBytes bounds the memory of a library's prepared texts.
const cacheBytes = 256 << 20

// preparedWordBytes is the memory of one word of a prepared text with its
// term bag and trigram index built, measured on 300 PAN source documents
// (225,494 words: 26.1 MB of heap, 116 bytes a word; 111 before the
// pointer-free words, stem tables and trigram buckets of issue 14, 87
// before the spin pass gave words their synonyms and term bags their
// synsets).
const preparedWordBytes = 116

type library struct {
	ibid.Store
	mu    sync.Mutex
	items map[int64]*list.Element // of *cached, most recent at the front
	order *list.List
	bytes int64 // of the prepared texts held
	max   int64 // bound of bytes; a text larger than it is not kept

	hits, misses uint64
}

// CacheStats describe a library's cache of prepared texts.
type CacheStats struct {
	Hits, Misses uint64 // look-ups of a candidate's prepared text
	Bytes        int64  // memory held (estimated at 116 bytes a word)
	Essays       int    // texts held
}

// LibraryStats returns the cache statistics of a Source made by Library;
// false for any other Source.
func LibraryStats(s Source) (CacheStats, bool) {
	l, ok := s.(*library)
	if !ok {
		return CacheStats{}, false
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return CacheStats{Hits: l.hits, Misses: l.misses, Bytes: l.bytes, Essays: l.order.Len()}, true
}

// size is the memory a prepared text holds.
func size(t *Text) int64 { return int64(len(t.p.words)) * preparedWordBytes }

type cached struct {
	id          int64
	slug, title string
	hash        string // the essay's content hash when it was prepared
	text        *Text
}

func (l *library) SourceText(ctx context.Context, id int64) (slug, title, text string, err error) {
	e, err := l.EssayByID(ctx, id)
	if err != nil {
		return "", "", "", err
	}
	return e.Slug, e.Title, e.Text, nil
}

// preparedSource is a Source that can hand out prepared texts itself.
type preparedSource interface {
	// held returns the ids among ids whose prepared texts are cached.
	held(ids []int64) []int64
	// currentHashes returns the current content hash of each essay of
	// ids ("" for one deleted).
	currentHashes(ctx context.Context, ids []int64) (map[int64]string, error)
	// forget drops the cached text of essay id if it was prepared from
	// the version of the given hash.
	forget(id int64, hash string)
	// preparedText returns an essay's prepared text; hash is the content
	// hash of the version it was prepared from when it comes from the
	// cache, "" when it was just read from the store.
	preparedText(ctx context.Context, id int64) (slug, title string, t *Text, hash string, err error)
}

func (l *library) held(ids []int64) []int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	var held []int64
	for _, id := range ids {
		if _, ok := l.items[id]; ok {
			held = append(held, id)
		}
	}
	return held
}

func (l *library) currentHashes(ctx context.Context, ids []int64) (map[int64]string, error) {
	return l.EssayHashes(ctx, ids)
}

func (l *library) forget(id int64, hash string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if el, ok := l.items[id]; ok && el.Value.(*cached).hash == hash {
		l.remove(el)
	}
}

func (l *library) preparedText(ctx context.Context, id int64) (string, string, *Text, string, error) {
	l.mu.Lock()
	if el, ok := l.items[id]; ok {
		c := el.Value.(*cached)
		l.order.MoveToFront(el)
		l.hits++
		l.mu.Unlock()
		return c.slug, c.title, c.text, c.hash, nil
	}
	l.misses++
	l.mu.Unlock()
	e, err := l.EssayByID(ctx, id)
	if err != nil {
		return "", "", nil, "", err
	}
	t := Prepare(e.Text, Options{})
	l.mu.Lock()
	defer l.mu.Unlock()
	if el, ok := l.items[id]; ok { // prepared meanwhile by another check
		l.remove(el)
	}
	if size(t) > l.max {
		// Kept, it would push out everything else and still be over
		// the bound: this check uses it and lets it go.
		return e.Slug, e.Title, t, "", nil
	}
	l.items[id] = l.order.PushFront(&cached{id: id, slug: e.Slug, title: e.Title, hash: e.Hash, text: t})
	l.bytes += size(t)
	for l.bytes > l.max {
		l.remove(l.order.Back())
	}
	return e.Slug, e.Title, t, "", nil
}

func (l *library) remove(el *list.Element) {
	c := el.Value.(*cached)
	l.order.Remove(el)
	delete(l.items, c.id)
	l.bytes -= size(c.text)
}
