package par

import (
	"context"
	"sync/atomic"
	"testing"
)

func TestEach(t *testing.T) {
	for _, c := range []struct{ workers, n int }{{0, 0}, {0, 1}, {1, 10}, {4, 3}, {3, 1000}} {
		calls := make([]atomic.Int32, c.n)
		if err := Each(context.Background(), c.workers, c.n, func(i int) { calls[i].Add(1) }); err != nil {
			t.Fatal(err)
		}
		for i := range calls {
			if got := calls[i].Load(); got != 1 {
				t.Errorf("workers %d, n %d: do(%d) called %d times", c.workers, c.n, i, got)
			}
		}
	}
}

func TestEachStopsWhenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var calls atomic.Int32
	err := Each(ctx, 2, 1000, func(i int) {
		if calls.Add(1) == 10 {
			cancel()
		}
	})
	if err != context.Canceled {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	// Each goroutine may finish the call it had begun: at most one more
	// call a worker after the tenth.
	if n := calls.Load(); n > 12 {
		t.Errorf("%d calls after cancelling at the tenth", n)
	}
}
