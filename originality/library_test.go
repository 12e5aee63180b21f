package originality

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/ibid-dev/ibid"
)

// essayStore is the part of ibid.Store a library reads: essays by ID.
type essayStore struct {
	ibid.Store // nil: other methods are not called
	essays     map[int64]*ibid.Essay
}

func (s *essayStore) EssayByID(ctx context.Context, id int64) (*ibid.Essay, error) {
	return s.essays[id], nil
}

func (s *essayStore) EssayHashes(ctx context.Context, ids []int64) (map[int64]string, error) {
	out := map[int64]string{}
	for _, id := range ids {
		out[id] = s.essays[id].Hash
	}
	return out, nil
}

// TestLibraryCacheIsBoundedByBytes: the prepared texts a library keeps
// stay within its bound, oldest out first, and a text larger than the
// whole bound is not kept at all. Before, the cache counted words and
// always kept the newest entry, so one essay of millions of words stayed
// in memory whatever the bound.
func TestLibraryCacheIsBoundedByBytes(t *testing.T) {
	essay := func(id int64, words int) *ibid.Essay {
		var b strings.Builder
		for i := range words {
			fmt.Fprintf(&b, "word%d ", i)
		}
		return &ibid.Essay{ID: id, Slug: fmt.Sprint("e", id), Text: b.String(), Hash: fmt.Sprint("h", id)}
	}
	st := &essayStore{essays: map[int64]*ibid.Essay{1: essay(1, 40), 2: essay(2, 40), 3: essay(3, 40), 4: essay(4, 101)}}
	l := Library(st).(*library)
	l.max = 100 * preparedWordBytes
	held := func() string {
		var ids []string
		for el := l.order.Front(); el != nil; el = el.Next() {
			ids = append(ids, fmt.Sprint(el.Value.(*cached).id))
		}
		return strings.Join(ids, " ")
	}
	steps := []struct {
		id   int64
		want string // ids held afterwards, most recent first
	}{
		{1, "1"},
		{2, "2 1"},
		{1, "1 2"},
		{3, "3 1"}, // 120 words: 2, the least recent, goes
		{4, "3 1"}, // over the whole bound: used, not kept
	}
	ctx := context.Background()
	for _, s := range steps {
		_, _, tx, err := l.preparedText(ctx, s.id)
		if err != nil || tx == nil {
			t.Fatalf("preparedText(%d): %v", s.id, err)
		}
		if got := held(); got != s.want {
			t.Errorf("after %d: held %q, want %q", s.id, got, s.want)
		}
		if l.bytes > l.max {
			t.Errorf("after %d: %d bytes held, over the bound of %d", s.id, l.bytes, l.max)
		}
	}
	stats, ok := LibraryStats(l)
	if !ok || stats.Hits != 1 || stats.Misses != 4 || stats.Essays != 2 || stats.Bytes != 80*preparedWordBytes {
		t.Errorf("stats %+v, want 1 hit, 4 misses, 2 essays of 80 words", stats)
	}
}
