package sqlite_test

import (
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/ibid-dev/ibid/sqlite"
	"github.com/ibid-dev/ibid/storetest"
)

// TestRelatedCommonTopic: an essay whose topic 40,000 others share still
// gets its related essays, from the topic's newest, and the one that also
// shares its subject comes first.
func TestRelatedCommonTopic(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ibid.db")
	db, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := t.Context()
	x := storetest.NewEssay("Rivers of Europe", "Geography", []string{"Rivers"}, "The Danube crosses ten countries.")
	if err := db.CreateEssay(ctx, x); err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	_, err = raw.ExecContext(ctx, `WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 40000)
		INSERT INTO essays (slug, title, subject, subject_slug, blocks, body, words, hash, created, updated)
		SELECT 'bulk-' || i, 'Bulk ' || i, 'History', 'history', '[]', 'x', 1, 'h' || i,
			'2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z' FROM n`)
	if err == nil {
		_, err = raw.ExecContext(ctx, `INSERT INTO topics (essay_id, pos, name, slug)
			SELECT id, 0, 'Rivers', 'rivers' FROM essays WHERE slug LIKE 'bulk-%'`)
	}
	if err != nil {
		t.Fatal(err)
	}
	y := storetest.NewEssay("Rivers of Asia", "Geography", []string{"Rivers"}, "The Mekong crosses six countries.")
	if err := db.CreateEssay(ctx, y); err != nil {
		t.Fatal(err)
	}
	related, err := db.Related(ctx, x, 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(related) != 5 || related[0].ID != y.ID {
		t.Fatalf("related: %d essays, first %+v; want 5, %q first", len(related), related[0], y.Title)
	}
	// A topic gives its points to its 250 newest essays only (reading all
	// 40,001 was most of a page's time in a large library), so the others
	// come from those, not from the oldest that the ties by id would give.
	for _, e := range related[1:] {
		if e.ID <= y.ID-250 {
			t.Errorf("related essay %d (%s): not among the topic's 250 newest (%d and up)", e.ID, e.Title, y.ID-249)
		}
	}
}
