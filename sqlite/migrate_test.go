package sqlite

import (
	"database/sql"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/ibid-dev/ibid/storetest"
)

// TestMigratePrintsTable builds a library as ibid kept it before migration
// 005 (one row a print, offsets included, hashes of the top bit stored as
// negative integers), with more rows than one page of the move, opens it,
// and checks that the fingerprint index holds each (hash, essay) of the old
// table once and that the old table is gone.
func TestMigratePrintsTable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	names, _ := fs.Glob(migrations, "migrations/*.sql")
	sort.Strings(names)
	for i, name := range names {
		v := i + 1
		if !strings.HasPrefix(filepath.Base(name), fmt.Sprintf("%03d_", v)) {
			t.Fatalf("migration %s out of order", name)
		}
		if v >= 5 {
			break
		}
		body, _ := migrations.ReadFile(name)
		if _, err := raw.Exec(string(body)); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if _, err := raw.Exec("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL)"); err != nil {
			t.Fatal(err)
		}
		if _, err := raw.Exec("INSERT INTO schema_migrations (version, name) VALUES (?, ?)", v, filepath.Base(name)); err != nil {
			t.Fatal(err)
		}
	}
	tx, err := raw.Begin()
	if err != nil {
		t.Fatal(err)
	}
	for id := 1; id <= 3; id++ {
		if _, err := tx.Exec(`INSERT INTO essays (id, slug, title, blocks, body, words, hash, created, updated)
			VALUES (?, ?, 'T', '[]', 'text', 1, ?, '', '')`, id, fmt.Sprintf("e%d", id), fmt.Sprintf("h%d", id)); err != nil {
			t.Fatal(err)
		}
	}
	rng := rand.New(rand.NewPCG(5, 5))
	want := map[uint64][]int64{}
	ins, err := tx.Prepare("INSERT OR IGNORE INTO prints (hash, essay_id, offset) VALUES (?, ?, ?)")
	if err != nil {
		t.Fatal(err)
	}
	rows := 0
	for rows < 70000 {
		h := rng.Uint64()
		for id := int64(1); id <= 3; id++ {
			if rng.IntN(3) == 0 {
				continue
			}
			want[h] = append(want[h], id)
			for off := range 1 + rng.IntN(3) { // the same print at several offsets
				if _, err := ins.Exec(int64(h), id, off*10); err != nil {
					t.Fatal(err)
				}
				rows++
			}
		}
	}
	ins.Close()
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	raw.Close()

	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	storetest.WantPrints(t, db, want)
	var n int
	if err := db.r.QueryRow("SELECT COUNT(*) FROM sqlite_master WHERE name = 'prints'").Scan(&n); err != nil || n != 0 {
		t.Errorf("the prints table is still there (%d, %v)", n, err)
	}
	st, err := db.PrintStats(t.Context())
	if err != nil || st.Runs != 1 || st.Postings == 0 {
		t.Errorf("index after the migration: %+v %v", st, err)
	}
	t.Logf("%d rows of prints → %d postings in %d bytes of blocks (%.1f B a posting)", rows, st.Postings, st.Bytes, float64(st.Bytes)/float64(st.Postings))
}
