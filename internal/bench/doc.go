// Package bench holds the library's end-to-end benchmarks: bulk import of
// generated essays, and essay-page and search latency on the library that
// import built. Sizes come from IBID_BENCH_ESSAYS (default 2,000; the
// figures in the notes use 10,000):
//
//	IBID_BENCH_ESSAYS=10000 go test ./internal/bench -run '^$' -bench . -benchtime 1x
//
// Each benchmark reports p50 and p99 latencies and the process's peak
// resident memory (VmHWM) as custom metrics.
package bench
