package bench

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ibid-dev/ibid"
	"github.com/ibid-dev/ibid/ingest"
	"github.com/ibid-dev/ibid/internal/synth"
	"github.com/ibid-dev/ibid/originality"
	"github.com/ibid-dev/ibid/web"
)

var tmp string

func TestMain(m *testing.M) {
	var err error
	tmp, err = os.MkdirTemp("", "ibid-bench-")
	if err != nil {
		panic(err)
	}
	code := m.Run()
	os.RemoveAll(tmp)
	os.Exit(code)
}

func size() int {
	if n, err := strconv.Atoi(os.Getenv("IBID_BENCH_ESSAYS")); err == nil && n > 0 {
		return n
	}
	return 2000
}

var (
	filesOnce sync.Once
	files     []string
	fileBytes int64
)

// corpus writes the generated essays as Markdown files once per process,
// into a temporary folder, or into IBID_BENCH_CORPUS, where a corpus of the
// same size written before (and finished: see corpusDone) is reused: a
// million essays take some ten minutes to write and 13 GB.
func corpus(b *testing.B) []string {
	filesOnce.Do(func() {
		dir := os.Getenv("IBID_BENCH_CORPUS")
		if dir == "" {
			dir = filepath.Join(tmp, "essays")
		}
		done := filepath.Join(dir, corpusDone(size()))
		_, err := os.Stat(done)
		reuse := err == nil
		os.MkdirAll(dir, 0o755)
		g := synth.New(1)
		for i := range size() {
			p := filepath.Join(dir, fmt.Sprintf("essay-%06d.md", i))
			files = append(files, p)
			if reuse {
				st, err := os.Stat(p)
				if err != nil {
					panic(err)
				}
				fileBytes += st.Size()
				continue
			}
			data := g.Essay(i, g.Length())
			if err := os.WriteFile(p, data, 0o644); err != nil {
				panic(err)
			}
			fileBytes += int64(len(data))
		}
		if !reuse {
			if err := os.WriteFile(done, nil, 0o644); err != nil {
				panic(err)
			}
		}
	})
	return files
}

// corpusDone names the file that marks a corpus of n essays as written to
// the end.
func corpusDone(n int) string { return fmt.Sprintf(".corpus-%d-complete", n) }

// importAll imports the generated corpus into a fresh library named name
// and returns it open.
func importAll(b *testing.B, name string) ibid.Store {
	db := openLibrary(b, name, true)
	im := &ingest.Importer{Store: db, Fingerprint: originality.Fingerprint}
	sum, err := im.Files(context.Background(), corpus(b), nil)
	if err != nil || sum.Failed > 0 {
		b.Fatalf("import: %+v %v", sum, err)
	}
	return db
}

// BenchmarkBulkImport imports the generated corpus into a fresh library,
// the one the page and check benchmarks then reuse, and reports the rate,
// the library's size and the peak memory.
func BenchmarkBulkImport(b *testing.B) {
	fs := corpus(b)
	b.ResetTimer()
	start := time.Now()
	for range b.N {
		if lib != nil {
			lib.Close()
			lib, libOnce = nil, sync.Once{}
		}
		importAll(b, "library").Close()
	}
	sec := time.Since(start).Seconds() / float64(b.N)
	b.StopTimer()
	b.ReportMetric(float64(len(fs))/sec, "essays/s")
	b.ReportMetric(float64(fileBytes)/1e6/sec, "MB/s")
	b.ReportMetric(peakMB(), "peak-MB")
	b.ReportMetric(librarySize(b, "library"), "db-MB")
}

var (
	libOnce sync.Once
	lib     ibid.Store
	srv     http.Handler
	slugs   []string
)

// library is the generated library of size() essays, imported once (or
// reused from an earlier run when IBID_BENCH_DIR or IBID_BENCH_POSTGRES keeps
// it), with a web server over it.
func library(b *testing.B) (ibid.Store, http.Handler) {
	libOnce.Do(func() {
		lib = openLibrary(b, "library", false)
		_, n, err := lib.Essays(context.Background(), ibid.EssayFilter{Limit: 1})
		if err != nil {
			b.Fatal(err)
		}
		if n != size() {
			lib.Close()
			lib = importAll(b, "library")
		}
		srv, err = web.New(lib, web.Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		if err != nil {
			b.Fatal(err)
		}
		list, _, err := lib.Essays(context.Background(), ibid.EssayFilter{Limit: 1000})
		if err != nil {
			b.Fatal(err)
		}
		for _, e := range list {
			slugs = append(slugs, e.Slug)
		}
	})
	return lib, srv
}

// serve runs b.N requests made by path and reports latency percentiles.
func serve(b *testing.B, h http.Handler, path func(i int) string) {
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := range b.N {
		req := httptest.NewRequest("GET", path(i), nil)
		rec := httptest.NewRecorder()
		t := time.Now()
		h.ServeHTTP(rec, req)
		lat = append(lat, time.Since(t))
		if rec.Code != 200 {
			b.Fatalf("%s: status %d", req.URL, rec.Code)
		}
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(ms(lat[len(lat)/2]), "p50-ms")
	b.ReportMetric(ms(lat[len(lat)*99/100]), "p99-ms")
	b.ReportMetric(peakMB(), "peak-MB")
}

func BenchmarkEssayPage(b *testing.B) {
	_, h := library(b)
	serve(b, h, func(i int) string { return "/essays/" + slugs[i%len(slugs)] })
	b.ReportMetric(librarySize(b, "library"), "db-MB")
}

func BenchmarkSearch(b *testing.B) {
	_, h := library(b)
	g := synth.New(99)
	queries := make([]string, 1000)
	for i := range queries {
		queries[i] = strings.Join(g.Words(1+i%3), "+")
	}
	serve(b, h, func(i int) string { return "/search?q=" + queries[i%len(queries)] })
}

func BenchmarkSearchAPI(b *testing.B) {
	_, h := library(b)
	g := synth.New(99)
	queries := make([]string, 1000)
	for i := range queries {
		queries[i] = strings.Join(g.Words(1+i%3), "+")
	}
	serve(b, h, func(i int) string { return "/api/search?q=" + queries[i%len(queries)] })
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// peakMB reads the process's peak resident set size from /proc (Linux).
func peakMB() float64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			f := strings.Fields(line)
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	return 0
}
