package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ibid-dev/ibid"
	"github.com/ibid-dev/ibid/ingest"
	"github.com/ibid-dev/ibid/internal/synth"
	"github.com/ibid-dev/ibid/originality"
	"github.com/ibid-dev/ibid/sqlite"
	"github.com/ibid-dev/ibid/text"
	"github.com/ibid-dev/ibid/web"
)

// pan is the PAN 2013 training corpus beside the project, when present.
const pan = "../../../shared/corpora/pan13-train"

func panDir(b *testing.B, sub string) string {
	dir := filepath.Join(pan, sub)
	if _, err := os.Stat(dir); err != nil {
		b.Skipf("the PAN13 corpus is not at %s", pan)
	}
	return dir
}

// BenchmarkIndexPAN imports the 3,230 PAN source documents into a fresh
// SQLite library with their fingerprints, as `ibid import` does, and
// reports the time per run and the size of the library on disk.
func BenchmarkIndexPAN(b *testing.B) {
	files, err := ingest.Collect([]string{panDir(b, "src")})
	if err != nil {
		b.Fatal(err)
	}
	var size float64
	imported := 0
	for i := range b.N {
		path := filepath.Join(tmp, "pan-index-"+string(rune('a'+i%26))+".db")
		db, err := sqlite.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		// A few PAN files are mostly control bytes; the importer refuses
		// them as binary, as it should.
		sum, err := (&ingest.Importer{Store: db, Fingerprint: originality.Fingerprint}).Files(context.Background(), files, nil)
		if err != nil || sum.Failed > 20 {
			b.Fatalf("import: %+v %v", sum, err)
		}
		db.Close()
		size = dbSize(path)
		imported = sum.Imported
	}
	b.ReportMetric(float64(imported), "imported")
	b.ReportMetric(size, "db-MB")
	b.ReportMetric(peakMB(), "peak-MB")
}

func dbSize(path string) float64 {
	var n int64
	for _, suffix := range []string{"", "-wal"} {
		if info, err := os.Stat(path + suffix); err == nil {
			n += info.Size()
		}
	}
	return float64(n) / 1e6
}

var (
	panOnce sync.Once
	panURL  string
	panDocs [][]byte // request bodies: 4,000-word texts
)

// panServer is a running server (on loopback) over a library of the PAN
// source documents, and the suspicious documents cut to 4,000 words.
func panServer(b *testing.B) {
	src, susp := panDir(b, "src"), panDir(b, "susp")
	panOnce.Do(func() {
		path := filepath.Join(tmp, "pan.db")
		db, err := sqlite.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		files, _ := ingest.Collect([]string{src})
		if _, err := (&ingest.Importer{Store: db, Fingerprint: originality.Fingerprint}).Files(context.Background(), files, nil); err != nil {
			b.Fatal(err)
		}
		lib := originality.Library(db)
		h, err := web.New(db, web.Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
			Checker: func(ctx context.Context, txt string, opt originality.Options) (*ibid.Report, error) {
				return originality.Check(ctx, txt, lib, opt)
			}})
		if err != nil {
			b.Fatal(err)
		}
		panURL = httptest.NewServer(h).URL
		for _, t := range panTexts(susp, 200) {
			body, _ := json.Marshal(map[string]string{"text": t})
			panDocs = append(panDocs, body)
		}
	})
}

// panTexts returns the first n suspicious documents of dir that have 4,000
// words or more, each cut after its 4,000th word.
func panTexts(dir string, n int) []string {
	var out []string
	names, _ := filepath.Glob(filepath.Join(dir, "*.txt"))
	for _, name := range names {
		data, _ := os.ReadFile(name)
		toks := text.Tokens(string(data))
		if len(toks) < 4000 {
			continue
		}
		r := []rune(string(data))
		out = append(out, string(r[:toks[3999].Offset+toks[3999].Length]))
		if len(out) == n {
			break
		}
	}
	return out
}

// BenchmarkCheckCPU calls originality.Check in-process (no HTTP) on 60
// 4,000-word PAN13 documents against a SQLite library of the PAN source
// documents, after one warm-up pass that fills the cache of prepared
// sources, and reports the CPU time (user+sys of the whole process, from
// getrusage) per check beside the wall time: on a shared machine the CPU
// figure is the steadier one. Run it with -cpu 1 for one core's cost.
// IBID_BENCH_PAN_DB names a library made beforehand (`ibid import --db
// FILE ../shared/corpora/pan13-train/src`), which saves the import;
// IBID_BENCH_REPORTS names a file to write every report to, as JSON, so that
// two versions of the checker can be compared report for report.
func BenchmarkCheckCPU(b *testing.B) {
	src, susp := panDir(b, "src"), panDir(b, "susp")
	var db ibid.Store
	var err error
	if path := os.Getenv("IBID_BENCH_PAN_DB"); path != "" {
		db, err = sqlite.Open(path)
		if err != nil {
			b.Fatal(err)
		}
	} else {
		db, err = sqlite.Open(filepath.Join(tmp, "pan-cpu.db"))
		if err != nil {
			b.Fatal(err)
		}
		files, _ := ingest.Collect([]string{src})
		if _, err := (&ingest.Importer{Store: db, Fingerprint: originality.Fingerprint}).Files(context.Background(), files, nil); err != nil {
			b.Fatal(err)
		}
	}
	defer db.Close()
	docs := panTexts(susp, 60)
	if len(docs) == 0 {
		b.Skip("no suspicious document of 4,000 words")
	}
	lib := originality.Library(db)
	ctx := context.Background()
	check := func(d string) *ibid.Report {
		rep, err := originality.Check(ctx, d, lib, originality.Options{})
		if err != nil {
			b.Fatal(err)
		}
		return rep
	}
	var reports []*ibid.Report
	for _, d := range docs {
		reports = append(reports, check(d))
	}
	if path := os.Getenv("IBID_BENCH_REPORTS"); path != "" {
		data, err := json.MarshalIndent(reports, "", " ")
		if err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	runtime.GC()
	cpu0 := cpuTime()
	b.ResetTimer()
	for i := range b.N {
		check(docs[i%len(docs)])
	}
	b.StopTimer()
	b.ReportMetric(ms(cpuTime()-cpu0)/float64(b.N), "cpu-ms/check")
	b.ReportMetric(peakMB(), "peak-MB")
}

// cpuTime is the user and system CPU time of the process so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkCheckPAN posts 4,000-word documents to /api/check of a running
// server whose library is the PAN source documents, one at a time, and
// reports latency percentiles and the library's size on disk.
func BenchmarkCheckPAN(b *testing.B) {
	panServer(b)
	if len(panDocs) == 0 {
		b.Skip("no suspicious document of 4,000 words")
	}
	// A running server has seen its library's essays before: warm its cache
	// of prepared source texts with one pass over the documents.
	for _, d := range panDocs {
		resp, err := http.Post(panURL+"/api/check", "application/json", bytes.NewReader(d))
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	lat := make([]time.Duration, 0, b.N)
	found := 0
	b.ResetTimer()
	for i := range b.N {
		t := time.Now()
		resp, err := http.Post(panURL+"/api/check", "application/json", bytes.NewReader(panDocs[i%len(panDocs)]))
		if err != nil {
			b.Fatal(err)
		}
		var rep ibid.Report
		err = json.NewDecoder(resp.Body).Decode(&rep)
		resp.Body.Close()
		lat = append(lat, time.Since(t))
		if err != nil || resp.StatusCode != 200 {
			b.Fatalf("status %d: %v", resp.StatusCode, err)
		}
		if len(rep.Sources) > 0 {
			found++
		}
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(ms(lat[len(lat)/2]), "p50-ms")
	b.ReportMetric(ms(lat[len(lat)*99/100]), "p99-ms")
	b.ReportMetric(float64(found)/float64(b.N), "with-sources")
	b.ReportMetric(dbSize(filepath.Join(tmp, "pan.db")), "db-MB")
	b.ReportMetric(peakMB(), "peak-MB")
}

// BenchmarkCheckLibrary checks 4,000-word documents, each made of new text
// with passages copied from generated essays, against the generated library
// of IBID_BENCH_ESSAYS essays (the one the page benchmarks use), through
// /api/check of a running server. Run with IBID_BENCH_ESSAYS=100000 for the
// large-library figure.
func BenchmarkCheckLibrary(b *testing.B) {
	db, _ := library(b)
	lib := originality.Library(db)
	h, err := web.New(db, web.Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Checker: func(ctx context.Context, txt string, opt originality.Options) (*ibid.Report, error) {
			return originality.Check(ctx, txt, lib, opt)
		}})
	if err != nil {
		b.Fatal(err)
	}
	ts := httptest.NewServer(h)
	defer ts.Close()
	g := synth.New(7)
	var docs [][]byte
	for i := range 50 {
		e, err := db.Essay(context.Background(), slugs[(i*37)%len(slugs)])
		if err != nil {
			b.Fatal(err)
		}
		own := string(g.Essay(100000+i, 3600))
		own = own[strings.Index(own, "\n---\n")+5:]
		copied := []rune(e.Text)
		copied = copied[:min(len(copied), 2500)]
		body, _ := json.Marshal(map[string]string{"text": own[:len(own)/2] + "\n\n" + string(copied) + "\n\n" + own[len(own)/2:]})
		docs = append(docs, body)
	}
	lat := make([]time.Duration, 0, b.N)
	found := 0
	b.ResetTimer()
	for i := range b.N {
		t := time.Now()
		resp, err := http.Post(ts.URL+"/api/check", "application/json", bytes.NewReader(docs[i%len(docs)]))
		if err != nil {
			b.Fatal(err)
		}
		var rep ibid.Report
		err = json.NewDecoder(resp.Body).Decode(&rep)
		resp.Body.Close()
		lat = append(lat, time.Since(t))
		if err != nil || resp.StatusCode != 200 {
			b.Fatalf("status %d: %v", resp.StatusCode, err)
		}
		if len(rep.Sources) > 0 && rep.Sources[0].Slug == slugs[(i%len(docs)*37)%len(slugs)] {
			found++
		}
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(ms(lat[len(lat)/2]), "p50-ms")
	b.ReportMetric(ms(lat[len(lat)*99/100]), "p99-ms")
	b.ReportMetric(float64(found)/float64(b.N), "source-found")
	b.ReportMetric(dbSize(filepath.Join(tmp, "library.db")), "db-MB")
	b.ReportMetric(peakMB(), "peak-MB")
}
