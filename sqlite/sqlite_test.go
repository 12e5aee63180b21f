package sqlite_test

import (
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/ibid-dev/ibid"
	"github.com/ibid-dev/ibid/sqlite"
	"github.com/ibid-dev/ibid/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) ibid.Store {
		db, err := sqlite.Open(filepath.Join(t.TempDir(), "ibid.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	})
}

func TestReopenKeepsDataAndSkipsMigrations(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ibid.db")
	db, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	e := storetest.NewEssay("Kept", "History", nil, "Still here after reopening.")
	if err := db.CreateEssay(t.Context(), e); err != nil {
		t.Fatal(err)
	}
	db.Close()
	db, err = sqlite.Open(path)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer db.Close()
	if _, err := db.Essay(t.Context(), e.Slug); err != nil {
		t.Fatal(err)
	}
}

// TestFTSHashSize checks that a library's FTS5 table keeps up to 64 MB of
// new entries in memory (migration 007), so that an import's batch becomes
// one segment of the search index, not one a megabyte.
func TestFTSHashSize(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ibid.db")
	db, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	c, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var v int64
	if err := c.QueryRow("SELECT v FROM essays_fts_config WHERE k = 'hashsize'").Scan(&v); err != nil || v != 64<<20 {
		t.Errorf("essays_fts hashsize = %d (%v), want %d", v, err, 64<<20)
	}
}
