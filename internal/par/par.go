// Package par runs the iterations of a loop on several goroutines.
package par

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
)

// Each calls do(0), …, do(n-1) on up to workers goroutines (GOMAXPROCS
// when workers ≤ 0), each taking the next index when it has finished one,
// so that uneven iterations still keep every goroutine busy, and returns
// when all calls have returned. Once ctx is done no further index is
// handed out, and Each returns ctx.Err().
func Each(ctx context.Context, workers, n int, do func(i int)) error {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(workers, n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				do(i)
			}
		}()
	}
	wg.Wait()
	return ctx.Err()
}
