package sqlite

import (
	"context"
	"fmt"
	"time"

	"github.com/ibid-dev/ibid"
	"github.com/ibid-dev/ibid/internal/printindex"
)

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

// PrintGroups implements ibid.Store: one merging walk of the index's runs
// in a read transaction.
func (db *DB) PrintGroups(ctx context.Context, fn func(hash uint64, essays []int64) error) error {
	tx, err := db.r.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("print groups: %w", err)
	}
	defer tx.Rollback()
	return prints.Walk(ctx, tx, fn)
}

// OptimizePrints merges the runs of the fingerprint index other than its
// largest (or all of them, see printindex.Index.Optimize), as FTS5's
// optimize does for search: imports call it at the end, so that lookups
// visit few runs.
func (db *DB) OptimizePrints(ctx context.Context) error {
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("optimize prints: %w", err)
	}
	defer tx.Rollback()
	if err := prints.Optimize(ctx, tx); err != nil {
		return err
	}
	return tx.Commit()
}

// PrintStats describes the fingerprint index (runs, blocks, postings,
// bytes of block data, tombstones).
func (db *DB) PrintStats(ctx context.Context) (printindex.Stats, error) {
	return prints.Stats(ctx, db.r)
}
