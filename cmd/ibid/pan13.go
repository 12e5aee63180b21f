package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/ibid-dev/ibid/originality"
	"github.com/ibid-dev/ibid/pan"
)

func init() {
	register(&command{
		name:    "pan13",
		summary: "evaluate the originality engine on a PAN text-alignment corpus",
		usage:   "CORPUS [--out DIR] [--score DIR] [--every N]",
		run:     runPAN13,
	})
}

func runPAN13(ctx context.Context, e *env, args []string) error {
	c := commands["pan13"]
	fs := newFlags(e, c)
	out := fs.String("out", "", "align every pair and write one detection XML per pair to `DIR`")
	score := fs.String("score", "", "score the detections in `DIR` against the corpus truth")
	every := fs.Int("every", 1, "use only every `N`th pair of each sub-corpus (for quick runs)")
	// The corpus comes first on the command line, flags after it: take the
	// positional arguments out wherever they stand.
	var pos []string
	for len(args) > 0 {
		if err := parseFlags(fs, args); err != nil {
			return err
		}
		args = fs.Args()
		if len(args) > 0 {
			pos = append(pos, args[0])
			args = args[1:]
		}
	}
	if len(pos) != 1 {
		return usageError{"want one corpus directory"}
	}
	if *out == "" && *score == "" {
		return usageError{"want --out DIR, --score DIR or both"}
	}
	if *every < 1 {
		return usageError{"--every must be at least 1"}
	}
	corpus, err := pan.Open(pos[0])
	if err != nil {
		return err
	}
	if *every > 1 {
		for k := range corpus.SubCorpora {
			s := &corpus.SubCorpora[k]
			var keep []pan.Pair
			for i := 0; i < len(s.Pairs); i += *every {
				keep = append(keep, s.Pairs[i])
			}
			s.Pairs = keep
		}
	}
	if *out != "" {
		if err := alignCorpus(ctx, e, corpus, *out); err != nil {
			return err
		}
	}
	if *score != "" {
		return scoreCorpus(e.stdout, corpus, *score)
	}
	return nil
}

// alignCorpus aligns every pair of the corpus in parallel and writes the
// detections, one XML per pair.
func alignCorpus(ctx context.Context, e *env, corpus *pan.Corpus, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var pairs []pan.Pair
	for _, s := range corpus.SubCorpora {
		pairs = append(pairs, s.Pairs...)
	}
	texts := &textCache{m: make(map[string]*cachedText)}
	prog := newProgress(e.stderr, "aligning", len(pairs))
	start := time.Now()
	jobs := make(chan pan.Pair)
	var (
		wg       sync.WaitGroup
		errOnce  sync.Once
		firstErr error
	)
	fail := func(err error) { errOnce.Do(func() { firstErr = err }) }
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := range jobs {
				if err := alignPair(corpus, texts, p, dir); err != nil {
					fail(err)
				}
				prog.Add(1)
			}
		}()
	}
feed:
	for _, p := range pairs {
		select {
		case <-ctx.Done():
			fail(ctx.Err())
			break feed
		case jobs <- p:
		}
	}
	close(jobs)
	wg.Wait()
	prog.Done()
	if firstErr != nil {
		return firstErr
	}
	fmt.Fprintf(e.stderr, "aligned %d pairs in %.1fs on %d cores\n", len(pairs), time.Since(start).Seconds(), runtime.GOMAXPROCS(0))
	return nil
}

func alignPair(corpus *pan.Corpus, texts *textCache, p pan.Pair, dir string) error {
	sub, err := texts.get(corpus.SuspPath(p.Susp))
	if err != nil {
		return err
	}
	src, err := texts.get(corpus.SrcPath(p.Src))
	if err != nil {
		return err
	}
	var dets []pan.Case
	for _, a := range originality.AlignTexts(sub, src, originality.Options{}) {
		dets = append(dets, pan.Case{
			Susp: p.Susp, Src: p.Src,
			SuspOffset: a.Submitted.Offset, SuspLength: a.Submitted.Length,
			SrcOffset: a.Source.Offset, SrcLength: a.Source.Length,
		})
	}
	f, err := os.Create(filepath.Join(dir, p.Name()))
	if err != nil {
		return err
	}
	if err := pan.WriteDetections(f, p, dets); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// textCache prepares each document once: a suspicious document takes part
// in several pairs.
type textCache struct {
	mu sync.Mutex
	m  map[string]*cachedText
}

type cachedText struct {
	once sync.Once
	t    *originality.Text
	err  error
}

func (c *textCache) get(path string) (*originality.Text, error) {
	c.mu.Lock()
	ct, ok := c.m[path]
	if !ok {
		ct = &cachedText{}
		c.m[path] = ct
	}
	c.mu.Unlock()
	ct.once.Do(func() {
		s, err := pan.ReadText(path)
		if err != nil {
			ct.err = err
			return
		}
		ct.t = originality.Prepare(s, originality.Options{})
	})
	return ct.t, ct.err
}

// scoreCorpus prints the PAN measures per sub-corpus and overall.
func scoreCorpus(w io.Writer, corpus *pan.Corpus, dir string) error {
	var allCases, allDets []pan.Case
	fmt.Fprintf(w, "%-28s %6s %6s %8s %8s %9s %11s\n", "sub-corpus", "cases", "dets", "plagdet", "recall", "precision", "granularity")
	row := func(name string, s pan.Scores) {
		fmt.Fprintf(w, "%-28s %6d %6d %8.4f %8.4f %9.4f %11.4f\n", name, s.Cases, s.Detections, s.Plagdet, s.Recall, s.Precision, s.Granularity)
	}
	for _, s := range corpus.SubCorpora {
		cases, err := s.Truth()
		if err != nil {
			return err
		}
		var dets []pan.Case
		for _, p := range s.Pairs {
			ds, err := pan.ReadCasesFile(filepath.Join(dir, p.Name()))
			if os.IsNotExist(err) {
				continue // no file: no detections for the pair
			}
			if err != nil {
				return err
			}
			for i := range ds {
				ds[i].Src = p.Src
			}
			dets = append(dets, ds...)
		}
		row(s.Name, pan.Score(cases, dets))
		allCases = append(allCases, cases...)
		allDets = append(allDets, dets...)
	}
	row("overall", pan.Score(allCases, allDets))
	return nil
}
