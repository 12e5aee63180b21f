package postgres

import (
	"context"
	"database/sql"
	"os"
	"testing"
	"time"
)

// TestPingWhilePoolIsBusy: Ping (what /healthz asks) answers while every
// connection of the pool is taken, since it has one of its own.
func TestPingWhilePoolIsBusy(t *testing.T) {
	dsn := os.Getenv("IBID_TEST_POSTGRES")
	if dsn == "" {
		t.Skip("IBID_TEST_POSTGRES is not set")
	}
	ctx := context.Background()
	db, err := Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var held []*sql.Conn
	for range db.db.Stats().MaxOpenConnections {
		c, err := db.db.Conn(ctx)
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
	pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if err := db.Ping(pctx); err != nil {
		t.Errorf("Ping with every pool connection taken: %v", err)
	}
}
