// Package postgres is the shared store of ibid: a PostgreSQL database
// (through pgx's database/sql driver) that several ibid processes can use at
// once. Search uses a generated tsvector column with a GIN index; the
// fingerprint postings of the originality checker live in the runs of
// internal/printindex. It implements ibid.Store and passes the same
// conformance suite as the SQLite store.
package postgres

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ibid-dev/ibid"
	"github.com/ibid-dev/ibid/internal/printindex"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Advisory lock classes: the first key of PostgreSQL's two-key advisory
// locks, so that ibid's locks never collide with another application's.
const (
	lockMigrate = 0x1b1d0001 // held while migrations run
	lockSlug    = 0x1b1d0002 // held by a write while it picks a slug
)

// maxConns bounds each process's pool: a server has few cores, and several
// servers share the database's connection limit (100 by default).
const maxConns = 16

// DB is an open PostgreSQL library.
type DB struct {
	db *sql.DB
	// h is Ping's own connection, so that a health check asks whether
	// the database answers rather than how long the pool's queue is.
	h *sql.DB
	// printCache keeps the fingerprint index's runs and tombstones
	// between lookups.
	printCache printindex.Cache
}

var _ ibid.Store = (*DB)(nil)

// Open connects to the database named by dsn (a postgres:// URL or a
// key=value connection string) and applies pending migrations. Several
// processes may open the same database at once: migrations run under an
// advisory lock, once.
func Open(ctx context.Context, dsn string) (*DB, error) {
	if dsn == "" {
		return nil, ibid.Errorf(ibid.EINVALID, "no database URL given")
	}
	// Parsing first tells a malformed DSN (EINVALID) from a server that
	// does not answer (EUNAVAILABLE). pgx masks passwords in its messages.
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, &ibid.Error{Code: ibid.EINVALID, Message: "the PostgreSQL connection string is malformed", Err: err}
	}
	sdb := stdlib.OpenDB(*cfg)
	sdb.SetMaxOpenConns(maxConns)
	sdb.SetMaxIdleConns(maxConns / 2)
	sdb.SetConnMaxIdleTime(5 * time.Minute)
	h := stdlib.OpenDB(*cfg)
	h.SetMaxOpenConns(1)
	db := &DB{db: sdb, h: h}
	if err := sdb.PingContext(ctx); err != nil {
		h.Close()
		sdb.Close()
		return nil, &ibid.Error{Code: ibid.EUNAVAILABLE, Message: "cannot connect to the PostgreSQL database", Err: err}
	}
	if err := db.migrate(ctx); err != nil {
		h.Close()
		sdb.Close()
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	return db, nil
}

// Close closes the connection pools.
func (db *DB) Close() error { return errors.Join(db.h.Close(), db.db.Close()) }

// Ping checks that the database answers, on a connection of its own.
func (db *DB) Ping(ctx context.Context) error { return db.h.PingContext(ctx) }

// migration is one embedded schema change.
type migration struct {
	version int
	name    string // the file name, e.g. 001_init.sql
}

func listMigrations() ([]migration, error) {
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var out []migration
	for _, name := range names {
		base := strings.TrimPrefix(name, "migrations/")
		v, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if err != nil {
			return nil, fmt.Errorf("migration %s: name must start with a number", base)
		}
		out = append(out, migration{v, base})
	}
	return out, nil
}

// migrate applies the embedded migrations that have not run yet, each in its
// own transaction, in file-name order. A session advisory lock keyed on the
// current schema serialises processes that start together: the second one
// waits, then finds every migration recorded and applies nothing. The lock
// belongs to one connection, so everything runs on one.
func (db *DB) migrate(ctx context.Context) error {
	list, err := listMigrations()
	if err != nil {
		return err
	}
	conn, err := db.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	var schema sql.NullString
	if err := conn.QueryRowContext(ctx, "SELECT current_schema()").Scan(&schema); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if !schema.Valid {
		return ibid.Errorf(ibid.EINVALID, "the database's search_path names no existing schema")
	}
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1, hashtext($2))", lockMigrate, schema.String); err != nil {
		return fmt.Errorf("migrate: lock: %w", err)
	}
	// Unlock explicitly so that the pooled connection does not keep the
	// lock; a broken connection drops it on the server anyway.
	defer conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1, hashtext($2))", lockMigrate, schema.String)

	if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied TIMESTAMPTZ NOT NULL DEFAULT now())`); err != nil {
		return fmt.Errorf("migrations table: %w", err)
	}
	for _, m := range list {
		if err := apply(ctx, conn, m); err != nil {
			return err
		}
	}
	return nil
}

func apply(ctx context.Context, conn *sql.Conn, m migration) error {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM schema_migrations WHERE version = $1", m.version).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	body, err := migrations.ReadFile("migrations/" + m.name)
	if err != nil {
		return err
	}
	// A statement without parameters goes through the simple protocol,
	// which accepts a whole file of statements.
	if _, err := tx.ExecContext(ctx, string(body)); err != nil {
		return fmt.Errorf("migration %s: %w", m.name, err)
	}
	if err := afterMigration(ctx, tx, m.version); err != nil {
		return fmt.Errorf("migration %s: %w", m.name, err)
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", m.version, m.name); err != nil {
		return err
	}
	return tx.Commit()
}

// prints is the fingerprint index, in the tables of migration 005.
var prints = printindex.New(printindex.PostgreSQL)

// afterMigration runs the part of a migration that needs Go code, in its
// transaction: 006 moves the prints table, where a library still has one,
// into the fingerprint index. (005 did until 006 changed the layout of new
// runs; libraries that ran it then have no prints table left.)
func afterMigration(ctx context.Context, tx *sql.Tx, version int) error {
	if version != 6 {
		return nil
	}
	var n int
	if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM pg_tables WHERE schemaname = current_schema() AND tablename = 'prints'").Scan(&n); err != nil || n == 0 {
		return err
	}
	if err := prints.Legacy(ctx, tx); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, "DROP TABLE prints")
	return err
}

// pgCode returns the SQLSTATE of a PostgreSQL error in err's chain and the
// constraint it names, or "" when err did not come from the server.
func pgCode(err error) (code, constraint string) {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code, pe.ConstraintName
	}
	return "", ""
}

// SQLSTATE codes the store acts on.
const (
	uniqueViolation      = "23505"
	programLimitExceeded = "54000" // e.g. a tsvector over 1 MB
)

// PoolStats reports the connection pool, for /metrics.
func (db *DB) PoolStats() map[string]sql.DBStats {
	return map[string]sql.DBStats{"all": db.db.Stats()}
}
