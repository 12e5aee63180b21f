// Command spinflags measures the spin flags (package spin) with an empty
// library: how many human texts they flag, and how many texts spun by the
// simulated spinner (internal/spinsim, Aiksaurus, not WordNet) at each
// rate. It reads the corpora from ../shared; nothing is stored.
//
//	go run ./spin/internal/spinflags                      # spin-dev, PAN13 sources, demo essays
//	go run ./spin/internal/spinflags -pan-every 1 -rates 0.3,0.5,0.7
//
// Each line: the set, the texts, how many were flagged and their share,
// the phrases found, and the mean time of one Detect.
package main

import (
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/ibid-dev/ibid/demo"
	"github.com/ibid-dev/ibid/internal/spinsim"
	"github.com/ibid-dev/ibid/spin"
)

func main() {
	shared := flag.String("shared", "../shared", "the shared folder beside the repository")
	panEvery := flag.Int("pan-every", 1, "take every Nth PAN13 source")
	rates := flag.String("rates", "0.3,0.5,0.7", "spin rates to measure, comma-separated")
	seed := flag.Uint64("seed", 1, "the spinner's seed")
	thes := flag.String("thesaurus", "", "the spinner's thesaurus (default: Aiksaurus where Debian installs it)")
	flag.Parse()
	if err := run(*shared, *panEvery, *rates, *seed, *thes); err != nil {
		fmt.Fprintln(os.Stderr, "spinflags:", err)
		os.Exit(1)
	}
}

func run(shared string, panEvery int, rateList string, seed uint64, thes string) error {
	path, err := spinsim.Locate(thes)
	if err != nil {
		return err
	}
	th, err := spinsim.Load(path)
	if err != nil {
		return err
	}
	sp := spinsim.New(th, seed)
	var rates []float64
	for _, f := range strings.Split(rateList, ",") {
		r, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil {
			return fmt.Errorf("bad rate %q", f)
		}
		rates = append(rates, r)
	}
	origs, err := read(filepath.Join(shared, "corpora/spin-dev/pairs/*-orig.txt"), 1, true)
	if err != nil {
		return err
	}
	reals, err := read(filepath.Join(shared, "corpora/spin-dev/pairs/*-spun.txt"), 1, false)
	if err != nil {
		return err
	}
	pan, err := read(filepath.Join(shared, "corpora/pan13-train/src/*.txt"), panEvery, false)
	if err != nil {
		return err
	}
	var demos []string
	err = fs.WalkDir(demo.FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(demo.FS(), p)
		demos = append(demos, string(b))
		return err
	})
	if err != nil {
		return err
	}
	report("demo essays", demos)
	report("spin-dev originals", origs)
	report("spin-dev real LLM paraphrases", reals)
	report(fmt.Sprintf("PAN13 sources (every %d)", panEvery), pan)
	for _, r := range rates {
		spun := func(ts []string) []string {
			out := make([]string, len(ts))
			for i, t := range ts {
				out[i] = sp.Spin(t, r).Text
			}
			return out
		}
		report(fmt.Sprintf("spin-dev originals spun %.0f%%", 100*r), spun(origs))
		report(fmt.Sprintf("PAN13 sources (every %d) spun %.0f%%", panEvery, 100*r), spun(pan))
	}
	return nil
}

func read(glob string, every int, dedupe bool) ([]string, error) {
	files, err := filepath.Glob(glob)
	if err != nil || len(files) == 0 {
		return nil, fmt.Errorf("no files match %s", glob)
	}
	seen := map[string]bool{}
	var out []string
	for i, f := range files {
		if i%every != 0 {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		if dedupe && seen[string(b)] {
			continue // spin-dev keeps each original under both paraphrasers
		}
		seen[string(b)] = true
		out = append(out, string(b))
	}
	return out, nil
}

func report(name string, texts []string) {
	flagged, phrases := 0, 0
	start := time.Now()
	for _, t := range texts {
		r := spin.Detect(t)
		if r.Flagged {
			flagged++
		}
		phrases += len(r.Phrases)
	}
	el := time.Since(start)
	fmt.Printf("%-40s %5d texts  %5d flagged (%5.1f%%)  %5d phrases  %6.2f ms/text\n", name, len(texts), flagged,
		100*float64(flagged)/float64(max(1, len(texts))), phrases, float64(el.Microseconds())/1000/float64(max(1, len(texts))))
}
