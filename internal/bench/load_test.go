package bench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ibid-dev/ibid/internal/synth"
)

// BenchmarkLoad runs `ibid serve` as a separate process over the generated
// library (SQLite, or PostgreSQL with IBID_BENCH_POSTGRES) and drives it over loopback with 200 concurrent readers of essay
// pages and 20 concurrent checks of 2,000-word documents for
// IBID_LOAD_SECONDS (default 60). It reports p50/p99 latencies per class,
// the statuses other than 200 (429 and 503 are the server refusing work on
// purpose; anything else fails the benchmark) and the server's peak memory.
//
//	IBID_BENCH_ESSAYS=10000 go test ./internal/bench -run '^$' -bench Load -benchtime 1x
//
// IBID_LOAD_CHECK_RATE sets the server's --check-rate (default 0, no
// per-client limit, so that the checks reach the concurrency cap).
func BenchmarkLoad(b *testing.B) {
	db, _ := library(b)
	ctx := context.Background()
	seconds := 60
	if n, err := strconv.Atoi(os.Getenv("IBID_LOAD_SECONDS")); err == nil && n > 0 {
		seconds = n
	}
	rate := os.Getenv("IBID_LOAD_CHECK_RATE")
	if rate == "" {
		rate = "0"
	}

	// Check documents: new text around a passage of a library essay.
	g := synth.New(11)
	var docs [][]byte
	for i := range 40 {
		e, err := db.Essay(ctx, slugs[(i*53)%len(slugs)])
		if err != nil {
			b.Fatal(err)
		}
		own := string(g.Essay(200000+i, 1500))
		own = own[strings.Index(own, "\n---\n")+5:]
		copied := []rune(e.Text)
		copied = copied[:min(len(copied), 3000)]
		body, _ := json.Marshal(map[string]string{"text": own[:len(own)/2] + "\n\n" + string(copied) + "\n\n" + own[len(own)/2:]})
		docs = append(docs, body)
	}

	bin := filepath.Join(tmp, "ibid")
	build := exec.Command("go", "build", "-o", bin, "github.com/ibid-dev/ibid/cmd/ibid")
	if out, err := build.CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	dbArg := sqlitePath("library")
	if benchPG != "" {
		dbArg = pgDSN(b, pgSchema("library"))
	}
	srv := exec.Command(bin, "serve", "--db", dbArg, "--addr", "127.0.0.1:0", "--demo=false")
	srv.Env = append(os.Environ(), "IBID_CHECK_RATE="+rate)
	stderr, err := srv.StderrPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() {
		srv.Process.Signal(os.Interrupt)
		srv.Wait()
	}()
	urlc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if _, u, ok := strings.Cut(sc.Text(), "serving "); ok {
				urlc <- strings.TrimSpace(u)
			}
		}
	}()
	var base string
	select {
	case base = <-urlc:
	case <-time.After(60 * time.Second):
		b.Fatal("ibid serve did not start")
	}

	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 300, MaxConnsPerHost: 300}, Timeout: 60 * time.Second}
	type result struct {
		check  bool
		status int
		d      time.Duration
	}
	var (
		mu      sync.Mutex
		results []result
		errs    []error
	)
	deadline := time.Now().Add(time.Duration(seconds) * time.Second)
	worker := func(check bool, seed uint64) {
		rng := rand.New(rand.NewPCG(seed, 1))
		for time.Now().Before(deadline) {
			var req *http.Request
			if check {
				req, _ = http.NewRequest("POST", base+"/api/check", bytes.NewReader(docs[rng.IntN(len(docs))]))
				req.Header.Set("Content-Type", "application/json")
			} else {
				req, _ = http.NewRequest("GET", base+"/essays/"+slugs[rng.IntN(len(slugs))], nil)
			}
			t := time.Now()
			resp, err := client.Do(req)
			if err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
				continue
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			d := time.Since(t)
			mu.Lock()
			results = append(results, result{check, resp.StatusCode, d})
			mu.Unlock()
			if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable {
				// A refused client waits as Retry-After asks, at most a second.
				time.Sleep(time.Duration(500+rng.IntN(500)) * time.Millisecond)
			}
		}
	}
	b.ResetTimer()
	var wg sync.WaitGroup
	for i := range 200 {
		wg.Go(func() { worker(false, uint64(i)) })
	}
	for i := range 20 {
		wg.Go(func() { worker(true, uint64(1000+i)) })
	}
	wg.Wait()
	b.StopTimer()

	if len(errs) > 0 {
		b.Errorf("%d transport errors, first: %v", len(errs), errs[0])
	}
	statuses := map[string]int{}
	var pages, checks []time.Duration
	for _, r := range results {
		kind := "page"
		if r.check {
			kind = "check"
		}
		if r.status != 200 {
			statuses[fmt.Sprintf("%s-%d", kind, r.status)]++
			if r.status != http.StatusTooManyRequests && r.status != http.StatusServiceUnavailable {
				b.Errorf("%s: unexpected status %d", kind, r.status)
			}
			continue
		}
		if r.check {
			checks = append(checks, r.d)
		} else {
			pages = append(pages, r.d)
		}
	}
	report := func(name string, lat []time.Duration) {
		if len(lat) == 0 {
			b.Errorf("no successful %s requests", name)
			return
		}
		slices.Sort(lat)
		b.ReportMetric(float64(len(lat))/float64(seconds), name+"/s")
		b.ReportMetric(ms(lat[len(lat)/2]), name+"-p50-ms")
		b.ReportMetric(ms(lat[len(lat)*99/100]), name+"-p99-ms")
	}
	report("page", pages)
	report("check", checks)
	for k, n := range statuses {
		b.ReportMetric(float64(n), k)
	}
	b.ReportMetric(serverPeakMB(srv.Process.Pid), "server-peak-MB")
}

// serverPeakMB reads another process's peak resident set size (Linux).
func serverPeakMB(pid int) float64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			kb, _ := strconv.ParseFloat(strings.Fields(line)[1], 64)
			return kb / 1024
		}
	}
	return 0
}
