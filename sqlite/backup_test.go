package sqlite_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sync"
	"testing"

	"github.com/ibid-dev/ibid"
	"github.com/ibid-dev/ibid/originality"
	"github.com/ibid-dev/ibid/sqlite"
	"github.com/ibid-dev/ibid/storetest"
)

// snapshot is what a library holds, essay by essay, fingerprints included.
func snapshot(t *testing.T, db *sqlite.DB) map[string]string {
	t.Helper()
	ctx := context.Background()
	list, total, err := db.Essays(ctx, ibid.EssayFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if total != len(list) {
		t.Fatalf("listed %d of %d", len(list), total)
	}
	// Each essay's prints, from one walk of the index.
	prints := map[int64][]uint64{}
	if err := db.PrintGroups(ctx, func(h uint64, ids []int64) error {
		for _, id := range ids {
			prints[id] = append(prints[id], h)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, s := range list {
		e, err := db.Essay(ctx, s.Slug)
		if err != nil {
			t.Fatal(err)
		}
		out[e.Hash] = fmt.Sprintf("%s|%s|%s|%v|%d|%q|%d prints %v", e.Slug, e.Title, e.Subject, e.Topics, e.Words, e.Text, len(prints[e.ID]), prints[e.ID])
	}
	return out
}

func newEssay(i int) *ibid.Essay {
	e := storetest.NewEssay(fmt.Sprintf("Essay %d", i), "History", []string{"Bridges"},
		fmt.Sprintf("Paragraph %d of a library being backed up while it is written to, with enough words to fingerprint.", i))
	e.Prints = originality.Fingerprint(e.Text)
	return e
}

func TestBackup(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := sqlite.Open(filepath.Join(dir, "ibid.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for i := range 20 {
		if err := db.CreateEssay(ctx, newEssay(i)); err != nil {
			t.Fatal(err)
		}
	}
	want := snapshot(t, db)

	dest := filepath.Join(dir, "backup.db")
	if err := db.Backup(ctx, dest); err != nil {
		t.Fatal(err)
	}
	// The library goes on after the backup; the copy does not follow.
	if err := db.CreateEssay(ctx, newEssay(100)); err != nil {
		t.Fatal(err)
	}
	cp, err := sqlite.Open(dest)
	if err != nil {
		t.Fatal(err)
	}
	defer cp.Close()
	if got := snapshot(t, cp); !reflect.DeepEqual(got, want) {
		t.Errorf("the copy holds %d essays, the library held %d, or they differ", len(got), len(want))
	}
	// The copy is a working library: search finds its essays.
	if _, total, err := cp.Search(ctx, ibid.SearchQuery{Query: "paragraph", Limit: 5}); err != nil || total != 20 {
		t.Errorf("search in the copy: %d found, %v", total, err)
	}

	// It never overwrites.
	before, _ := os.ReadFile(dest)
	err = db.Backup(ctx, dest)
	if ibid.ErrorCode(err) != ibid.ECONFLICT {
		t.Errorf("backup over an existing file: %v, want a conflict", err)
	}
	if after, _ := os.ReadFile(dest); string(after) != string(before) {
		t.Error("a refused backup changed the existing file")
	}
	if err := db.Backup(ctx, filepath.Join(dir, "no-such-folder", "b.db")); ibid.ErrorCode(err) != ibid.EINVALID {
		t.Errorf("backup into a missing folder: %v", err)
	}
}

// TestBackupWhileWriting backs up while another goroutine keeps importing:
// each copy is sound and holds a prefix of the essays, whole.
func TestBackupWhileWriting(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := sqlite.Open(filepath.Join(dir, "ibid.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	const n = 150
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := range n {
			if err := db.CreateEssay(ctx, newEssay(i)); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	var copies []string
	for i := range 5 {
		dest := filepath.Join(dir, fmt.Sprintf("backup-%d.db", i))
		if err := db.Backup(ctx, dest); err != nil {
			t.Fatalf("backup %d: %v", i, err)
		}
		copies = append(copies, dest)
	}
	wg.Wait()
	full := snapshot(t, db)
	for _, c := range copies {
		cp, err := sqlite.Open(c)
		if err != nil {
			t.Fatal(err)
		}
		got := snapshot(t, cp)
		cp.Close()
		t.Logf("%s: %d of %d essays", filepath.Base(c), len(got), n)
		for h, v := range got {
			if full[h] != v {
				t.Errorf("%s: an essay differs from the library's: %.80s", filepath.Base(c), v)
			}
		}
		// Essays are created in order, so a consistent copy holds
		// essays 0..k-1 and nothing else.
		for i := range len(got) {
			if _, ok := got[newEssay(i).Hash]; !ok {
				t.Errorf("%s: %d essays but not essay %d", filepath.Base(c), len(got), i)
			}
		}
	}
}
