package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ibid-dev/ibid"
	"github.com/ibid-dev/ibid/originality"
	"github.com/ibid-dev/ibid/sqlite"
	"github.com/ibid-dev/ibid/storetest"
	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, for making test schemas
)

// copySource makes a SQLite library of a few essays with everything an
// essay can carry: blocks of each kind, topics, dates, prints (with hashes
// above 2^63), and an update, so that created and updated differ.
func copySource(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "from.db")
	db, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	a := storetest.NewEssay("On Liberty", "Philosophy", []string{"Freedom", "Mill"}, "The only purpose for which power can be rightfully exercised.")
	a.Blocks = append([]ibid.Block{{Type: ibid.Heading, Level: 1, Text: "Harm"}}, a.Blocks...)
	a.Blocks = append(a.Blocks, ibid.Block{Type: ibid.List, Ordered: true, Items: []string{"speech", "assembly"}},
		ibid.Block{Type: ibid.Quote, Text: "Over himself, over his own body and mind, the individual is sovereign."})
	a.Text = ibid.CanonicalText(a.Blocks)
	a.Author, a.License, a.Source = "Ada Example", "CC BY 4.0", "essays/liberty.md"
	a.Published = time.Date(2023, 5, 17, 0, 0, 0, 0, time.UTC)
	b := storetest.NewEssay("On Liberty", "Philosophy", nil, "A second essay with the same title gets the next slug.")
	c := storetest.NewEssay("Молотов", "History", []string{"Soviet Union"}, "Вячеслав Молотов подписал пакт.")
	for _, e := range []*ibid.Essay{a, b, c} {
		e.Prints = originality.Fingerprint(e.Text)
		if err := db.CreateEssay(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	upd := *c
	upd.Author = "Updated Later"
	if err := db.UpdateEssay(ctx, &upd); err != nil {
		t.Fatal(err)
	}
	return path
}

// library reads every essay of a store in full, in ID order.
func library(t *testing.T, dsn string) []*ibid.Essay {
	t.Helper()
	st, err := openCopyStore(dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ids, err := allIDs(context.Background(), st)
	if err != nil {
		t.Fatal(err)
	}
	var out []*ibid.Essay
	for _, id := range ids {
		e, err := readFull(context.Background(), st, id)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
	}
	return out
}

// sameLibraries fails unless want and got hold the same essays, in the same
// order, with the same slugs, contents and times, and got's index holds
// every print of each.
func sameLibraries(t *testing.T, want []*ibid.Essay, dsn string) {
	t.Helper()
	got := library(t, dsn)
	if len(want) != len(got) {
		t.Fatalf("%d essays, want %d", len(got), len(want))
	}
	st, err := openCopyStore(dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for i := range want {
		w, g := want[i], got[i]
		if w.Slug != g.Slug || contentDigest(w) != contentDigest(g) || !sameTimes(w, g) {
			t.Errorf("essay %d:\n got %+v\nwant %+v", i, g, w)
		}
		if n, err := missingPrints(context.Background(), st, g); err != nil || n != 0 {
			t.Errorf("essay %q: %d prints missing (%v)", g.Title, n, err)
		}
		if len(originality.Fingerprint(g.Text)) == 0 && g.Title != "Молотов" {
			t.Errorf("essay %q has no prints: the test checks nothing", g.Title)
		}
	}
}

func TestCopySQLiteToSQLite(t *testing.T) {
	from := copySource(t)
	to := filepath.Join(t.TempDir(), "sub", "to.db")
	code, stdout, stderr := runIbid(t, nil, "copy", "--from", from, "--to", to)
	if code != 0 || !strings.Contains(stdout, "copied 3 essays (0 were already there) with ") || !strings.Contains(stdout, "verified 3 of 3") {
		t.Fatalf("copy: exit %d\nstdout %q\nstderr %q", code, stdout, stderr)
	}
	want := library(t, from)
	if want[0].Created.Equal(want[2].Updated) || want[2].Created.Equal(want[2].Updated) {
		t.Fatal("the source's times are not distinct; the test cannot tell them apart")
	}
	sameLibraries(t, want, to)

	// Again: nothing to copy, everything verified.
	code, stdout, _ = runIbid(t, nil, "copy", "--from", from, "--to", to)
	if code != 0 || !strings.Contains(stdout, "copied 0 essays (3 were already there) with 0 prints; verified 3 of 3") {
		t.Errorf("second copy: exit %d, %q", code, stdout)
	}

	// A destination that lost its prints fails verification.
	raw, err := sql.Open("sqlite", to)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec("DELETE FROM print_blocks"); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	code, _, stderr = runIbid(t, nil, "copy", "--from", from, "--to", to)
	if code != 1 || !strings.Contains(stderr, "verification failed") || !strings.Contains(stderr, "on-liberty: ") || !strings.Contains(stderr, "prints missing from the index") {
		t.Errorf("tampered destination: exit %d, %q", code, stderr)
	}
}

func TestCopyUsage(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"copy", "--from", "a.db"}, 2, "give both --from and --to"},
		{[]string{"copy", "--from", filepath.Join(dir, "x.db"), "--to", filepath.Join(dir, ".", "x.db")}, 2, "same library"},
		{[]string{"copy", "--from", filepath.Join(dir, "missing.db"), "--to", filepath.Join(dir, "y.db")}, 1, "no library at"},
		{[]string{"copy", "--from", "a.db", "--to", "b.db", "extra"}, 2, "unexpected arguments"},
	}
	for _, tt := range tests {
		code, _, stderr := runIbid(t, nil, tt.args...)
		if code != tt.code || !strings.Contains(stderr, tt.msg) {
			t.Errorf("%v: exit %d, %q; want %d and %q", tt.args, code, stderr, tt.code, tt.msg)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "y.db")); err == nil {
		t.Error("a failed copy created its destination")
	}
}

// A postgres:// --db goes to the PostgreSQL store: with nothing listening,
// the command fails with that store's message, and no password is shown.
func TestPostgresURLOpensPostgres(t *testing.T) {
	dsn := "postgres://ibid:s3cret@127.0.0.1:1/x?connect_timeout=2&sslmode=disable"
	for _, args := range [][]string{
		{"copy", "--from", dsn, "--to", filepath.Join(t.TempDir(), "to.db")},
		{"export", "--db", strings.Replace(dsn, "postgres:", "postgresql:", 1), "some-essay"},
	} {
		code, _, stderr := runIbid(t, nil, args...)
		if code != 1 || !strings.Contains(stderr, "cannot connect to the PostgreSQL database") || strings.Contains(stderr, "s3cret") {
			t.Errorf("%v: exit %d, %q", args, code, stderr)
		}
	}
}

// SQLite → PostgreSQL → SQLite must give back the library it started with.
func TestCopyThroughPostgres(t *testing.T) {
	pg := freshPostgresSchema(t)
	from := copySource(t)
	back := filepath.Join(t.TempDir(), "back.db")
	for _, step := range [][2]string{{from, pg}, {pg, back}} {
		code, stdout, stderr := runIbid(t, nil, "copy", "--from", step[0], "--to", step[1])
		if code != 0 || !strings.Contains(stdout, "verified 3 of 3") {
			t.Fatalf("copy %s → %s: exit %d\nstdout %q\nstderr %q", step[0], step[1], code, stdout, stderr)
		}
	}
	want := library(t, from)
	sameLibraries(t, want, pg)
	sameLibraries(t, want, back)
}

// freshPostgresSchema returns a DSN for an empty schema of the database named
// by IBID_TEST_POSTGRES, dropped when the test ends; it skips the test when
// the variable is not set.
func freshPostgresSchema(t *testing.T) string {
	t.Helper()
	base := os.Getenv("IBID_TEST_POSTGRES")
	if base == "" {
		t.Skip("IBID_TEST_POSTGRES is not set; set it to a postgres:// URL of a scratch database to run the PostgreSQL tests")
	}
	u, err := url.Parse(base)
	if err != nil || !isPostgres(base) {
		t.Fatalf("IBID_TEST_POSTGRES must be a postgres:// URL: %v", err)
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	name := "ibid_test_" + strings.ToLower(rand.Text()[:12])
	if _, err := admin.Exec("CREATE SCHEMA " + name); err != nil {
		admin.Close()
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		defer admin.Close()
		if _, err := admin.Exec("DROP SCHEMA " + name + " CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", name, err)
		}
	})
	q := u.Query()
	q.Set("search_path", name)
	u.RawQuery = q.Encode()
	return fmt.Sprint(u)
}
