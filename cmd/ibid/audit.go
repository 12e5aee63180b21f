package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"sync"
	"text/tabwriter"
	"unicode/utf8"

	"github.com/ibid-dev/ibid/audit"
)

func init() {
	register(&command{
		name:    "audit",
		summary: "list the pairs of library essays where one copies or paraphrases the other",
		usage:   "[--db D] [--json] [--min 0.5]",
		run:     runAudit,
	})
}

// auditReport is `ibid audit --json`.
type auditReport struct {
	Essays     int          `json:"essays"`
	Candidates int          `json:"candidates"` // pairs aligned
	Min        float64      `json:"min"`
	Pairs      []audit.Pair `json:"pairs"`
}

func runAudit(ctx context.Context, e *env, args []string) error {
	c := commands["audit"]
	fs := newFlags(e, c)
	db := dbFlag(fs, e)
	asJSON := fs.Bool("json", false, "print the pairs as one JSON document")
	minSim := fs.Float64("min", audit.DefaultMin, "the smallest similarity (0–1) reported: the larger of the two essays' shares")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{"unexpected arguments: " + strings.Join(fs.Args(), " ")}
	}
	if !(*minSim > 0 && *minSim <= 1) {
		return usageError{"--min must be above 0 and at most 1"}
	}
	st, err := openStore(*db)
	if err != nil {
		return err
	}
	defer st.Close()
	// The bar starts once the index is read and the number of pairs to
	// align is known; workers report from several goroutines.
	var mu sync.Mutex
	var bar *progress
	stage, last := "", 0
	pairs, stats, err := audit.Library(ctx, st, audit.Options{Min: *minSim, Progress: func(s string, done, total int) {
		mu.Lock()
		defer mu.Unlock()
		if s != stage {
			if bar != nil {
				bar.Done()
			}
			label := "aligning candidate pairs"
			if s == "index" {
				label = "reading the fingerprint index (prints)"
			}
			stage, last, bar = s, 0, newProgress(e.stderr, label, total)
		}
		if done > last {
			bar.Add(done - last)
			last = done
		}
	}})
	mu.Lock()
	if bar != nil {
		bar.Done()
	}
	mu.Unlock()
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "%d essays, %d pairs sharing enough fingerprints aligned, %d at %.0f%% or more (%s)\n",
		stats.Essays, stats.Candidates, len(pairs), 100**minSim, displayDSN(*db))
	if *asJSON {
		for i := range pairs {
			p := &pairs[i]
			p.Similarity, p.A.Share, p.B.Share = round3(p.Similarity), round3(p.A.Share), round3(p.B.Share)
		}
		if pairs == nil {
			pairs = []audit.Pair{}
		}
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(auditReport{Essays: stats.Essays, Candidates: stats.Candidates, Min: *minSim, Pairs: pairs})
	}
	if len(pairs) == 0 {
		fmt.Fprintln(e.stdout, "No essay copies or paraphrases another.")
		return nil
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SIMILAR\tOLDER (A)\tNEWER (B)\tSHARE OF A\tSHARE OF B")
	for _, p := range pairs {
		fmt.Fprintf(tw, "%.0f%%\t%s\t%s\t%.0f%%\t%.0f%%\n", 100*p.Similarity, clip(p.A.Slug, 40), clip(p.B.Slug, 40), 100*p.A.Share, 100*p.B.Share)
	}
	return tw.Flush()
}

func round3(f float64) float64 { return math.Round(f*1000) / 1000 }

// clip shortens s to at most n runes, marking the cut.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}
