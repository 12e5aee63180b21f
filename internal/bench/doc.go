// Package bench holds the library's end-to-end benchmarks: bulk import of
// generated essays, essay-page, search and check latency on the library
// that import built, and the comparison of a generated class of 200 essays
// (BenchmarkCompare200, with `sim_text -p` as its anchor). Sizes come from IBID_BENCH_ESSAYS (default 2,000; the
// figures in the notes use 10,000 and 100,000):
//
//	IBID_BENCH_ESSAYS=10000 go test ./internal/bench -run '^$' -bench . -benchtime 1x
//
// The library is SQLite in a temporary folder, or a schema in the
// PostgreSQL database named by IBID_BENCH_POSTGRES (a postgres:// URL);
// IBID_BENCH_DIR keeps the SQLite library between runs. A kept library
// that holds IBID_BENCH_ESSAYS essays is reused rather than imported again.
// IBID_BENCH_CORPUS keeps the generated essays' files between runs (a
// million of them take some ten minutes to write, and 13 GB).
//
// BenchmarkLoad and BenchmarkAbuse run `ibid serve` as a separate process
// and drive it over loopback; BenchmarkAbuse adds four abusive clients to
// 200 readers and 20 checkers and compares the readers' latency with and
// without them (see docs/limits.md).
//
// BenchmarkCheckCPU measures a check's CPU time in-process (no HTTP) on
// PAN13 documents; IBID_BENCH_PAN_DB reuses a library of the PAN13 sources
// and IBID_BENCH_REPORTS writes its reports, to compare two versions of the
// checker report for report.
//
// Each benchmark reports p50 and p99 latencies and the process's peak
// resident memory (VmHWM) as custom metrics.
package bench
