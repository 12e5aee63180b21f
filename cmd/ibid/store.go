package main

import (
	"context"
	"errors"
	"flag"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ibid-dev/ibid"
	"github.com/ibid-dev/ibid/postgres"
	"github.com/ibid-dev/ibid/sqlite"
)

// dbFlag adds --db to fs, defaulting to $IBID_DB or the default library file.
func dbFlag(fs *flag.FlagSet, e *env) *string {
	def := e.getenv("IBID_DB")
	if def == "" {
		def = defaultDBPath(e)
	}
	return fs.String("db", def, "library database: a SQLite file path or a postgres:// URL (or $IBID_DB)")
}

// defaultDBPath is ibid.db in the user's data folder (XDG_DATA_HOME or
// ~/.local/share/ibid), or in the working folder when there is no home.
func defaultDBPath(e *env) string {
	if d := e.getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "ibid", "ibid.db")
	}
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, ".local", "share", "ibid", "ibid.db")
	}
	return "ibid.db"
}

// openStore opens the library named by dsn, creating an empty SQLite
// library when there is none: only serve, import and the destination of copy
// create libraries.
func openStore(dsn string) (ibid.Store, error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		// Bounded, so that an unreachable server fails the command
		// instead of hanging it.
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		db, err := postgres.Open(ctx, dsn)
		if err != nil {
			return nil, err // not a nil *postgres.DB in a non-nil interface
		}
		return db, nil
	}
	if dir := filepath.Dir(dsn); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, ibid.Errorf(ibid.EINVALID, "cannot create the folder for %s: %v", dsn, err)
		}
	}
	return sqlite.Open(dsn)
}

// openExisting opens an existing library. A SQLite path with no file behind it
// is an error rather than a new, empty library: a check against nothing would
// report "Similarity 0%", a false all-clear, and an export or citation would
// say "not found" of an essay that is in the library the user meant.
func openExisting(dsn string) (ibid.Store, error) {
	if !isPostgres(dsn) {
		info, err := os.Stat(dsn)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return nil, ibid.Errorf(ibid.ENOTFOUND, "no library at %s (serve or import create one)", dsn)
		case err != nil:
			return nil, ibid.Errorf(ibid.EINVALID, "cannot open the library %s: %v", dsn, err)
		case info.IsDir():
			return nil, ibid.Errorf(ibid.EINVALID, "%s is a folder, not a library file", dsn)
		}
	}
	return openStore(dsn)
}

// displayDSN is dsn safe to print: a URL's password is masked.
func displayDSN(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.User == nil {
		return dsn
	}
	if _, has := u.User.Password(); has {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}
