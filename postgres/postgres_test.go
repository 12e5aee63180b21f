package postgres_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/ibid-dev/ibid"
	"github.com/ibid-dev/ibid/originality"
	"github.com/ibid-dev/ibid/postgres"
	"github.com/ibid-dev/ibid/storetest"
	"github.com/ibid-dev/ibid/text"
)

// testDB returns the database named by IBID_TEST_POSTGRES, skipping the test
// when it is not set. .ci/run starts a throwaway server and sets it.
func testDB(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv("IBID_TEST_POSTGRES")
	if dsn == "" {
		t.Skip("IBID_TEST_POSTGRES is not set; set it to a postgres:// URL of a scratch database to run the PostgreSQL tests")
	}
	return dsn
}

// freshSchema creates an empty, uniquely named schema, drops it when the
// test ends, and returns a DSN whose search_path points at it, so that every
// test has a library of its own in one shared database.
func freshSchema(t testing.TB) string {
	t.Helper()
	base := testDB(t)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	name := "ibid_test_" + strings.ToLower(rand.Text()[:12])
	if _, err := admin.ExecContext(context.Background(), "CREATE SCHEMA "+name); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		if _, err := admin.ExecContext(context.Background(), "DROP SCHEMA "+name+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", name, err)
		}
	})
	return withSearchPath(t, base, name)
}

// withSearchPath adds a search_path run-time parameter to dsn; pgx passes
// parameters it does not know to the server.
func withSearchPath(t testing.TB, dsn, schema string) string {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			t.Fatalf("IBID_TEST_POSTGRES: %v", err)
		}
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		return u.String()
	}
	return dsn + " search_path=" + schema
}

func open(t testing.TB, dsn string) *postgres.DB {
	t.Helper()
	db, err := postgres.Open(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestConformance(t *testing.T) {
	testDB(t)
	storetest.Run(t, func(t *testing.T) ibid.Store {
		return open(t, freshSchema(t))
	})
}

func TestReopenKeepsDataAndSkipsMigrations(t *testing.T) {
	dsn := freshSchema(t)
	db, err := postgres.Open(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	e := storetest.NewEssay("Kept", "History", nil, "Still here after reopening.")
	if err := db.CreateEssay(t.Context(), e); err != nil {
		t.Fatal(err)
	}
	db.Close()
	db = open(t, dsn)
	if _, err := db.Essay(t.Context(), e.Slug); err != nil {
		t.Fatal(err)
	}
}

// Several servers starting at once on an empty database must all open it,
// and the schema must be built exactly once.
func TestConcurrentOpenMigratesOnce(t *testing.T) {
	dsn := freshSchema(t)
	const n = 8
	var wg sync.WaitGroup
	dbs := make([]*postgres.DB, n)
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() { dbs[i], errs[i] = postgres.Open(t.Context(), dsn) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("open %d: %v", i, err)
			continue
		}
		defer dbs[i].Close()
	}
	if t.Failed() {
		return
	}
	files, err := fs.Glob(os.DirFS("migrations"), "*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("no migration files: %v", err)
	}
	check, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer check.Close()
	var rows, versions int
	if err := check.QueryRow("SELECT COUNT(*), COUNT(DISTINCT version) FROM schema_migrations").Scan(&rows, &versions); err != nil {
		t.Fatal(err)
	}
	if rows != len(files) || versions != len(files) {
		t.Errorf("schema_migrations has %d rows (%d versions), want one per file (%d)", rows, versions, len(files))
	}
	// Every store works on the shared schema.
	for i, db := range dbs {
		e := storetest.NewEssay("Shared", "", nil, "Written through store "+string(rune('A'+i))+".")
		if err := db.CreateEssay(t.Context(), e); err != nil {
			t.Errorf("store %d: %v", i, err)
		}
	}
}

// Two stores on one database stand for two ibid processes: what one writes,
// the other reads, searches and checks against at once, since neither keeps
// state of its own.
func TestTwoStoresShareOneDatabase(t *testing.T) {
	dsn := freshSchema(t)
	writer, reader := open(t, dsn), open(t, dsn)
	ctx := t.Context()
	e := storetest.NewEssay("Pollination of Orchards", "Biology", []string{"Bees"},
		"An apple flower that receives too little pollen may still set fruit, but the fruit is often small or lopsided because too few seeds developed.",
		"Good pollination means more fruit, larger fruit and better-shaped fruit. Growers therefore rent hives in spring and place them along the rows.")
	e.Prints = originality.Fingerprint(e.Text)
	if err := writer.CreateEssay(ctx, e); err != nil {
		t.Fatal(err)
	}
	got, err := reader.Essay(ctx, e.Slug)
	if err != nil || got.Text != e.Text {
		t.Fatalf("read through the other store: %v", err)
	}
	if res, _, err := reader.Search(ctx, ibid.SearchQuery{Query: "lopsid"}); err != nil || len(res) != 1 {
		t.Errorf("search through the other store: %d results, %v", len(res), err)
	}
	rep, err := originality.Check(ctx, "My grandmother said: "+e.Text, originality.Library(reader), originality.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Sources) != 1 || rep.Sources[0].Slug != e.Slug {
		t.Errorf("check through the other store found %+v", rep.Sources)
	}
	if err := reader.DeleteEssay(ctx, e.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := writer.EssayByID(ctx, e.ID); ibid.ErrorCode(err) != ibid.ENOTFOUND {
		t.Errorf("deleted through one store, still read through the other: %v", err)
	}
}

// TestPostingsRoundTrip checks that hashes of the whole uint64 range (the
// top bit makes a negative bigint) come back as stored, in uint64 order,
// each (hash, essay) once.
func TestPostingsRoundTrip(t *testing.T) {
	db := open(t, freshSchema(t))
	e := storetest.NewEssay("Printed", "", nil, "alpha beta gamma delta")
	e.Prints = []ibid.Print{{Hash: 1<<64 - 1, Offset: 6}, {Hash: 7, Offset: 0}, {Hash: 7, Offset: 9}, {Hash: 1 << 63, Offset: 11}}
	if err := db.CreateEssay(t.Context(), e); err != nil {
		t.Fatal(err)
	}
	got, err := db.Postings(t.Context(), []uint64{1 << 63, 7, 1<<64 - 1, 8})
	if err != nil {
		t.Fatal(err)
	}
	want := []ibid.Posting{{Hash: 7, EssayID: e.ID}, {Hash: 1 << 63, EssayID: e.ID}, {Hash: 1<<64 - 1, EssayID: e.ID}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Postings = %v, want %v", got, want)
	}
}

// Queries reach the server through the prefix path (to_tsquery) and the
// websearch path; none may fail, whatever was typed.
func TestSearchPrefixEdges(t *testing.T) {
	db := open(t, freshSchema(t))
	for _, e := range []*ibid.Essay{
		storetest.NewEssay("Revolutions", "History", nil, "The revolution of 1848 spread across Europe."),
		storetest.NewEssay("Cats", "Biology", nil, "Cats sleep; dogs bark at the postman."),
	} {
		if err := db.CreateEssay(t.Context(), e); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		q    string
		want int
	}{
		{"revol", 1},
		{"REVOLUTION", 1},
		{"184", 1},          // digits are a prefix too
		{"the", 0},          // a stop word alone finds nothing
		{"cats or dogs", 1}, // "or" keeps its meaning: no prefix on dogs
		{"postman or revol", 1},
		{"europe revol", 1},
		{"-cats", 0}, // nothing positive: nothing found
		{"dogs -revol", 1},
		{`"across europe"`, 1},
		{`"across eur`, 0}, // inside an open quote: no prefix
		{"Молот", 0},
		{"revol\x00ution", 0},
		{"\xff\xfe revol", 1},
		{"revol:* | !", 0}, // tsquery syntax typed by the user is only text
		{"revol*", 1},      // a typed star asks for the prefix anyway
		{"revol:*", 0},
	}
	for _, tt := range tests {
		res, total, err := db.Search(t.Context(), ibid.SearchQuery{Query: tt.q})
		if err != nil {
			t.Errorf("Search(%q): %v", tt.q, err)
			continue
		}
		if len(res) != tt.want || total != tt.want {
			t.Errorf("Search(%q) = %d results (total %d), want %d", tt.q, len(res), total, tt.want)
		}
	}
}

// A page past the last result is empty but still tells how many there are.
func TestSearchPastLastPage(t *testing.T) {
	db := open(t, freshSchema(t))
	for i := range 3 {
		e := storetest.NewEssay("Bees", "Biology", nil, "Bees and more bees, number "+string(rune('A'+i))+".")
		if err := db.CreateEssay(t.Context(), e); err != nil {
			t.Fatal(err)
		}
	}
	for _, tt := range []struct {
		subject                string
		offset, results, total int
	}{
		{"", 0, 3, 3}, {"", 2, 1, 3}, {"", 3, 0, 3}, {"", 50, 0, 3}, {"biology", 5, 0, 3}, {"Law", 5, 0, 0},
	} {
		res, total, err := db.Search(t.Context(), ibid.SearchQuery{Query: "bees", Subject: tt.subject, Offset: tt.offset})
		if err != nil || len(res) != tt.results || total != tt.total {
			t.Errorf("subject %q offset %d: %d results, total %d, %v; want %d, %d", tt.subject, tt.offset, len(res), total, err, tt.results, tt.total)
		}
	}
}

// PostgreSQL's search entries hold at most 1 MB; an essay beyond that is
// refused as too large, not as an internal error, and nothing is stored.
func TestTooLongForSearchIndex(t *testing.T) {
	db := open(t, freshSchema(t))
	words := make([]string, 60000)
	for i := range words {
		words[i] = fmt.Sprintf("w%x", uint64(i)*0x9e3779b97f4a7c15) // distinct, unstemmable
	}
	e := storetest.NewEssay("Enormous", "", nil, strings.Join(words, " "))
	err := db.CreateEssay(t.Context(), e)
	if ibid.ErrorCode(err) != ibid.ETOOLARGE {
		t.Fatalf("CreateEssay of a %d-byte essay: %v, want %s", len(e.Text), err, ibid.ETOOLARGE)
	}
	if _, total, _ := db.Essays(t.Context(), ibid.EssayFilter{}); total != 0 {
		t.Errorf("%d essays stored after the refusal", total)
	}
}

// Many writers importing the same essay at once, more than the pool has
// connections: one wins, and every other gets the conflict with the message
// the SQLite store gives, whether its check or the unique index caught it.
func TestConcurrentDuplicates(t *testing.T) {
	db := open(t, freshSchema(t))
	const n = 40
	errs := make(chan error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			<-start // all at once
			errs <- db.CreateEssay(t.Context(), storetest.NewEssay("Same", "", nil, "The same words, sent by everyone at once."))
		})
	}
	close(start)
	wg.Wait()
	close(errs)
	won := 0
	for err := range errs {
		switch ibid.ErrorCode(err) {
		case "":
			won++
		case ibid.ECONFLICT:
			if msg := ibid.ErrorMessage(err); msg != `the same essay is already in the library as "same"` {
				t.Errorf("conflict message %q", msg)
			}
		default:
			t.Errorf("unexpected error: %v", err)
		}
	}
	if won != 1 {
		t.Errorf("%d creates succeeded, want 1", won)
	}
}

// Titles whose slugs collide across bases ("twin-2" is both the second
// "Twin" and the first "Twin 2") written at once: every write succeeds, each
// with a slug of its own.
func TestConcurrentSlugCollisions(t *testing.T) {
	db := open(t, freshSchema(t))
	const n = 36
	titles := []string{"Twin", "Twin 2", "Twin 3", "Twin 2 2"}
	slugs := make(chan string, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			e := storetest.NewEssay(titles[i%len(titles)], "", nil, fmt.Sprintf("Body %d.", i))
			if err := db.CreateEssay(t.Context(), e); err != nil {
				t.Errorf("create %q: %v", e.Title, err)
				return
			}
			slugs <- e.Slug
		})
	}
	close(start)
	wg.Wait()
	close(slugs)
	seen := map[string]bool{}
	for s := range slugs {
		if seen[s] {
			t.Errorf("slug %q given twice", s)
		}
		seen[s] = true
	}
	if len(seen) != n {
		t.Errorf("%d distinct slugs, want %d", len(seen), n)
	}
}

func TestInvalidText(t *testing.T) {
	db := open(t, freshSchema(t))
	for _, e := range []*ibid.Essay{
		storetest.NewEssay("Nul", "", nil, "a\x00b"),
		storetest.NewEssay("Latin-1", "", nil, "caf\xe9"),
		storetest.NewEssay("Topic", "", []string{"\xff"}, "fine text"),
	} {
		if err := db.CreateEssay(t.Context(), e); ibid.ErrorCode(err) != ibid.EINVALID {
			t.Errorf("CreateEssay(%q): %v, want %s", e.Title, err, ibid.EINVALID)
		}
	}
}

// Keys no essay can have (from mangled URLs) are not found, not errors.
func TestMalformedKeysAreNotFound(t *testing.T) {
	db := open(t, freshSchema(t))
	for _, key := range []string{"\xff\xfe", "a\x00b", ""} {
		if _, err := db.Essay(t.Context(), key); ibid.ErrorCode(err) != ibid.ENOTFOUND {
			t.Errorf("Essay(%q): %v, want not found", key, err)
		}
		if _, err := db.EssayByHash(t.Context(), key); ibid.ErrorCode(err) != ibid.ENOTFOUND {
			t.Errorf("EssayByHash(%q): %v, want not found", key, err)
		}
	}
	for _, f := range []ibid.EssayFilter{{Subject: "\xff"}, {Topic: "a\x00"}} {
		if _, _, err := db.Essays(t.Context(), f); err != nil {
			t.Errorf("Essays(%+v): %v", f, err)
		}
	}
}

func TestOpenErrors(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		dsn  string
		code string
	}{
		{"", ibid.EINVALID},
		{"postgres://ibid:s3cret@127.0.0.1:bad/x", ibid.EINVALID},
		// Port 1 on the loopback: nothing listens, the refusal is immediate.
		{"postgres://ibid:s3cret@127.0.0.1:1/x?connect_timeout=2&sslmode=disable", ibid.EUNAVAILABLE},
	}
	for _, tt := range tests {
		db, err := postgres.Open(ctx, tt.dsn)
		if err == nil {
			db.Close()
			t.Errorf("Open(%q) succeeded", tt.dsn)
			continue
		}
		if got := ibid.ErrorCode(err); got != tt.code {
			t.Errorf("Open(%q): code %q (%v), want %q", tt.dsn, got, err, tt.code)
		}
		if msg := ibid.ErrorMessage(err); strings.Contains(msg, "s3cret") {
			t.Errorf("Open(%q): the user-facing message shows the password: %q", tt.dsn, msg)
		}
	}
}

// TestRelatedWithStatistics: once ANALYZE has listed the library's commonest
// words, Related skips them before looking them up, and still finds the
// essay that shares the rare ones.
func TestRelatedWithStatistics(t *testing.T) {
	dsn := freshSchema(t)
	db := open(t, dsn)
	ctx := t.Context()
	var first *ibid.Essay
	for i := range 120 {
		body := fmt.Sprintf("The river rises in the hills and the river floods the valley. Entry %s is its own.", text.Slugify(fmt.Sprintf("w%x", uint64(i)*0x9e3779b97f4a7c15)))
		if i < 2 {
			body += " Quokkas juggle ultramarine teacups beside the weir at Zanzibar."
		}
		e := storetest.NewEssay(fmt.Sprintf("River %d", i), "", nil, body)
		if err := db.CreateEssay(ctx, e); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = e
		}
	}
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.ExecContext(ctx, "ANALYZE essays"); err != nil {
		t.Fatal(err)
	}
	var common bool
	err = admin.QueryRowContext(ctx, `SELECT 'river' = ANY (most_common_elems::text::text[]) FROM pg_stats
		WHERE schemaname = current_schema() AND tablename = 'essays' AND attname = 'search'`).Scan(&common)
	if err != nil || !common {
		t.Fatalf("the statistics do not list 'river' as common (%v): the test would not exercise the skip", err)
	}
	related, err := db.Related(ctx, first, 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(related) == 0 || related[0].Title != "River 1" {
		t.Fatalf("related to River 0: %v, want River 1 first", titles(related))
	}
}

func titles(list []*ibid.Essay) []string {
	var out []string
	for _, e := range list {
		out = append(out, e.Title)
	}
	return out
}

// TestSearchPastRankCap: a query matching more essays than are ranked still
// reports the exact total, puts the essay whose title matches first, and
// pages through every match.
func TestSearchPastRankCap(t *testing.T) {
	defer postgres.SetRankCap(5)()
	db := open(t, freshSchema(t))
	for i := range 30 {
		title := fmt.Sprintf("Essay %d", i)
		if i == 25 {
			title = "The River"
		}
		e := storetest.NewEssay(title, "", nil, fmt.Sprintf("A river runs past mill number %d.", i))
		if err := db.CreateEssay(t.Context(), e); err != nil {
			t.Fatal(err)
		}
	}
	res, total, err := db.Search(t.Context(), ibid.SearchQuery{Query: "river", Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if total != 30 || len(res) != 10 || res[0].Essay.Title != "The River" {
		t.Fatalf("total %d, %d results, first %q; want 30, 10, \"The River\"", total, len(res), res[0].Essay.Title)
	}
	seen := map[string]bool{}
	for off := 0; off < 30; off += 10 {
		page, _, err := db.Search(t.Context(), ibid.SearchQuery{Query: "river", Limit: 10, Offset: off})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range page {
			seen[r.Essay.Title] = true
		}
	}
	if len(seen) != 30 {
		t.Errorf("paging found %d distinct essays, want 30", len(seen))
	}
}
