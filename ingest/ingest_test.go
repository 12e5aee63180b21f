package ingest_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"

	"github.com/ibid-dev/ibid"
	"github.com/ibid-dev/ibid/ingest"
	"github.com/ibid-dev/ibid/originality"
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
	// Fingerprint runs on the workers at once: it must keep no state.
	im := &ingest.Importer{Store: db, Workers: 3, Fingerprint: func(s string) []ibid.Print {
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
	// Batches of 50, so that the run has batches left when it is cancelled.
	_, err := (&ingest.Importer{Store: db, BatchSize: 50}).Files(ctx, files, func(r ingest.Result) {
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

// similarText is a few paragraphs of our own, long enough to be fingerprinted
// and aligned as an essay.
var similarText = []string{
	"Canal builders in the eighteenth century measured their routes with chains and spirit levels, walking every field the water would cross. A surveyor noted the height of each hedge and stream, and the engineer chose a line that kept the locks few and the cuttings shallow, because every extra lock cost a season of labour.",
	"Where a valley could not be avoided the builders raised an embankment or an aqueduct, and the clay they dug from one cutting was carried by barrow to the next embankment. The puddled clay that lined the channel had to be trodden by cattle until it held water, a slow craft that set the pace of the whole work.",
	"When the canal opened, coal that had travelled by packhorse at great cost reached the towns at half the price, and the mills along the new water grew faster than any before them. Within twenty years the canal companies paid dividends that made their shareholders the envy of the age.",
}

func TestFilesReportsAndRejectsSimilar(t *testing.T) {
	dir := t.TempDir()
	orig := write(t, dir, "a/original.md", "---\ntitle: Building Canals\n---\n\n"+strings.Join(similarText, "\n\n")+"\n")
	// A copy with one word changed per sentence and a new closing line.
	copied := strings.Join(similarText, "\n\n")
	for _, r := range [][2]string{{"measured", "surveyed"}, {"raised", "built"}, {"opened", "was finished"}} {
		copied = strings.Replace(copied, r[0], r[1], 1)
	}
	copied += "\n\nThat is how the canals were made."
	cp := write(t, dir, "b/copy.md", "---\ntitle: How Canals Were Built\n---\n\n"+copied+"\n")
	other := write(t, dir, "c/other.txt", "Bees\n\nHoney bees visit flowers for nectar and pollen, and a colony may forage over several kilometres around its hive. Farmers rent hives at flowering time because many crops set more fruit when bees carry pollen between their blossoms.\n")

	tests := []struct {
		name   string
		reject bool
		files  []string // imported in one run, after the original when first is false
		want   []ingest.Status
		count  int // essays in the library afterwards
	}{
		{"copy reported, imported", false, []string{orig, cp, other}, []ingest.Status{ingest.Imported, ingest.Imported, ingest.Imported}, 3},
		{"copy refused", true, []string{orig, cp, other}, []ingest.Status{ingest.Imported, ingest.Rejected, ingest.Imported}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// One run of one batch; one run with a batch per file (the
			// copy is screened while the batch before, the original, is
			// being stored); or a run per file, the copy after the
			// original is stored.
			for _, mode := range []string{"one batch", "batches of one", "runs"} {
				batch := mode != "runs"
				db := newStore(t)
				im := &ingest.Importer{Store: db, Fingerprint: originality.Fingerprint, SimilarMin: 0.5, RejectSimilar: tt.reject}
				if mode == "batches of one" {
					im.Store = &storeAfterScreen{Store: db, second: make(chan struct{})}
				}
				var results []ingest.Result
				report := func(r ingest.Result) { results = append(results, r) }
				var sum ingest.Summary
				var err error
				if batch {
					sum, err = im.Files(context.Background(), tt.files, report)
				} else {
					for _, f := range tt.files {
						s, e := im.Files(context.Background(), []string{f}, report)
						sum.Imported, sum.Rejected, sum.Similar, err = sum.Imported+s.Imported, sum.Rejected+s.Rejected, sum.Similar+s.Similar, e
					}
				}
				if err != nil {
					t.Fatal(err)
				}
				for i, r := range results {
					if r.Status != tt.want[i] {
						t.Errorf("%s, %s: status %v (%v), want %v", mode, r.File, r.Status, r.Err, tt.want[i])
					}
				}
				c := results[1]
				if len(c.Similar) != 1 || c.Similar[0].Slug != "building-canals" || c.Similar[0].Similarity < 0.8 || c.Similar[0].EssayID == 0 {
					t.Errorf("%s: copy similar to %+v", mode, c.Similar)
				}
				if len(results[0].Similar)+len(results[2].Similar) != 0 {
					t.Errorf("%s: others similar to %+v %+v", mode, results[0].Similar, results[2].Similar)
				}
				if tt.reject {
					if ibid.ErrorCode(c.Err) != ibid.ECONFLICT || !strings.Contains(ibid.ErrorMessage(c.Err), `"Building Canals" (building-canals)`) || c.Essay != nil {
						t.Errorf("%s: rejection %v, essay %v", mode, c.Err, c.Essay)
					}
					if sum.Rejected != 1 || sum.Similar != 0 {
						t.Errorf("%s: summary %+v", mode, sum)
					}
				} else if sum.Similar != 1 || sum.Rejected != 0 {
					t.Errorf("%s: summary %+v", mode, sum)
				}
				if _, n, _ := db.Essays(context.Background(), ibid.EssayFilter{}); n != tt.count {
					t.Errorf("%s: %d essays stored, want %d", mode, n, tt.count)
				}
				// Importing it all again changes nothing and reports
				// nothing similar: re-imports stay no-ops.
				results = nil
				sum, err = im.Files(context.Background(), tt.files, report)
				if err != nil || sum.Imported != 0 || sum.Similar != 0 {
					t.Errorf("%s: again: %+v %v", mode, sum, err)
				}
				for _, r := range results {
					if r.Status == ingest.Duplicate && len(r.Similar) > 0 {
						t.Errorf("%s: duplicate %s reported similar", mode, r.File)
					}
				}
			}
		})
	}
}

// storeAfterScreen stores essays one at a time (it is no BatchCreator, so
// every batch holds one essay) and holds the first one's write until the
// library has been looked up for the next batch's screen: that batch is
// then surely screened before the essay before it is stored.
type storeAfterScreen struct {
	ibid.Store
	lookups atomic.Int32
	second  chan struct{}
	once    sync.Once
}

func (s *storeAfterScreen) Postings(ctx context.Context, hashes []uint64) ([]ibid.Posting, error) {
	if s.lookups.Add(1) == 2 {
		close(s.second)
	}
	return s.Store.Postings(ctx, hashes)
}

func (s *storeAfterScreen) CreateEssay(ctx context.Context, e *ibid.Essay) error {
	s.once.Do(func() {
		select {
		case <-s.second:
		case <-time.After(10 * time.Second): // a pipeline that waits for the write would hang here
		}
	})
	return s.Store.CreateEssay(ctx, e)
}

func TestAddRejectsSimilar(t *testing.T) {
	db := newStore(t)
	ctx := context.Background()
	im := &ingest.Importer{Store: db, Fingerprint: originality.Fingerprint, SimilarMin: 0.5}
	doc := func(title string, paras ...string) *ibid.Document {
		d := &ibid.Document{Title: title}
		for _, p := range paras {
			d.Blocks = append(d.Blocks, ibid.Block{Type: ibid.Paragraph, Text: p})
		}
		return d
	}
	if r, err := im.Add(ctx, doc("Canals", similarText...), "t"); err != nil || r.Status != ingest.Imported || len(r.Similar) != 0 {
		t.Fatalf("original: %+v %v", r, err)
	}
	part := doc("Canal Notes", similarText[0], similarText[1], "A short note of our own closes it.")
	r, err := im.Add(ctx, part, "t")
	if err != nil || r.Status != ingest.Imported || len(r.Similar) != 1 || r.Similar[0].Slug != "canals" {
		t.Fatalf("part copy: %+v %v", r, err)
	}
	im.RejectSimilar = true
	r, err = im.Add(ctx, doc("Canal Notes Again", similarText[1], similarText[2], "Another note of ours."), "t")
	if ibid.ErrorCode(err) != ibid.ECONFLICT || r.Status != ingest.Rejected || r.Essay != nil || len(r.Similar) == 0 {
		t.Fatalf("rejected: %+v %v", r, err)
	}
	if _, n, _ := db.Essays(ctx, ibid.EssayFilter{}); n != 2 {
		t.Errorf("%d essays stored, want 2", n)
	}
	// The same text as a stored essay is a duplicate, never a rejection.
	r, err = im.Add(ctx, part, "t")
	if r.Status != ingest.Duplicate || ibid.ErrorCode(err) != ibid.ECONFLICT || len(r.Similar) != 0 {
		t.Errorf("duplicate: %+v %v", r, err)
	}
}
