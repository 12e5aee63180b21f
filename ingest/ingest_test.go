package ingest_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/ibid-dev/ibid"
	"github.com/ibid-dev/ibid/ingest"
	"github.com/ibid-dev/ibid/sqlite"
)

func newStore(t *testing.T) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(filepath.Join(t.TempDir(), "ibid.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func write(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestFilesImportsReportsAndSkips(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "a.md", "---\ntitle: Alpha Essay\nsubject: History\ntopics: [One, Two]\n---\n\n## Start\n\nThe first essay has words.\n")
	write(t, dir, "sub/b.txt", "Beta essay\n\nA plain text essay with a paragraph of words.\n")
	write(t, dir, "sub/copy.txt", "Beta essay\n\nA plain text essay with a paragraph of words.\n")
	write(t, dir, "empty.txt", "")
	write(t, dir, "bin.txt", "\x00\x01\x02\x03binary\x00\x00")
	write(t, dir, "notes.xyz", "ignored: unsupported extension inside a folder")
	write(t, dir, ".hidden/c.md", "# Hidden\n\nNever imported.")

	files, err := ingest.Collect([]string{dir})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range files {
		names = append(names, strings.TrimPrefix(f, dir+"/"))
	}
	if got := strings.Join(names, " "); got != "a.md bin.txt empty.txt sub/b.txt sub/copy.txt" {
		t.Fatalf("Collect = %s", got)
	}

	db := newStore(t)
	var prints int
	im := &ingest.Importer{Store: db, Workers: 3, Fingerprint: func(s string) []ibid.Print {
		prints++
		return []ibid.Print{{Hash: uint64(len(s)), Offset: 0}}
	}}
	var results []ingest.Result
	sum, err := im.Files(context.Background(), files, func(r ingest.Result) { results = append(results, r) })
	if err != nil {
		t.Fatal(err)
	}
	if sum.Imported != 2 || sum.Duplicates != 1 || sum.Failed != 2 {
		t.Fatalf("summary %+v", sum)
	}
	want := []ingest.Status{ingest.Imported, ingest.Failed, ingest.Failed, ingest.Imported, ingest.Duplicate}
	for i, r := range results {
		if r.File != files[i] || r.Status != want[i] {
			t.Errorf("result %d: %s status %d, want %s status %d (%v)", i, r.File, r.Status, files[i], want[i], r.Err)
		}
		if r.Status == ingest.Failed && ibid.ErrorCode(r.Err) != ibid.EINVALID {
			t.Errorf("%s failed with %v, want an EINVALID reason", r.File, r.Err)
		}
	}
	if results[4].Essay == nil || results[4].Essay.ID != results[3].Essay.ID {
		t.Error("a duplicate must name the stored essay")
	}
	e, err := db.Essay(context.Background(), "alpha-essay")
	if err != nil {
		t.Fatal(err)
	}
	if e.Subject != "History" || len(e.Topics) != 2 || e.Words != 6 || e.Source != files[0] || e.Hash != ibid.ContentHash(e.Text) {
		t.Errorf("stored essay %+v", e)
	}
	if ps, _ := db.Postings(context.Background(), []uint64{uint64(len(e.Text))}); len(ps) == 0 {
		t.Error("fingerprints not stored with the essay")
	}

	// A second run changes nothing.
	sum, err = im.Files(context.Background(), files, nil)
	if err != nil || sum.Imported != 0 || sum.Duplicates != 3 {
		t.Errorf("re-import: %+v %v", sum, err)
	}
	if _, total, _ := db.Essays(context.Background(), ibid.EssayFilter{}); total != 2 {
		t.Errorf("%d essays after re-import, want 2", total)
	}
}

func TestCollectMissingPath(t *testing.T) {
	if _, err := ingest.Collect([]string{filepath.Join(t.TempDir(), "nope")}); ibid.ErrorCode(err) != ibid.EINVALID {
		t.Errorf("missing path: %v", err)
	}
}

func TestFS(t *testing.T) {
	fsys := fstest.MapFS{
		"one.md":   {Data: []byte("---\ntitle: One\n---\nText one.")},
		"two.md":   {Data: []byte("---\ntitle: Two\n---\nText two.")},
		"skip.png": {Data: []byte("\x89PNG")},
	}
	db := newStore(t)
	sum, err := (&ingest.Importer{Store: db}).FS(context.Background(), fsys, "demo:", nil)
	if err != nil || sum.Imported != 2 || sum.Failed != 0 {
		t.Fatalf("FS: %+v %v", sum, err)
	}
	e, err := db.Essay(context.Background(), "two")
	if err != nil || e.Source != "demo:two.md" {
		t.Errorf("essay two: %+v %v", e, err)
	}
}

func TestCancelledRunStopsCleanly(t *testing.T) {
	dir := t.TempDir()
	var files []string
	for i := range 500 {
		files = append(files, write(t, dir, fmt.Sprintf("essay-%03d.txt", i), fmt.Sprintf("Essay %d\n\nBody %s", i, strings.Repeat("word ", i+1))))
	}
	db := newStore(t)
	ctx, cancel := context.WithCancel(context.Background())
	reported := 0
	_, err := (&ingest.Importer{Store: db}).Files(ctx, files, func(r ingest.Result) {
		if r.Status == ingest.Imported {
			reported++
		}
		if reported == 10 {
			cancel()
		}
	})
	if err == nil {
		t.Fatal("a cancelled run must report the cancellation")
	}
	// Whatever was reported as imported is stored, and nothing else: the
	// batch in flight when the run stopped is absent, not half-written.
	_, total, _ := db.Essays(context.Background(), ibid.EssayFilter{})
	if total != reported || total >= len(files) {
		t.Errorf("%d essays stored, %d reported imported, of %d", total, reported, len(files))
	}
}
