package sqldb

import (
	"database/sql"
	"path/filepath"
	"slices"
	"testing"

	_ "modernc.org/sqlite"
)

func TestParamsPlaceholders(t *testing.T) {
	for _, tt := range []struct {
		numbered bool
		want     string
	}{
		{false, "a = ? AND b = ? AND c = ?"},
		{true, "a = $1 AND b = $2 AND c = $3"},
	} {
		d := Dialect{Numbered: tt.numbered}
		p := d.Params()
		got := "a = " + p.Add(1) + " AND b = " + p.Add("x") + " AND c = " + p.Add(nil)
		if got != tt.want || len(p.Args) != 3 || p.Args[1] != "x" {
			t.Errorf("numbered %v: %q %v, want %q", tt.numbered, got, p.Args, tt.want)
		}
	}
}

// TestSQLiteLists: lists that travel as one JSON parameter come back out of
// json_each as they went in, whatever the strings hold.
func TestSQLiteLists(t *testing.T) {
	db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	read := func(arg any, dst func(*sql.Rows) error) {
		t.Helper()
		rows, err := db.Query("SELECT value FROM json_each(?)", arg)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			if err := dst(rows); err != nil {
				t.Fatal(err)
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
	}
	ints := []int64{0, -1, 1 << 62, -(1 << 63), 42}
	var gotInts []int64
	read(SQLiteInts(ints), func(r *sql.Rows) error {
		var n int64
		err := r.Scan(&n)
		gotInts = append(gotInts, n)
		return err
	})
	if !slices.Equal(gotInts, ints) {
		t.Errorf("ints: %v, want %v", gotInts, ints)
	}
	strs := []string{"plain", `quote " and \ backslash`, "ünïcødé ✓", "", "line\nbreak", "') OR 1=1 --"}
	var gotStrs []string
	read(SQLiteStrings(strs), func(r *sql.Rows) error {
		var s string
		err := r.Scan(&s)
		gotStrs = append(gotStrs, s)
		return err
	})
	if !slices.Equal(gotStrs, strs) {
		t.Errorf("strings: %q, want %q", gotStrs, strs)
	}
	if SQLiteStrings(nil) != "[]" || SQLiteInts(nil) != "[]" {
		t.Errorf("empty lists: %v %v", SQLiteStrings(nil), SQLiteInts(nil))
	}
}

func TestLimits(t *testing.T) {
	for _, tt := range []struct{ limit, offset, wantLimit, wantOffset int }{
		{0, 0, 20, 0},
		{-5, -5, 20, 0},
		{50, 10, 50, 10},
		{5000, 3, 1000, 3},
	} {
		if l, o := Limits(tt.limit, tt.offset); l != tt.wantLimit || o != tt.wantOffset {
			t.Errorf("Limits(%d, %d) = %d, %d; want %d, %d", tt.limit, tt.offset, l, o, tt.wantLimit, tt.wantOffset)
		}
	}
}
