package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"

	"github.com/ibid-dev/ibid"
)

// Backup writes a consistent copy of the library to the new file dest,
// while the library stays open for reading and writing: SQLite's VACUUM
// INTO reads one snapshot of the database (WAL lets writers go on beside
// it) and writes it compacted, so the copy is a complete library as of one
// moment, without the write-ahead log beside it. The copy is checked with
// PRAGMA integrity_check before Backup returns.
//
// Backup refuses (ECONFLICT) to overwrite an existing file: it creates dest
// exclusively first, so that two backups or an old backup are never
// clobbered.
func (db *DB) Backup(ctx context.Context, dest string) (err error) {
	f, err := os.OpenFile(dest, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return ibid.Errorf(ibid.ECONFLICT, "%s already exists: a backup never overwrites a file", dest)
	}
	if err != nil {
		return ibid.Errorf(ibid.EINVALID, "cannot create %s: %v", dest, err)
	}
	f.Close()
	defer func() {
		if err != nil {
			// A half-written copy must not pass for a backup.
			os.Remove(dest)
		}
	}()
	// VACUUM INTO accepts an existing empty file. It runs on a connection
	// of its own: it only reads the library, so it must not hold up the
	// writer, and the readers are query_only, which refuses it even though
	// it writes only to dest.
	c, err := sql.Open("sqlite", "file:"+db.path+"?"+url.Values{"_pragma": {"busy_timeout(10000)"}}.Encode())
	if err != nil {
		return fmt.Errorf("backup to %s: %w", dest, err)
	}
	defer c.Close()
	if _, err := c.ExecContext(ctx, "VACUUM INTO ?", dest); err != nil {
		return fmt.Errorf("backup to %s: %w", dest, err)
	}
	return checkFile(ctx, dest)
}

// checkFile runs SQLite's integrity check on the library file at path,
// opened read-only.
func checkFile(ctx context.Context, path string) error {
	c, err := sql.Open("sqlite", "file:"+path+"?mode=ro&"+url.Values{"_pragma": {"query_only(1)"}}.Encode())
	if err != nil {
		return err
	}
	defer c.Close()
	rows, err := c.QueryContext(ctx, "PRAGMA integrity_check")
	if err != nil {
		return fmt.Errorf("check %s: %w", path, err)
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return err
		}
		if line != "ok" {
			problems = append(problems, line)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("check %s: %w", path, err)
	}
	if len(problems) > 0 {
		return fmt.Errorf("check %s: %d problems, the first: %s", path, len(problems), problems[0])
	}
	return nil
}
