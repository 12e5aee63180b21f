package sqlite

import (
	"context"
	"fmt"
	"time"

	"github.com/ibid-dev/ibid"
)

// Prints returns the fingerprints stored for an essay, by offset then hash:
// what CreateEssay was given, less exact duplicates. Copying a library
// between stores reads them back with it.
func (db *DB) Prints(ctx context.Context, id int64) ([]ibid.Print, error) {
	rows, err := db.r.QueryContext(ctx, "SELECT hash, offset FROM prints WHERE essay_id = ? ORDER BY offset, hash", id)
	if err != nil {
		return nil, fmt.Errorf("prints: %w", err)
	}
	defer rows.Close()
	var out []ibid.Print
	for rows.Next() {
		var h int64
		var p ibid.Print
		if err := rows.Scan(&h, &p.Offset); err != nil {
			return nil, fmt.Errorf("prints: %w", err)
		}
		p.Hash = uint64(h)
		out = append(out, p)
	}
	return out, rows.Err()
}

// SetTimes sets an essay's Created and Updated times, which CreateEssay
// always sets to the present: copying a library keeps the originals.
func (db *DB) SetTimes(ctx context.Context, id int64, created, updated time.Time) error {
	res, err := db.w.ExecContext(ctx, "UPDATE essays SET created = ?, updated = ? WHERE id = ?",
		created.UTC().Format(time.RFC3339Nano), updated.UTC().Format(time.RFC3339Nano), id)
	if err != nil {
		return fmt.Errorf("set times: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("set times: %w", err)
	} else if n == 0 {
		return ibid.Errorf(ibid.ENOTFOUND, "no essay with id %d", id)
	}
	return nil
}
