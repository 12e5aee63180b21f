package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ibid-dev/ibid"
	"github.com/ibid-dev/ibid/internal/printindex"
	"github.com/ibid-dev/ibid/internal/synth"
	"github.com/ibid-dev/ibid/originality"
	_ "github.com/ibid-dev/ibid/sqlite" // the "sqlite" database/sql driver
	"github.com/ibid-dev/ibid/text"
)

// writeSynthEssays writes n small generated essays as Markdown files into a
// new folder and returns it.
func writeSynthEssays(t *testing.T, n int) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "essays")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	g := synth.New(6)
	for i := range n {
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("essay-%05d.md", i)), g.Essay(i, 60), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// libraryState is what a library file holds, as far as a copy or a crash
// could change it.
type libraryState struct {
	Essays int
	Prints int
	Topics int
	Digest string // of every essay's hash, slug, title, words and print hashes, in hash order
}

// inspectLibrary opens a SQLite library file directly (not through the
// store, whose migrations would write to it), checks that it is sound and
// that every essay in it is complete, and returns what it holds and what
// is wrong with it. Complete means: its blocks make its text, its word
// count and content hash are those of its text, its search entry is there
// and its fingerprints are exactly those of its text.
func inspectLibrary(t *testing.T, path string) (libraryState, []string) {
	t.Helper()
	var problems []string
	problem := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	var ok string
	if err := db.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&ok); err != nil || ok != "ok" {
		problem("integrity_check: %q %v", ok, err)
	}
	if err := db.QueryRowContext(ctx, "PRAGMA foreign_key_check").Scan(new(string), new(int), new(string), new(int)); !errors.Is(err, sql.ErrNoRows) {
		problem("foreign_key_check found a row without its essay (%v)", err)
	}
	// The search index against its content table: FTS5's own check (with
	// rank 1 it also compares every indexed row with the essays table).
	if _, err := db.ExecContext(ctx, "INSERT INTO essays_fts (essays_fts, rank) VALUES ('integrity-check', 1)"); err != nil {
		problem("search index: %v", err)
	}
	var st libraryState
	if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM topics").Scan(&st.Topics); err != nil {
		t.Fatal(err)
	}
	// Each essay's prints, from one walk of the fingerprint index (read
	// as the store reads it, without opening the store).
	stored := map[int64][]uint64{}
	if err := printindex.New(printindex.SQLite).Walk(ctx, db, func(h uint64, ids []int64) error {
		for _, id := range ids {
			stored[id] = append(stored[id], h)
		}
		st.Prints += len(ids)
		return nil
	}); err != nil {
		problem("fingerprint index: %v", err)
	}
	rows, err := db.QueryContext(ctx, `SELECT e.id, e.slug, e.title, e.blocks, e.body, e.words, e.hash,
		(SELECT COUNT(*) FROM essays_fts f WHERE f.essays_fts MATCH 'title:' || '"' || replace(e.title, '"', '""') || '"' AND f.rowid = e.id)
		FROM essays e ORDER BY e.hash`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	sum := sha256.New()
	for rows.Next() {
		var (
			id                              int64
			slug, title, blocks, body, hash string
			words, found                    int
		)
		if err := rows.Scan(&id, &slug, &title, &blocks, &body, &words, &hash, &found); err != nil {
			t.Fatal(err)
		}
		st.Essays++
		bl, err := ibid.UnmarshalBlocks([]byte(blocks), body)
		switch {
		case err != nil:
			problem("%s: blocks unreadable: %v", slug, err)
		case ibid.CanonicalText(bl) != body:
			problem("%s: its blocks do not make its text", slug)
		}
		if n := text.Words(body); n != words {
			problem("%s: %d words stored, its text has %d", slug, words, n)
		}
		if h := ibid.ContentHash(body); h != hash {
			problem("%s: stored hash is not its text's", slug)
		}
		if found != 1 {
			problem("%s: search does not find it by its title", slug)
		}
		want := map[uint64]bool{}
		for _, h := range originality.DistinctHashes(originality.Fingerprint(body)) {
			want[h] = true
		}
		got := map[uint64]bool{}
		for _, h := range stored[id] {
			got[h] = true
			fmt.Fprintf(sum, "%x;", h)
		}
		if len(want) == 0 || len(got) != len(want) {
			problem("%s: %d fingerprints stored, its text has %d", slug, len(got), len(want))
		} else {
			for p := range want {
				if !got[p] {
					problem("%s: fingerprint %v missing", slug, p)
					break
				}
			}
		}
		fmt.Fprintf(sum, "%s %s %q %d\n", hash, slug, title, words)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	st.Digest = hex.EncodeToString(sum.Sum(nil))
	return st, problems
}

// soundLibrary is inspectLibrary for a library that must have no problems.
func soundLibrary(t *testing.T, path string) libraryState {
	t.Helper()
	st, problems := inspectLibrary(t, path)
	for i, p := range problems {
		if i == 10 {
			t.Errorf("%s: and %d more problems", filepath.Base(path), len(problems)-i)
			break
		}
		t.Errorf("%s: %s", filepath.Base(path), p)
	}
	return st
}

// essayCount counts the committed essays of a library another process is
// writing; -1 while the file or its tables are not there yet.
func essayCount(path string) int {
	if _, err := os.Stat(path); err != nil {
		return -1
	}
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(1000)")
	if err != nil {
		return -1
	}
	defer db.Close()
	var n int
	if err := db.QueryRow("SELECT COUNT(*) FROM essays").Scan(&n); err != nil {
		return -1
	}
	return n
}

// TestImportSurvivesSIGKILL kills `ibid import` in the middle of a bulk
// import and checks that the library is sound, that every essay in it is
// complete (the rest absent), and that running the import again completes
// the library without duplicates.
func TestImportSurvivesSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and imports thousands of essays")
	}
	if runtime.GOOS == "windows" {
		t.Skip("needs SIGKILL")
	}
	const n = 2000
	bin := ibidBinary(t)
	dir := writeSynthEssays(t, n)
	db := filepath.Join(t.TempDir(), "ibid.db")

	cmd := exec.Command(bin, "import", "--db", db, dir)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	// Kill it once some batches are in, while others are being written:
	// batches commit up to 200 essays at a time, so waiting for a few
	// hundred leaves most of the import still to do.
	deadline := time.Now().Add(60 * time.Second)
	for essayCount(db) < 300 {
		select {
		case err := <-exited:
			t.Fatalf("the import ended (%v) before it could be killed; stderr:\n%s", err, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("no essays after a minute; stderr:\n%s", stderr.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	err := <-exited
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("the import was not killed: %v", err)
	}

	killed := soundLibrary(t, db)
	t.Logf("killed with %d of %d essays stored", killed.Essays, n)
	if killed.Essays == 0 || killed.Essays >= n {
		t.Fatalf("%d essays after the kill: not in the middle of the import", killed.Essays)
	}

	// The second run adds exactly the missing essays.
	out, err := exec.Command(bin, "import", "--db", db, dir).CombinedOutput()
	if err != nil {
		t.Fatalf("second import: %v\n%s", err, out)
	}
	want := fmt.Sprintf("%d imported, %s, 0 failed", n-killed.Essays, plural(killed.Essays, "duplicate", "duplicates"))
	if !strings.Contains(string(out), want) {
		t.Errorf("second import says %q, want %q", lastLine(out), want)
	}
	full := soundLibrary(t, db)
	if full.Essays != n {
		t.Errorf("%d essays after the second import, want %d", full.Essays, n)
	}
	// Each file once: no essay was stored twice under another slug.
	if got := strings.Count(titles(t, db), "\n") + 1; got != n {
		t.Errorf("%d different titles, want %d", got, n)
	}
}

// titles are a library's different essay titles, sorted, one a line.
func titles(t *testing.T, path string) string {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query("SELECT DISTINCT title FROM essays")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		rows.Scan(&s)
		out = append(out, s)
	}
	sort.Strings(out)
	return strings.Join(out, "\n")
}

func lastLine(b []byte) string {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return lines[len(lines)-1]
}
