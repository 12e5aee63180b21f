package originality

import (
	"context"
	"encoding/json"
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
		_, _, tx, _, err := l.preparedText(ctx, s.id)
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

// editedStore is a library's store whose essays another server may edit or
// delete: its print index stays as it was (the edit is not yet seen by
// the index a check reads), its texts and hashes are the current ones.
type editedStore struct {
	ibid.Store // nil: other methods are not called
	idx        *MemoryIndex
	essays     map[int64]*ibid.Essay
}

func (s *editedStore) Postings(ctx context.Context, hashes []uint64) ([]ibid.Posting, error) {
	return s.idx.Postings(ctx, hashes)
}

func (s *editedStore) EssayByID(ctx context.Context, id int64) (*ibid.Essay, error) {
	if e, ok := s.essays[id]; ok {
		return e, nil
	}
	return nil, ibid.Errorf(ibid.ENOTFOUND, "No such essay.")
}

func (s *editedStore) EssayHashes(ctx context.Context, ids []int64) (map[int64]string, error) {
	out := map[int64]string{}
	for _, id := range ids {
		if e, ok := s.essays[id]; ok {
			out[id] = e.Hash
		} else {
			out[id] = ""
		}
	}
	return out, nil
}

// TestLibraryChecksCurrentVersions: a check against a library that has a
// candidate's text cached from an older version reports what a library
// that never saw the old version reports, and nothing of a deleted essay.
func TestLibraryChecksCurrentVersions(t *testing.T) {
	src := readTestdata(t, "source.txt")
	other := readTestdata(t, "unrelated.txt")
	sub := paragraph(src, 1) + "\n\n" + paragraph(src, 2) + "\n\n" + paragraph(src, 3)
	store := func() *editedStore {
		s := &editedStore{idx: NewMemoryIndex(), essays: map[int64]*ibid.Essay{}}
		for id, txt := range map[int64]string{1: src, 2: other + "\n\n" + paragraph(src, 2)} {
			s.idx.Add(id, fmt.Sprint("e", id), "", txt)
			s.essays[id] = &ibid.Essay{ID: id, Slug: fmt.Sprint("e", id), Text: txt, Hash: fmt.Sprint("h", id)}
		}
		return s
	}
	report := func(lib Source) string {
		rep, err := Check(context.Background(), sub, lib, Options{})
		if err != nil {
			t.Fatal(err)
		}
		data, _ := json.Marshal(rep)
		return string(data)
	}
	st := store()
	lib := Library(st)
	before := report(lib)
	if !strings.Contains(before, `"slug":"e1"`) {
		t.Fatalf("essay 1 is not a source of its own paragraphs: %s", before)
	}
	// Edited: essay 1 keeps only one of the paragraphs.
	edited := other + "\n\n" + paragraph(src, 3)
	st.essays[1] = &ibid.Essay{ID: 1, Slug: "e1", Text: edited, Hash: "h1b"}
	fresh := store()
	fresh.essays[1] = st.essays[1]
	if got, want := report(lib), report(Library(fresh)); got != want {
		t.Errorf("after an edit, the cached library reports\n%s\nand a fresh one\n%s", got, want)
	}
	if report(lib) == before {
		t.Errorf("the edit changed nothing in the report: the test tests nothing")
	}
	// Deleted.
	delete(st.essays, 1)
	delete(fresh.essays, 1)
	if got, want := report(lib), report(Library(fresh)); got != want {
		t.Errorf("after a delete, the cached library reports\n%s\nand a fresh one\n%s", got, want)
	}
}
