package sqlite_test

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/ibid-dev/ibid"
	"github.com/ibid-dev/ibid/sqlite"
	"github.com/ibid-dev/ibid/storetest"
)

// TestPostingsOrder checks that postings come ordered by hash (as a uint64,
// so hashes of the top bit last) and essay, each (hash, essay) once however
// often the essay holds the hash or the hash is asked.
func TestPostingsOrder(t *testing.T) {
	db, err := sqlite.Open(filepath.Join(t.TempDir(), "ibid.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	a := storetest.NewEssay("A", "", nil, "alpha beta gamma")
	a.Prints = []ibid.Print{{Hash: 7, Offset: 6}, {Hash: 7, Offset: 0}, {Hash: 1<<63 + 1, Offset: 11}, {Hash: 3000, Offset: 1}}
	b := storetest.NewEssay("B", "", nil, "beta gamma delta")
	b.Prints = []ibid.Print{{Hash: 7, Offset: 2}, {Hash: 1<<63 + 1, Offset: 0}}
	for _, e := range []*ibid.Essay{a, b} {
		if err := db.CreateEssay(t.Context(), e); err != nil {
			t.Fatal(err)
		}
	}
	want := []ibid.Posting{
		{Hash: 7, EssayID: a.ID},
		{Hash: 7, EssayID: b.ID},
		{Hash: 3000, EssayID: a.ID},
		{Hash: 1<<63 + 1, EssayID: a.ID},
		{Hash: 1<<63 + 1, EssayID: b.ID},
	}
	many := []uint64{3000, 7, 1<<63 + 1, 7}
	for h := uint64(4000); h < 9000; h++ {
		many = append(many, h)
	}
	for name, hashes := range map[string][]uint64{"few": {3000, 7, 1<<63 + 1, 7, 99}, "many": many} {
		got, err := db.Postings(t.Context(), hashes)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: postings\n %+v, want\n %+v", name, got, want)
		}
	}
}
