package main

import (
	"flag"
	"os"
	"path/filepath"
	"strings"

	"github.com/ibid-dev/ibid"
	"github.com/ibid-dev/ibid/sqlite"
)

// dbFlag adds --db to fs, defaulting to $IBID_DB or the default library file.
func dbFlag(fs *flag.FlagSet, e *env) *string {
	def := e.getenv("IBID_DB")
	if def == "" {
		def = defaultDBPath(e)
	}
	return fs.String("db", def, "library database: a SQLite file path (or $IBID_DB)")
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

// openStore opens the library named by dsn.
func openStore(dsn string) (ibid.Store, error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		return nil, ibid.Errorf(ibid.EINVALID, "PostgreSQL is not supported yet; use a SQLite file path")
	}
	if dir := filepath.Dir(dsn); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, ibid.Errorf(ibid.EINVALID, "cannot create the folder for %s: %v", dsn, err)
		}
	}
	return sqlite.Open(dsn)
}
