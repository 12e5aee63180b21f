package postgres_test

import (
	"database/sql"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/ibid-dev/ibid/postgres"
	"github.com/ibid-dev/ibid/storetest"
)

// TestMigratePrintsTable builds a library as ibid kept it before migration
// 005 (one row a print, offsets included, hashes of the top bit stored as
// negative bigints), with more rows than one page of the move, opens it,
// and checks that the fingerprint index holds each (hash, essay) of the old
// table once and that the old table is gone.
func TestMigratePrintsTable(t *testing.T) {
	dsn := freshSchema(t)
	raw, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	names, bodies := postgres.MigrationsBefore(5)
	if _, err := raw.Exec(`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied TIMESTAMPTZ NOT NULL DEFAULT now())`); err != nil {
		t.Fatal(err)
	}
	for i, body := range bodies {
		if _, err := raw.Exec(body); err != nil {
			t.Fatalf("%s: %v", names[i], err)
		}
		v, _ := strconv.Atoi(strings.SplitN(names[i], "_", 2)[0])
		if _, err := raw.Exec("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", v, names[i]); err != nil {
			t.Fatal(err)
		}
	}
	var ids []int64
	for i := range 3 {
		var id int64
		if err := raw.QueryRow(`INSERT INTO essays (slug, title, blocks, body, words, hash)
			VALUES ($1, 'T', '[]', 'text', 1, $2) RETURNING id`, fmt.Sprintf("e%d", i), fmt.Sprintf("h%d", i)).Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	rng := rand.New(rand.NewPCG(5, 5))
	want := map[uint64][]int64{}
	var hs []int64
	var es []int64
	var offs []int32
	for len(hs) < 70000 {
		h := rng.Uint64()
		for _, id := range ids {
			if rng.IntN(3) == 0 {
				continue
			}
			want[h] = append(want[h], id)
			for off := range 1 + rng.IntN(3) { // the same print at several offsets
				hs, es, offs = append(hs, int64(h)), append(es, id), append(offs, int32(off*10))
			}
		}
	}
	if _, err := raw.Exec(`INSERT INTO prints (hash, essay_id, "offset")
		SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::int[]) ON CONFLICT DO NOTHING`, hs, es, offs); err != nil {
		t.Fatal(err)
	}
	raw.Close()

	db := open(t, dsn)
	storetest.WantPrints(t, db, want)
	st, err := db.PrintStats(t.Context())
	if err != nil || st.Runs != 1 || st.Postings == 0 {
		t.Errorf("index after the migration: %+v %v", st, err)
	}
	raw2, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer raw2.Close()
	var left sql.NullString
	if err := raw2.QueryRow("SELECT to_regclass('prints')::text").Scan(&left); err != nil || left.Valid {
		t.Errorf("the prints table is still there (%v, %v)", left, err)
	}
}
