package sqlite

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"
)

// TestPingWhileReadersAreBusy: Ping (what /healthz asks) answers while
// every read connection is taken, since it has one of its own. Before, it
// queued behind the readers and /healthz failed under load.
func TestPingWhileReadersAreBusy(t *testing.T) {
	db, err := Open(filepath.Join(t.TempDir(), "ibid.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	var held []*sql.Conn
	for range db.r.Stats().MaxOpenConnections {
		c, err := db.r.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, c)
	}
	defer func() {
		for _, c := range held {
			c.Close()
		}
	}()
	// A second is far more than a ping takes and far less than waiting
	// for a reader that never comes.
	pctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	if err := db.Ping(pctx); err != nil {
		t.Errorf("Ping with every read connection taken: %v", err)
	}
}
