package main

import (
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// importSynth imports n generated essays into a new library file in-process
// and returns its path.
func importSynth(t *testing.T, n int) string {
	t.Helper()
	dir := writeSynthEssays(t, n)
	db := filepath.Join(t.TempDir(), "lib", "ibid.db")
	if code, _, stderr := runIbid(t, nil, "import", "--db", db, dir); code != 0 {
		t.Fatalf("import: exit %d: %s", code, stderr)
	}
	return db
}

func TestBackupCommand(t *testing.T) {
	db := importSynth(t, 40)
	want := soundLibrary(t, db)
	if want.Essays != 40 || want.Prints == 0 {
		t.Fatalf("the library: %+v", want)
	}
	dest := filepath.Join(t.TempDir(), "ibid-backup.db")
	code, _, stderr := runIbid(t, nil, "backup", "--db", db, dest)
	if code != 0 || !strings.Contains(stderr, "backed up") || !strings.Contains(stderr, "40 essays") {
		t.Fatalf("backup: exit %d: %s", code, stderr)
	}
	if got := soundLibrary(t, dest); got != want {
		t.Errorf("the copy holds %+v, the library %+v", got, want)
	}
	// The copy serves as a library: `ibid export` reads from it.
	txt := filepath.Join(t.TempDir(), "essay.txt")
	if code, _, stderr := runIbid(t, nil, "export", "--db", dest, firstSlug(t, dest), "--format", "txt", "-o", txt); code != 0 {
		t.Errorf("export from the copy: exit %d: %s", code, stderr)
	} else if b, err := os.ReadFile(txt); err != nil || len(b) == 0 {
		t.Errorf("export from the copy wrote nothing (%v)", err)
	}

	before, _ := os.ReadFile(dest)
	tests := []struct {
		name string
		args []string
		env  map[string]string
		code int
		msg  string
	}{
		{"over an existing file", []string{"backup", "--db", db, dest}, nil, 1, "already exists"},
		{"the library from IBID_DB", []string{"backup", dest}, map[string]string{"IBID_DB": db}, 1, "already exists"},
		{"no file", []string{"backup", "--db", db}, nil, 2, "one file"},
		{"two files", []string{"backup", "--db", db, "a.db", "b.db"}, nil, 2, "one file"},
		{"no library", []string{"backup", "--db", filepath.Join(t.TempDir(), "none.db"), filepath.Join(t.TempDir(), "b.db")}, nil, 1, "no library"},
		{"PostgreSQL", []string{"backup", "--db", "postgres://ibid:secret@db.example.org/ibid", "b.db"}, nil, 1, "pg_dump"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runIbid(t, tt.env, tt.args...)
			if code != tt.code || !strings.Contains(stderr, tt.msg) {
				t.Errorf("exit %d, want %d; stderr %q, want %q in it", code, tt.code, stderr, tt.msg)
			}
			if strings.Contains(stderr, "secret") {
				t.Errorf("the password was printed: %s", stderr)
			}
		})
	}
	if after, _ := os.ReadFile(dest); string(after) != string(before) {
		t.Error("a refused backup changed the existing file")
	}
}

func firstSlug(t *testing.T, path string) string {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var slug string
	if err := db.QueryRow("SELECT slug FROM essays ORDER BY id LIMIT 1").Scan(&slug); err != nil {
		t.Fatal(err)
	}
	return slug
}

// TestInspectLibraryFindsDamage proves that the checks of the kill test
// can fail: each kind of half-written essay is found.
func TestInspectLibraryFindsDamage(t *testing.T) {
	lib := importSynth(t, 5)
	if _, problems := inspectLibrary(t, lib); len(problems) > 0 {
		t.Fatalf("a fresh library has problems: %v", problems)
	}
	damages := []struct {
		name, sql, want string
	}{
		{"word count", "UPDATE essays SET words = words + 1 WHERE id = 1", "words stored"},
		{"fingerprints missing", "INSERT INTO print_tombstones (essay_id, run_limit) SELECT 2, next_run FROM print_state", "fingerprints stored"},
		{"a block of fingerprints missing", "DELETE FROM print_blocks WHERE key = (SELECT MIN(key) FROM print_blocks)", "fingerprint"},
		{"search entry missing", "INSERT INTO essays_fts (essays_fts, rowid, title, body) SELECT 'delete', id, title, body FROM essays WHERE id = 3", "search"},
		{"blocks not of its text", `UPDATE essays SET blocks = '[{"type":"paragraph","text":"x"}]' WHERE id = 4`, "blocks do not make its text"},
		{"a shape not of its text", `UPDATE essays SET blocks = '"p l9999"' WHERE id = 4`, "blocks unreadable"},
	}
	for _, d := range damages {
		t.Run(d.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "damaged.db")
			for _, suffix := range []string{"", "-wal"} {
				b, err := os.ReadFile(lib + suffix)
				if os.IsNotExist(err) {
					continue
				}
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path+suffix, b, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			db, err := sql.Open("sqlite", "file:"+path)
			if err != nil {
				t.Fatal(err)
			}
			_, err = db.Exec(d.sql)
			db.Close()
			if err != nil {
				t.Fatal(err)
			}
			_, problems := inspectLibrary(t, path)
			if !strings.Contains(strings.Join(problems, "\n"), d.want) {
				t.Errorf("problems %q, want one about %q", problems, d.want)
			}
		})
	}
}
