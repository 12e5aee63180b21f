package bench

import (
	"context"
	"database/sql"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ibid-dev/ibid"
	"github.com/ibid-dev/ibid/postgres"
	"github.com/ibid-dev/ibid/sqlite"
)

// The library benchmarks run on SQLite unless IBID_BENCH_POSTGRES names a
// PostgreSQL database, in which case each library is a schema of its own
// in that database ("bench_library", …). IBID_BENCH_DIR keeps the SQLite
// libraries in a folder that outlives the run. Either way a library that
// already holds the expected number of essays is reused, so that the read
// and check figures of a 100,000-essay library need only one import.
var (
	benchPG  = os.Getenv("IBID_BENCH_POSTGRES")
	benchDir = os.Getenv("IBID_BENCH_DIR")
)

// openLibrary opens the library called name; fresh empties it first.
func openLibrary(b *testing.B, name string, fresh bool) ibid.Store {
	b.Helper()
	ctx := context.Background()
	if benchPG != "" {
		schema := pgSchema(name)
		if fresh {
			admin := pgAdmin(b)
			defer admin.Close()
			if _, err := admin.ExecContext(ctx, "DROP SCHEMA IF EXISTS "+schema+" CASCADE"); err != nil {
				b.Fatal(err)
			}
		}
		admin := pgAdmin(b)
		defer admin.Close()
		if _, err := admin.ExecContext(ctx, "CREATE SCHEMA IF NOT EXISTS "+schema); err != nil {
			b.Fatal(err)
		}
		db, err := postgres.Open(ctx, pgDSN(b, schema))
		if err != nil {
			b.Fatal(err)
		}
		return db
	}
	path := sqlitePath(name)
	if fresh {
		for _, suffix := range []string{"", "-wal", "-shm"} {
			os.Remove(path + suffix)
		}
	}
	db, err := sqlite.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	return db
}

// librarySize is the size of the library called name in MB: the database
// file and its write-ahead log for SQLite, the tables with their indexes and
// TOAST for PostgreSQL.
func librarySize(b *testing.B, name string) float64 {
	if benchPG == "" {
		return dbSize(sqlitePath(name))
	}
	admin := pgAdmin(b)
	defer admin.Close()
	var n sql.NullInt64
	err := admin.QueryRowContext(context.Background(), `SELECT sum(pg_total_relation_size(c.oid))
		FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace
		WHERE s.nspname = $1 AND c.relkind IN ('r', 'm')`, pgSchema(name)).Scan(&n)
	if err != nil {
		b.Fatal(err)
	}
	return float64(n.Int64) / 1e6
}

func sqlitePath(name string) string {
	dir := tmp
	if benchDir != "" {
		dir = benchDir
	}
	return filepath.Join(dir, name+".db")
}

func pgSchema(name string) string { return "bench_" + strings.ReplaceAll(name, "-", "_") }

func pgAdmin(b *testing.B) *sql.DB {
	db, err := sql.Open("pgx", benchPG)
	if err != nil {
		b.Fatal(err)
	}
	return db
}

// pgDSN is IBID_BENCH_POSTGRES with its search_path set to schema.
func pgDSN(b *testing.B, schema string) string {
	u, err := url.Parse(benchPG)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		b.Fatalf("IBID_BENCH_POSTGRES must be a postgres:// URL: %q", benchPG)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
