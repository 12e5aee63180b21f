// Command spineval measures the originality checker on simulated thesaurus
// spin: it builds a real SQLite library of a corpus's originals the way
// `ibid import` does, spins a sample of them at each rate with
// internal/spinsim, checks every spun text against the library the way
// `ibid check` does, and reports how often the true source is found, with
// what passage kinds and similarity, the false sources, and what sim_text
// -r5 finds on the same pairs. On spin-dev it also checks the corpus's real
// LLM paraphrases. See docs/spin-eval.md.
//
//	go run ./internal/spinsim/cmd/spineval -corpus spindev -n 200
//	go run ./internal/spinsim/cmd/spineval -corpus pan13 -n 200 -db /tmp/pan13.db
//	go run ./internal/spinsim/cmd/spineval -overlap
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ibid-dev/ibid"
	"github.com/ibid-dev/ibid/extract"
	"github.com/ibid-dev/ibid/ingest"
	"github.com/ibid-dev/ibid/internal/spinsim"
	"github.com/ibid-dev/ibid/originality"
	"github.com/ibid-dev/ibid/sqlite"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "spineval:", err)
		os.Exit(1)
	}
}

type config struct {
	corpus    string
	shared    string
	rates     []float64
	n         int
	lib       int
	words     int
	seed      uint64
	function  float64
	db        string
	write     string
	json      bool
	real      bool
	simText   bool
	workers   int
	thesaurus string
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("spineval", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c config
	rates := fs.String("rates", "0.3,0.5,0.7", "comma-separated shares of content words to swap")
	fs.StringVar(&c.corpus, "corpus", "spindev", "corpus: pan13 (PAN13 training sources) or spindev (spin-dev originals)")
	fs.StringVar(&c.shared, "shared", "", "the shared folder holding corpora/ (default: ../shared from the repository root)")
	fs.IntVar(&c.n, "n", 200, "originals to spin per rate (0: all)")
	fs.IntVar(&c.lib, "lib", 0, "pan13: library of this many sources, the spun ones included (0: all)")
	fs.IntVar(&c.words, "words", 0, "spin only the first this many words of each original, the rest dropped (0: whole text)")
	fs.Uint64Var(&c.seed, "seed", 1, "seed of the sample and the spinner")
	fs.Float64Var(&c.function, "function", 0, "also swap this share of the function words the spinner has a list for (\"because\" → \"since\")")
	fs.StringVar(&c.db, "db", "", "library file to use and keep (default: a temporary one); an existing one is reused")
	fs.StringVar(&c.write, "write", "", "write the spun texts to `DIR`, with DIR/manifest.jsonl naming each one's source")
	fs.BoolVar(&c.json, "json", false, "print the results as JSON")
	fs.BoolVar(&c.real, "real", true, "spindev: also check the corpus's 1,707 real LLM paraphrases")
	fs.BoolVar(&c.simText, "simtext", true, "also run sim_text -r5 on each spun text and its source, when installed")
	fs.IntVar(&c.workers, "j", runtime.GOMAXPROCS(0), "checks run at once")
	fs.StringVar(&c.thesaurus, "thesaurus", "", "thesaurus for the spinner (default: $"+spinsim.EnvThesaurus+", else "+spinsim.DefaultAiksaurus+")")
	overlap := fs.Bool("overlap", false, "instead: count the synonym pairs the spinner's thesaurus shares with WordNet and MyThes")
	if err := fs.Parse(args); err != nil {
		return err
	}
	for _, f := range strings.Split(*rates, ",") {
		r, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil || r < 0 || r > 1 {
			return fmt.Errorf("-rates: %q is not a share between 0 and 1", f)
		}
		c.rates = append(c.rates, r)
	}
	path, err := spinsim.Locate(c.thesaurus)
	if err != nil {
		return err
	}
	th, err := spinsim.Load(path)
	if err != nil {
		return err
	}
	if *overlap {
		return measureOverlap(stdout, th, path)
	}
	if c.shared == "" {
		c.shared, err = findShared()
		if err != nil {
			return err
		}
	}
	var res *results
	switch c.corpus {
	case "pan13":
		res, err = evalPAN(ctx, c, th, stderr)
	case "spindev":
		res, err = evalSpinDev(ctx, c, th, stderr)
	default:
		return fmt.Errorf("-corpus: want pan13 or spindev, not %q", c.corpus)
	}
	if err != nil {
		return err
	}
	res.Thesaurus = path
	if c.json {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	}
	res.print(stdout)
	return nil
}

// findShared finds ../shared beside the repository root.
func findShared() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			s := filepath.Join(dir, "..", "shared")
			if _, err := os.Stat(filepath.Join(s, "corpora")); err != nil {
				return "", fmt.Errorf("no corpora at %s: give -shared", s)
			}
			return s, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("not inside the repository: give -shared")
		}
		dir = parent
	}
}

// original is a library essay to spin.
type original struct {
	id   string // the corpus's name for it
	file string
	slug string
	text string
}

// library imports files into a SQLite library (a temporary one unless
// c.db names one) and returns the store and each file's essay slug. Files
// the importer refuses are left out; a duplicate maps to the essay stored
// first.
func library(ctx context.Context, c config, files []string, stderr io.Writer) (ibid.Store, map[string]string, func(), error) {
	path, cleanup := c.db, func() {}
	if path == "" {
		dir, err := os.MkdirTemp("", "spineval-")
		if err != nil {
			return nil, nil, nil, err
		}
		path, cleanup = filepath.Join(dir, "library.db"), func() { os.RemoveAll(dir) }
	}
	db, err := sqlite.Open(path)
	if err != nil {
		cleanup()
		return nil, nil, nil, err
	}
	start := time.Now()
	slugs := map[string]string{}
	var mu sync.Mutex
	sum, err := (&ingest.Importer{Store: db, Fingerprint: originality.Fingerprint}).Files(ctx, files, func(r ingest.Result) {
		if r.Essay != nil {
			mu.Lock()
			slugs[r.File] = r.Essay.Slug
			mu.Unlock()
		}
	})
	if err != nil {
		db.Close()
		cleanup()
		return nil, nil, nil, err
	}
	fmt.Fprintf(stderr, "library %s: %d imported, %d already there or duplicate, %d failed, in %.1f s\n",
		path, sum.Imported, sum.Duplicates, sum.Failed, time.Since(start).Seconds())
	// A kept library imported by an earlier build whose text extraction
	// differed holds the old copies too: they would show as false sources.
	_, total, err := db.Essays(ctx, ibid.EssayFilter{Limit: 1})
	if err != nil {
		db.Close()
		cleanup()
		return nil, nil, nil, err
	}
	if n := len(distinct(slugs)); total != n {
		fmt.Fprintf(stderr, "warning: the library holds %d essays, %d of them this corpus's: delete %s and run again\n", total, n, path)
	}
	return db, slugs, func() { db.Close(); cleanup() }, nil
}

// sample picks n items of xs (all when n is 0 or more than there are),
// by a seeded shuffle, kept in their order.
func sample[T any](xs []T, n int, seed uint64) []T {
	if n <= 0 || n >= len(xs) {
		return xs
	}
	idx := rand.New(rand.NewPCG(seed, 0x5eed)).Perm(len(xs))[:n]
	sort.Ints(idx)
	out := make([]T, n)
	for k, i := range idx {
		out[k] = xs[i]
	}
	return out
}

func evalPAN(ctx context.Context, c config, th *spinsim.Thesaurus, stderr io.Writer) (*results, error) {
	dir := filepath.Join(c.shared, "corpora", "pan13-train", "src")
	files, err := filepath.Glob(filepath.Join(dir, "*.txt"))
	if err != nil || len(files) == 0 {
		return nil, fmt.Errorf("no PAN13 sources in %s", dir)
	}
	sort.Strings(files)
	spin := sample(files, c.n, c.seed)
	libFiles := files
	if c.lib > 0 && c.lib < len(files) {
		// The spun sources and a sample of the others.
		in := map[string]bool{}
		for _, f := range spin {
			in[f] = true
		}
		var rest []string
		for _, f := range files {
			if !in[f] {
				rest = append(rest, f)
			}
		}
		libFiles = append(slices.Clone(spin), sample(rest, max(0, c.lib-len(spin)), c.seed+1)...)
	}
	st, slugs, done, err := library(ctx, c, libFiles, stderr)
	if err != nil {
		return nil, err
	}
	defer done()
	var origs []original
	for _, f := range spin {
		o, err := load(ctx, st, slugs, f, strings.TrimSuffix(filepath.Base(f), ".txt"), c.words)
		if err != nil {
			return nil, err
		}
		if o != nil {
			origs = append(origs, *o)
		}
	}
	res := &results{Corpus: "pan13", Library: len(distinct(slugs)), Seed: c.seed, Words: c.words, Function: c.function}
	if _, res.Library, err = st.Essays(ctx, ibid.EssayFilter{Limit: 1}); err != nil {
		return nil, err
	}
	return res, evalSpun(ctx, c, th, st, origs, res, stderr)
}

func distinct(m map[string]string) map[string]bool {
	out := map[string]bool{}
	for _, v := range m {
		out[v] = true
	}
	return out
}

// load reads the stored text of a file's essay, cut to words words when
// words > 0; nil when the file was not imported.
func load(ctx context.Context, st ibid.Store, slugs map[string]string, file, id string, words int) (*original, error) {
	slug, ok := slugs[file]
	if !ok {
		return nil, nil
	}
	e, err := st.Essay(ctx, slug)
	if err != nil {
		return nil, err
	}
	return &original{id: id, file: file, slug: slug, text: firstWords(e.Text, words)}, nil
}

// firstWords cuts s after its nth word (whitespace separated), keeping
// the layout before it.
func firstWords(s string, n int) string {
	if n <= 0 {
		return s
	}
	inWord, count := false, 0
	for i, r := range s {
		space := r == ' ' || r == '\n' || r == '\t' || r == '\r'
		if !space && !inWord {
			count++
			if count > n {
				return strings.TrimSpace(s[:i])
			}
		}
		inWord = !space
	}
	return s
}

func evalSpinDev(ctx context.Context, c config, th *spinsim.Thesaurus, stderr io.Writer) (*results, error) {
	dir := filepath.Join(c.shared, "corpora", "spin-dev", "pairs")
	origFiles, err := filepath.Glob(filepath.Join(dir, "*-orig.txt"))
	if err != nil || len(origFiles) == 0 {
		return nil, fmt.Errorf("no spin-dev pairs in %s", dir)
	}
	sort.Strings(origFiles)
	st, slugs, done, err := library(ctx, c, origFiles, stderr)
	if err != nil {
		return nil, err
	}
	defer done()
	// Each distinct original once (the two paraphrasers share them), under
	// the id of its first pair.
	seen := map[string]bool{}
	var uniq []string
	for _, f := range origFiles {
		if s, ok := slugs[f]; ok && !seen[s] {
			seen[s] = true
			uniq = append(uniq, f)
		}
	}
	var origs []original
	for _, f := range sample(uniq, c.n, c.seed) {
		o, err := load(ctx, st, slugs, f, strings.TrimSuffix(filepath.Base(f), "-orig.txt"), c.words)
		if err != nil {
			return nil, err
		}
		if o != nil {
			origs = append(origs, *o)
		}
	}
	res := &results{Corpus: "spindev", Library: len(seen), Seed: c.seed, Words: c.words, Function: c.function}
	if _, res.Library, err = st.Essays(ctx, ibid.EssayFilter{Limit: 1}); err != nil {
		return nil, err
	}
	if err := evalSpun(ctx, c, th, st, origs, res, stderr); err != nil {
		return nil, err
	}
	if !c.real {
		return res, nil
	}
	// The real LLM paraphrases, each checked against the library.
	var jobs []job
	for _, f := range origFiles {
		spun := strings.TrimSuffix(f, "-orig.txt") + "-spun.txt"
		data, err := os.ReadFile(spun)
		if err != nil {
			return nil, err
		}
		slug, ok := slugs[f]
		if !ok {
			continue
		}
		orig, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		jobs = append(jobs, job{id: filepath.Base(spun), slug: slug, spun: string(data), src: string(orig)})
	}
	start := time.Now()
	outs, err := checkAll(ctx, c, st, jobs, "real paraphrases", stderr)
	if err != nil {
		return nil, err
	}
	r := summarise(-1, jobs, outs)
	r.Seconds = time.Since(start).Seconds()
	res.Real = &r
	return res, nil
}

// job is one spun text to check, with its true source.
type job struct {
	id   string
	slug string
	src  string // the source's text, for sim_text
	spun string
	rate float64 // share of content words actually swapped
	// swaps made, and how many of them WordNet also calls synonyms
	swaps, wordNet int
}

// outcome is what the check of one job found.
type outcome struct {
	found      bool
	similarity float64 // the true source's, 0 when not found
	total      float64 // the report's
	kinds      map[ibid.MatchKind]int
	falseSrc   int
	simText    int  // sim_text runs of 5+ words between the spun text and its source; -1 when not run
	flagged    bool // the report's spin section flags the text as machine-paraphrased
	// pairAligned: for a miss, aligning the spun text with its source
	// alone finds a passage, so candidate retrieval lost it.
	pairAligned bool
	dur         time.Duration
}

func evalSpun(ctx context.Context, c config, th *spinsim.Thesaurus, st ibid.Store, origs []original, res *results, stderr io.Writer) error {
	sp := spinsim.New(th, c.seed)
	sp.Function = c.function
	var manifest *json.Encoder
	if c.write != "" {
		if err := os.MkdirAll(c.write, 0o755); err != nil {
			return err
		}
		f, err := os.Create(filepath.Join(c.write, "manifest.jsonl"))
		if err != nil {
			return err
		}
		defer f.Close()
		manifest = json.NewEncoder(f)
	}
	for _, rate := range c.rates {
		var jobs []job
		for _, o := range origs {
			r := sp.Spin(o.text, rate)
			j := job{id: o.id, slug: o.slug, src: o.text, spun: r.Text, rate: r.Rate(), swaps: len(r.Swaps)}
			for _, sw := range r.Swaps {
				if wordNetSynonyms(sw.From, sw.To) {
					j.wordNet++
				}
			}
			jobs = append(jobs, j)
			if manifest != nil {
				sub := fmt.Sprintf("%s-%02.0f", res.Corpus, rate*100)
				name := filepath.Join(sub, o.id+".txt")
				if err := os.MkdirAll(filepath.Join(c.write, sub), 0o755); err != nil {
					return err
				}
				if err := os.WriteFile(filepath.Join(c.write, name), []byte(r.Text+"\n"), 0o644); err != nil {
					return err
				}
				if err := manifest.Encode(manifestLine{ID: o.id, Rate: rate, File: name, Source: o.file, SourceSlug: o.slug,
					Words: c.words, Content: r.Content, Swappable: r.Swappable, Swapped: len(r.Swaps), Swaps: r.Swaps}); err != nil {
					return err
				}
			}
		}
		start := time.Now()
		outs, err := checkAll(ctx, c, st, jobs, fmt.Sprintf("rate %.2f", rate), stderr)
		if err != nil {
			return err
		}
		r := summarise(rate, jobs, outs)
		r.Seconds = time.Since(start).Seconds()
		res.Rates = append(res.Rates, r)
	}
	return nil
}

// manifestLine describes one spun text written by -write.
type manifestLine struct {
	ID         string         `json:"id"`
	Rate       float64        `json:"rate"`
	File       string         `json:"file"`        // the spun text, relative to the -write folder
	Source     string         `json:"source"`      // the original's file in the corpus
	SourceSlug string         `json:"source_slug"` // its essay in the library
	Words      int            `json:"words"`       // the original was cut to this many words (0: whole)
	Content    int            `json:"content"`
	Swappable  int            `json:"swappable"`
	Swapped    int            `json:"swapped"`
	Swaps      []spinsim.Swap `json:"swaps"`
}

// checkAll checks every job against the library, c.workers at a time.
func checkAll(ctx context.Context, c config, st ibid.Store, jobs []job, what string, stderr io.Writer) ([]outcome, error) {
	lib := originality.Library(st)
	outs := make([]outcome, len(jobs))
	next := make(chan int)
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
		doneN    int
	)
	simText, _ := exec.LookPath("sim_text")
	if !c.simText {
		simText = ""
	}
	for w := 0; w < max(1, c.workers); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				o, err := checkOne(ctx, lib, jobs[i], simText)
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = fmt.Errorf("%s: %w", jobs[i].id, err)
				}
				outs[i] = o
				doneN++
				if doneN%50 == 0 || doneN == len(jobs) {
					fmt.Fprintf(stderr, "\r%s: %d/%d checked", what, doneN, len(jobs))
				}
				mu.Unlock()
			}
		}()
	}
	for i := range jobs {
		next <- i
	}
	close(next)
	wg.Wait()
	fmt.Fprintln(stderr)
	return outs, firstErr
}

func checkOne(ctx context.Context, lib originality.Source, j job, simText string) (outcome, error) {
	o := outcome{kinds: map[ibid.MatchKind]int{}, simText: -1}
	// As `ibid check FILE.txt` reads it.
	doc, err := extract.Read(j.id+".txt", []byte(j.spun), extract.Options{MaxBytes: ibid.MaxCheckBytes})
	if err != nil {
		return o, err
	}
	start := time.Now()
	rep, err := originality.Check(ctx, doc.Text(), lib, originality.Options{MinWords: originality.DefaultMinWords})
	o.dur = time.Since(start)
	if err != nil {
		return o, err
	}
	o.total = rep.Similarity
	o.flagged = rep.Spin != nil && rep.Spin.Flagged
	for _, s := range rep.Sources {
		if s.Slug != j.slug {
			o.falseSrc++
			continue
		}
		o.found, o.similarity = true, s.Similarity
		for _, p := range s.Passages {
			o.kinds[p.Kind]++
		}
	}
	if !o.found && j.src != "" {
		o.pairAligned = len(originality.Align(doc.Text(), j.src, originality.Options{MinWords: originality.DefaultMinWords})) > 0
	}
	if simText != "" && j.src != "" {
		o.simText, err = runSimText(simText, j)
	}
	return o, err
}

// runSimText counts the runs of five or more words that sim_text finds
// between the spun text and its source.
func runSimText(bin string, j job) (int, error) {
	dir, err := os.MkdirTemp("", "spineval-simtext-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)
	spun, src := filepath.Join(dir, "spun.txt"), filepath.Join(dir, "source.txt")
	if err := os.WriteFile(spun, []byte(j.spun+"\n"), 0o644); err != nil {
		return 0, err
	}
	if err := os.WriteFile(src, []byte(j.src+"\n"), 0o644); err != nil {
		return 0, err
	}
	out, err := exec.Command(bin, "-r5", "-n", "-T", "-S", spun, "/", src).Output()
	if err != nil {
		return 0, fmt.Errorf("sim_text: %w", err)
	}
	runs := 0
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	for sc.Scan() {
		if l := sc.Text(); strings.Contains(l, "|") && strings.HasSuffix(l, "]") {
			runs++
		}
	}
	return runs, nil
}

// rateResult sums up the checks of one rate (Rate -1: the real paraphrases).
type rateResult struct {
	Rate          float64        `json:"rate"`
	SwappedMean   float64        `json:"swapped_mean"`  // share of content words actually swapped
	WordNetSwaps  float64        `json:"wordnet_swaps"` // share of the swaps that are WordNet synonyms too
	Texts         int            `json:"texts"`
	Found         int            `json:"found"`
	FoundShare    float64        `json:"found_share"`
	Paraphrased   int            `json:"found_paraphrased"` // found with at least one passage of kind paraphrased
	Kinds         map[string]int `json:"passage_kinds"`     // passages with the true source, by kind
	SimilarityP10 float64        `json:"similarity_p10"`    // the true source's similarity (0 when missed)
	SimilarityP50 float64        `json:"similarity_p50"`
	SimilarityP90 float64        `json:"similarity_p90"`
	FalseTexts    int            `json:"false_texts"`   // texts with a source other than the true one
	FalseSources  int            `json:"false_sources"` // such sources in all
	SimTextRun    int            `json:"simtext_found"` // sim_text -r5 reports a run with the source (-1: not run)
	Flagged       int            `json:"spin_flagged"`  // texts the report's spin section flags (it needs no library)
	CheckP50ms    float64        `json:"check_p50_ms"`
	Seconds       float64        `json:"seconds"`
	// MissedAligned are the misses that aligning the spun text with its
	// source alone does find: lost by candidate retrieval, not alignment.
	MissedAligned int      `json:"missed_pair_aligned"`
	Missed        []string `json:"missed,omitempty"`
}

func summarise(rate float64, jobs []job, outs []outcome) rateResult {
	r := rateResult{Rate: rate, Texts: len(jobs), Kinds: map[string]int{}, SimTextRun: -1}
	var sims []float64
	var durs []time.Duration
	swaps, wn := 0, 0
	for i, o := range outs {
		r.SwappedMean += jobs[i].rate
		swaps += jobs[i].swaps
		wn += jobs[i].wordNet
		if o.found {
			r.Found++
			if o.kinds[ibid.Paraphrased] > 0 {
				r.Paraphrased++
			}
		} else {
			r.Missed = append(r.Missed, jobs[i].id)
			if o.pairAligned {
				r.MissedAligned++
			}
		}
		for k, n := range o.kinds {
			r.Kinds[string(k)] += n
		}
		sims = append(sims, o.similarity)
		durs = append(durs, o.dur)
		if o.flagged {
			r.Flagged++
		}
		if o.falseSrc > 0 {
			r.FalseTexts++
			r.FalseSources += o.falseSrc
		}
		if o.simText >= 0 {
			r.SimTextRun = max(r.SimTextRun, 0)
			if o.simText > 0 {
				r.SimTextRun++
			}
		}
	}
	if len(jobs) > 0 {
		r.SwappedMean /= float64(len(jobs))
		r.WordNetSwaps = math.Round(1000*float64(wn)/float64(max(1, swaps))) / 1000
		r.FoundShare = float64(r.Found) / float64(len(jobs))
		slices.Sort(sims)
		slices.Sort(durs)
		q := func(p float64) float64 { return math.Round(sims[int(p*float64(len(sims)-1))]*1000) / 1000 }
		r.SimilarityP10, r.SimilarityP50, r.SimilarityP90 = q(0.1), q(0.5), q(0.9)
		r.CheckP50ms = float64(durs[len(durs)/2].Microseconds()) / 1000
	}
	return r
}

// results are the figures of one run.
type results struct {
	Corpus    string       `json:"corpus"`
	Thesaurus string       `json:"thesaurus"`
	Library   int          `json:"library_essays"`
	Seed      uint64       `json:"seed"`
	Words     int          `json:"words"`    // originals cut to this many words (0: whole)
	Function  float64      `json:"function"` // share of listed function words swapped too
	Rates     []rateResult `json:"rates"`
	Real      *rateResult  `json:"real_paraphrases,omitempty"`
}

func (res *results) print(w io.Writer) {
	cut := "whole texts"
	if res.Words > 0 {
		cut = fmt.Sprintf("first %d words", res.Words)
	}
	if res.Function > 0 {
		cut += fmt.Sprintf(", %.0f%% of listed function words swapped too", 100*res.Function)
	}
	fmt.Fprintf(w, "corpus %s, library of %d essays, seed %d, %s, thesaurus %s\n\n", res.Corpus, res.Library, res.Seed, cut, res.Thesaurus)
	fmt.Fprintf(w, "%-8s %7s %7s %6s %14s %12s %-22s %19s %11s %13s %13s %8s %7s\n",
		"rate", "swapped", "WN-syn", "texts", "found", "paraphrased", "kinds (id/minor/para)", "sim p10/p50/p90", "false t/s", "sim_text -r5", "spin flagged", "p50 ms", "secs")
	row := func(name string, r rateResult) {
		st := "-"
		if r.SimTextRun >= 0 {
			st = fmt.Sprintf("%d (%.1f%%)", r.SimTextRun, 100*float64(r.SimTextRun)/float64(max(1, r.Texts)))
		}
		swapped, wn := "-", "-"
		if r.Rate >= 0 {
			swapped, wn = fmt.Sprintf("%.3f", r.SwappedMean), fmt.Sprintf("%.3f", r.WordNetSwaps)
		}
		fmt.Fprintf(w, "%-8s %7s %7s %6d %6d (%5.1f%%) %12d %-22s %19s %11s %13s %13s %8.1f %7.1f\n",
			name, swapped, wn, r.Texts, r.Found, 100*r.FoundShare, r.Paraphrased,
			fmt.Sprintf("%d/%d/%d", r.Kinds[string(ibid.Identical)], r.Kinds[string(ibid.MinorChanges)], r.Kinds[string(ibid.Paraphrased)]),
			fmt.Sprintf("%.2f/%.2f/%.2f", r.SimilarityP10, r.SimilarityP50, r.SimilarityP90),
			fmt.Sprintf("%d/%d", r.FalseTexts, r.FalseSources), st,
			fmt.Sprintf("%d (%.1f%%)", r.Flagged, 100*float64(r.Flagged)/float64(max(1, r.Texts))), r.CheckP50ms, r.Seconds)
	}
	for _, r := range res.Rates {
		row(fmt.Sprintf("%.2f", r.Rate), r)
	}
	if res.Real != nil {
		row("real", *res.Real)
	}
	for _, r := range append(res.Rates, ptrs(res.Real)...) {
		if len(r.Missed) > 0 {
			name := fmt.Sprintf("%.2f", r.Rate)
			if r.Rate < 0 {
				name = "real"
			}
			m := r.Missed
			more := ""
			if len(m) > 20 {
				m, more = m[:20], fmt.Sprintf(" … and %d more", len(r.Missed)-20)
			}
			fmt.Fprintf(w, "\nmissed at %s (%d of %d found by aligning with the source alone: lost in candidate retrieval): %s%s",
				name, r.MissedAligned, len(r.Missed), strings.Join(m, " "), more)
		}
	}
	fmt.Fprintln(w)
}

func ptrs(r *rateResult) []rateResult {
	if r == nil {
		return nil
	}
	return []rateResult{*r}
}
