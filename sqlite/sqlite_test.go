package sqlite_test

import (
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
