package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/ibid-dev/ibid"
	"github.com/ibid-dev/ibid/sqlite"
)

func init() {
	register(&command{
		name:    "backup",
		summary: "write a consistent copy of a SQLite library to a new file, also while the server runs",
		usage:   "[--db D] FILE",
		run:     runBackup,
	})
}

func runBackup(ctx context.Context, e *env, args []string) error {
	c := commands["backup"]
	fs := newFlags(e, c)
	db := dbFlag(fs, e)
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError{"give one file to write the backup to"}
	}
	dest := pos[0]
	if strings.HasPrefix(*db, "postgres://") || strings.HasPrefix(*db, "postgresql://") {
		// PostgreSQL has its own tools for consistent online copies; a
		// SQLite copy of the library is one `ibid copy` away.
		return ibid.Errorf(ibid.EINVALID, "ibid backup copies SQLite libraries; for PostgreSQL use pg_dump, "+
			"or ibid copy --from %s --to %s for a SQLite copy of the library", displayDSN(*db), dest)
	}
	// Opening a missing library would create an empty one, and back that up.
	if _, err := os.Stat(*db); err != nil {
		return ibid.Errorf(ibid.ENOTFOUND, "there is no library at %s", *db)
	}
	st, err := sqlite.Open(*db)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.Backup(ctx, dest); err != nil {
		return err
	}
	_, total, err := st.Essays(ctx, ibid.EssayFilter{Limit: 1})
	if err != nil {
		return err
	}
	info, err := os.Stat(dest)
	if err != nil {
		return err
	}
	// The count is the library's now, which may be ahead of the copy when
	// a server is importing: say so only loosely.
	fmt.Fprintf(e.stderr, "backed up %s to %s (%s, %d essays in the library)\n", *db, dest, byteSize(info.Size()), total)
	return nil
}

// byteSize is n bytes for people: "512 B", "3.2 MB".
func byteSize(n int64) string {
	switch {
	case n < 1<<10:
		return fmt.Sprintf("%d B", n)
	case n < 1<<20:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	case n < 1<<30:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%.1f GB", float64(n)/(1<<30))
}
