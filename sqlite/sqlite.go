// Package sqlite is the embedded store of ibid: one SQLite file (through the
// pure-Go modernc.org/sqlite driver) in WAL mode, with FTS5 for search and a
// fingerprint table for the originality checker. It implements ibid.Store.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"runtime"
	"sort"
	"strconv"
	"strings"

	"github.com/ibid-dev/ibid"
	"github.com/ibid-dev/ibid/internal/printindex"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

//go:embed migrations/*.sql
var migrations embed.FS

// DB is an open library file. Writes go through a single connection with
// immediate transactions, so they never deadlock on lock upgrades; reads use a
// pool of read-only connections that WAL lets run beside the writer.
type DB struct {
	path string
	w    *sql.DB
	r    *sql.DB
	// version is Version's query, prepared once: it runs for every page
	// view.
	version *sql.Stmt
	// byHash is EssayByHash's query, prepared once: an import asks it for
	// every file, and SQLite parsing and planning it each time was two
	// thirds of its cost.
	byHash *sql.Stmt
	// h is Ping's own connection: a health check asks whether the store
	// answers, and must not wait behind the readers' queue when every
	// read connection is busy (a load balancer would then take a busy
	// server for a dead one, and send its readers elsewhere).
	h *sql.DB
	// printCache keeps the fingerprint index's runs and tombstones
	// between lookups.
	printCache printindex.Cache
}

var _ ibid.Store = (*DB)(nil)

// Open opens (creating if needed) the library at path and applies pending
// migrations.
func Open(path string) (*DB, error) {
	if path == "" {
		return nil, ibid.Errorf(ibid.EINVALID, "no database path given")
	}
	// temp_store in memory keeps the savepoint journals of batch imports off
	// the disk.
	pragmas := []string{"journal_mode(WAL)", "foreign_keys(1)", "busy_timeout(10000)", "synchronous(NORMAL)", "temp_store(MEMORY)"}
	dsn := func(extra ...string) string {
		q := url.Values{}
		for _, p := range append(pragmas, extra...) {
			q.Add("_pragma", p)
		}
		return "file:" + path + "?" + q.Encode()
	}
	// The writer gets a large page cache (negative = KiB): fingerprints are
	// inserted all over their index, which then stays in memory.
	w, err := sql.Open("sqlite", dsn("cache_size(-262144)")+"&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	db := &DB{path: path, w: w}
	if err := db.migrate(context.Background()); err != nil {
		w.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	r, err := sql.Open("sqlite", dsn("query_only(1)"))
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	n := runtime.GOMAXPROCS(0) * 2
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	db.r = r
	h, err := sql.Open("sqlite", dsn("query_only(1)"))
	if err != nil {
		r.Close()
		w.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	h.SetMaxOpenConns(1)
	db.h = h
	if db.version, err = r.Prepare("SELECT version FROM library_version WHERE id = 1"); err != nil {
		db.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	if db.byHash, err = r.Prepare(essayWhereQuery("hash = ?")); err != nil {
		db.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return db, nil
}

// Path returns the file the library lives in.
func (db *DB) Path() string { return db.path }

// Close closes the connection pools.
func (db *DB) Close() error {
	var errs []error
	for _, st := range []*sql.Stmt{db.version, db.byHash} {
		if st != nil {
			errs = append(errs, st.Close())
		}
	}
	return errors.Join(append(errs, db.h.Close(), db.r.Close(), db.w.Close())...)
}

// Ping checks that the database answers, on a connection of its own.
func (db *DB) Ping(ctx context.Context) error {
	var n int
	return db.h.QueryRowContext(ctx, "SELECT 1").Scan(&n)
}

// migrate applies the embedded migrations that have not run yet, each in its
// own transaction, in file-name order.
func (db *DB) migrate(ctx context.Context) error {
	if _, err := db.w.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL)`); err != nil {
		return fmt.Errorf("migrations table: %w", err)
	}
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	for _, name := range names {
		base := strings.TrimPrefix(name, "migrations/")
		v, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if err != nil {
			return fmt.Errorf("migration %s: name must start with a number", base)
		}
		if err := db.apply(ctx, v, base, name); err != nil {
			return err
		}
	}
	return nil
}

func (db *DB) apply(ctx context.Context, version int, base, name string) error {
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM schema_migrations WHERE version = ?", version).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	body, err := migrations.ReadFile(name)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, string(body)); err != nil {
		return fmt.Errorf("migration %s: %w", base, err)
	}
	if err := afterMigration(ctx, tx, version); err != nil {
		return fmt.Errorf("migration %s: %w", base, err)
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO schema_migrations (version, name) VALUES (?, ?)", version, base); err != nil {
		return err
	}
	return tx.Commit()
}

// prints is the fingerprint index, in the tables of migration 005.
var prints = printindex.New(printindex.SQLite)

// afterMigration runs the part of a migration that needs Go code, in its
// transaction: 006 moves the prints table, where a library still has one,
// into the fingerprint index. (005 did until 006 changed the layout of new
// runs; libraries that ran it then have no prints table left.)
func afterMigration(ctx context.Context, tx *sql.Tx, version int) error {
	if version != 6 {
		return nil
	}
	var n int
	if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'prints'").Scan(&n); err != nil || n == 0 {
		return err
	}
	if err := prints.Legacy(ctx, tx); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, "DROP TABLE prints")
	return err
}

// PoolStats reports the connection pools, for /metrics: "read" (the
// readers' connections) and "write" (the one writer).
func (db *DB) PoolStats() map[string]sql.DBStats {
	return map[string]sql.DBStats{"read": db.r.Stats(), "write": db.w.Stats()}
}
