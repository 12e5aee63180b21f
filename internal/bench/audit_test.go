package bench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/ibid-dev/ibid"
	"github.com/ibid-dev/ibid/audit"
	"github.com/ibid-dev/ibid/ingest"
	"github.com/ibid-dev/ibid/internal/synth"
	"github.com/ibid-dev/ibid/originality"
)

// planted is a copy planted in the audit library: essay copy (by file
// index) derives from essay source in the given way.
type planted struct {
	source, copy int
	kind         string
}

// plantKinds are the ways a planted essay derives from its source, each
// expected to be found at a similarity of at least 0.5.
var plantKinds = []string{
	"copy",      // the source word for word, one new paragraph added
	"light",     // 10 % of the content words replaced
	"reworded",  // 30 % of the content words replaced
	"part-copy", // two thirds of the source, then new text
}

var (
	auditOnce  sync.Once
	auditFiles []string
	auditPlant []planted
)

// auditCorpus writes size() essays for the audit benchmark: generated
// essays as for the other benchmarks, except that one in every 100 derives
// from an earlier essay (see plantKinds).
func auditCorpus(b *testing.B) ([]string, []planted) {
	auditOnce.Do(func() {
		g := synth.New(5)
		dir := filepath.Join(tmp, "audit-essays")
		os.MkdirAll(dir, 0o755)
		var texts [][]byte
		for i := range size() {
			var data []byte
			if i%100 == 99 {
				src := i - 1 - g.Length()%90
				kind := plantKinds[(i/100)%len(plantKinds)]
				data = derive(g, texts[src], i, kind)
				auditPlant = append(auditPlant, planted{src, i, kind})
			} else {
				data = g.Essay(i, g.Length())
			}
			texts = append(texts, data)
			p := filepath.Join(dir, fmt.Sprintf("essay-%06d.md", i))
			if err := os.WriteFile(p, data, 0o644); err != nil {
				panic(err)
			}
			auditFiles = append(auditFiles, p)
		}
	})
	return auditFiles, auditPlant
}

// derive makes essay i from src in the way kind says.
func derive(g *synth.Generator, src []byte, i int, kind string) []byte {
	s := string(src)
	end := strings.Index(s, "\n---\n") + 5
	front, body := s[:end], s[end:]
	front = strings.Replace(front, "title: ", fmt.Sprintf("title: Derived %d ", i), 1)
	fresh := string(g.Essay(i, 300))
	fresh = fresh[strings.Index(fresh, "\n---\n")+5:]
	switch kind {
	case "copy":
		body += "\n\n" + fresh[:strings.Index(fresh+"\n\n", "\n\n")]
	case "light":
		body = g.Reword(body, 0.1)
	case "reworded":
		body = g.Reword(body, 0.3)
	case "part-copy":
		paras := strings.Split(body, "\n\n")
		body = strings.Join(paras[:len(paras)*2/3], "\n\n") + "\n\n" + fresh
	}
	return []byte(front + body)
}

// auditLibrary imports the audit corpus once (kept like the other
// libraries when IBID_BENCH_DIR or IBID_BENCH_POSTGRES is set).
func auditLibrary(b *testing.B) (ibid.Store, []planted) {
	files, plant := auditCorpus(b)
	db := openLibrary(b, "audit", false)
	_, n, err := db.Essays(context.Background(), ibid.EssayFilter{Limit: 1})
	if err != nil {
		b.Fatal(err)
	}
	if n != size() {
		db.Close()
		db = openLibrary(b, "audit", true)
		im := &ingest.Importer{Store: db, Fingerprint: originality.Fingerprint}
		sum, err := im.Files(context.Background(), files, nil)
		if err != nil || sum.Failed > 0 || sum.Imported != size() {
			b.Fatalf("import: %+v %v", sum, err)
		}
	}
	return db, plant
}

// BenchmarkAudit audits a library of IBID_BENCH_ESSAYS generated essays of
// which one in 100 derives from an earlier one, and reports the time, the
// candidate pairs aligned, how many planted pairs were found (per kind in
// the log) and the pairs found that were not planted.
func BenchmarkAudit(b *testing.B) {
	db, plant := auditLibrary(b)
	defer db.Close()
	// File i is essay ID i+1: the library was imported in file order.
	want := map[[2]int64]string{}
	for _, p := range plant {
		want[[2]int64{int64(p.source + 1), int64(p.copy + 1)}] = p.kind
	}
	b.ResetTimer()
	var pairs []audit.Pair
	var stats audit.Stats
	for range b.N {
		var err error
		pairs, stats, err = audit.Library(context.Background(), db, audit.Options{})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	found := map[string]int{}
	extra := 0
	for _, p := range pairs {
		if kind, ok := want[[2]int64{p.A.ID, p.B.ID}]; ok {
			found[kind]++
		} else {
			extra++
		}
	}
	total := 0
	for _, k := range plantKinds {
		total += found[k]
		b.Logf("%s: %d found", k, found[k])
	}
	b.ReportMetric(float64(total), "found")
	b.ReportMetric(float64(len(plant)), "planted")
	b.ReportMetric(float64(extra), "unplanted")
	b.ReportMetric(float64(stats.Candidates), "candidates")
	b.ReportMetric(float64(stats.Prints), "postings")
	b.ReportMetric(peakMB(), "peak-MB")
}
