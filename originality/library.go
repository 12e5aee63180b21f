package originality

import (
	"container/list"
	"context"
	"sync"
	"time"

	"github.com/ibid-dev/ibid"
)

// Library adapts any ibid.Store to a Source: postings from the store's
// fingerprint index, texts from its essays. It keeps the prepared texts of
// recent candidates in memory (at most cacheWords words, each for at most
// cacheTTL), because preparing a source — tokens, stems, sentences — costs
// more than aligning it, and the same essays are candidates again and again.
// An edited essay may so be aligned in its old form for up to cacheTTL.
func Library(s ibid.Store) Source {
	return &library{Store: s, items: map[int64]*list.Element{}, order: list.New()}
}

const (
	cacheWords = 4_000_000 // about 200 MB of prepared words
	cacheTTL   = 5 * time.Minute
)

type library struct {
	ibid.Store
	mu    sync.Mutex
	items map[int64]*list.Element // of *cached, most recent at the front
	order *list.List
	words int
}

type cached struct {
	id          int64
	slug, title string
	text        *Text
	at          time.Time
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
	preparedText(ctx context.Context, id int64) (slug, title string, t *Text, err error)
}

func (l *library) preparedText(ctx context.Context, id int64) (string, string, *Text, error) {
	l.mu.Lock()
	if el, ok := l.items[id]; ok {
		c := el.Value.(*cached)
		if time.Since(c.at) < cacheTTL {
			l.order.MoveToFront(el)
			l.mu.Unlock()
			return c.slug, c.title, c.text, nil
		}
		l.remove(el)
	}
	l.mu.Unlock()
	slug, title, text, err := l.SourceText(ctx, id)
	if err != nil {
		return "", "", nil, err
	}
	t := Prepare(text, Options{})
	l.mu.Lock()
	defer l.mu.Unlock()
	if el, ok := l.items[id]; ok { // prepared meanwhile by another check
		l.remove(el)
	}
	l.items[id] = l.order.PushFront(&cached{id: id, slug: slug, title: title, text: t, at: time.Now()})
	l.words += len(t.p.words)
	for l.words > cacheWords && l.order.Len() > 1 {
		l.remove(l.order.Back())
	}
	return slug, title, t, nil
}

func (l *library) remove(el *list.Element) {
	c := el.Value.(*cached)
	l.order.Remove(el)
	delete(l.items, c.id)
	l.words -= len(c.text.p.words)
}
