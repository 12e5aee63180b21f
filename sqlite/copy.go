package sqlite

import (
	"context"
	"database/sql"
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

// PrintGroups implements ibid.Store: one walk of the prints table in its
// primary-key order (hash, essay, offset), so SQLite sorts nothing.
func (db *DB) PrintGroups(ctx context.Context, fn func(hash uint64, essays []int64) error) error {
	rows, err := db.r.QueryContext(ctx, "SELECT hash, essay_id FROM prints ORDER BY hash, essay_id")
	if err != nil {
		return fmt.Errorf("print groups: %w", err)
	}
	defer rows.Close()
	return groupPrints(rows, fn)
}

// groupPrints calls fn for each run of rows (hash, essay_id) ordered by
// hash and essay.
func groupPrints(rows *sql.Rows, fn func(uint64, []int64) error) error {
	var ids []int64
	var cur int64
	for rows.Next() {
		var h, id int64
		if err := rows.Scan(&h, &id); err != nil {
			return fmt.Errorf("print groups: %w", err)
		}
		if len(ids) > 0 && h != cur {
			if err := fn(uint64(cur), ids); err != nil {
				return err
			}
			ids = ids[:0]
		}
		cur = h
		if len(ids) == 0 || ids[len(ids)-1] != id {
			ids = append(ids, id)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("print groups: %w", err)
	}
	if len(ids) > 0 {
		return fn(uint64(cur), ids)
	}
	return nil
}
