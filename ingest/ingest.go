// Package ingest turns files into stored essays: it walks paths, extracts
// each file, computes counts, the content hash and fingerprints, and stores
// the essay in one transaction. Extraction and fingerprinting run in
// parallel; the store sees one essay at a time, so a crash leaves every essay
// either complete or absent.
package ingest

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ibid-dev/ibid"
	"github.com/ibid-dev/ibid/audit"
	"github.com/ibid-dev/ibid/extract"
	"github.com/ibid-dev/ibid/text"
)

// Importer imports files into a store.
type Importer struct {
	Store ibid.Store
	// Fingerprint computes the originality fingerprints of a canonical text;
	// nil stores none.
	Fingerprint func(text string) []ibid.Print
	// Limits bound the work spent on each file.
	Limits extract.Options
	// Workers is the number of files extracted at once; 0 means GOMAXPROCS.
	Workers int
	// BatchSize is the number of essays stored in one transaction when the
	// store is an ibid.BatchCreator; 0 means up to 1,000: each batch is a
	// run of the print index, and runs 5× larger than 200 essays spare the
	// merges a level (20,000 essays: 8 CPU s of 91 less) for about 400 MB
	// more memory at the peak (three batches in flight and the read-ahead).
	BatchSize int
	// SimilarMin, when above 0, screens each new essay before it is
	// stored against the library and the earlier essays of the same
	// import (audit.Screen): the essays it copies or paraphrases, or that
	// copy it, with at least this similarity are reported in
	// Result.Similar. It needs Fingerprint.
	SimilarMin float64
	// RejectSimilar refuses such an essay instead of storing it: its
	// result is Rejected, with an ECONFLICT error naming the essay.
	RejectSimilar bool
	// MaxWords and MaxBytes bound an essay's canonical text: a longer one
	// is refused with ETOOLARGE before it is fingerprinted or stored.
	// 0 means ibid.DefaultMaxEssayWords and ibid.DefaultMaxEssayBytes,
	// negative means no bound.
	MaxWords, MaxBytes int
	// Defaults are the author, subject, topics, date and licence of every
	// essay of the run (ibid import --author …): they fill what a file's
	// own metadata leaves empty, or, with Override, replace it. Title and
	// blocks are ignored.
	Defaults ibid.Document
	Override bool
}

// applyDefaults sets doc's metadata from the run's defaults.
func (im *Importer) applyDefaults(doc *ibid.Document) {
	d := im.Defaults
	set := func(dst *string, v string) {
		if v != "" && (im.Override || *dst == "") {
			*dst = v
		}
	}
	set(&doc.Author, d.Author)
	set(&doc.Subject, d.Subject)
	set(&doc.License, d.License)
	if len(d.Topics) > 0 && (im.Override || len(doc.Topics) == 0) {
		doc.Topics = append([]string(nil), d.Topics...)
	}
	if !d.Published.IsZero() && (im.Override || doc.Published.IsZero()) {
		doc.Published = d.Published
	}
}

// thousands writes n with thousands separators: "200,000".
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// megabytes writes a size in MB (MiB) with one decimal when it has one:
// "5 MB", "48.6 MB"; smaller sizes in KB or bytes.
func megabytes(n int) string {
	switch {
	case n >= 1<<20:
		return strings.TrimSuffix(strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64), ".0") + " MB"
	case n >= 1<<10:
		return strconv.Itoa(n>>10) + " KB"
	}
	return strconv.Itoa(n) + " bytes"
}

// extractOptions are im.Limits with the essay's word bound as the
// extraction's word budget, unless the limits have one of their own.
func (im *Importer) extractOptions() extract.Options {
	opt := im.Limits
	if opt.MaxWords == 0 {
		opt.MaxWords = im.MaxWords
		if opt.MaxWords == 0 {
			opt.MaxWords = ibid.DefaultMaxEssayWords
		}
	}
	return opt
}

// checkSize refuses an essay over the importer's bounds.
func (im *Importer) checkSize(e *ibid.Essay) error {
	maxWords, maxBytes := im.MaxWords, im.MaxBytes
	if maxWords == 0 {
		maxWords = ibid.DefaultMaxEssayWords
	}
	if maxBytes == 0 {
		maxBytes = ibid.DefaultMaxEssayBytes
	}
	if maxBytes > 0 && len(e.Text) > maxBytes {
		return ibid.Errorf(ibid.ETOOLARGE, "The essay's text is %s; the library takes essays of at most %s.", megabytes(len(e.Text)), megabytes(maxBytes))
	}
	if maxWords > 0 && e.Words > maxWords {
		return ibid.Errorf(ibid.ETOOLARGE, "The essay has %s words; the library takes essays of at most %s words.", thousands(e.Words), thousands(maxWords))
	}
	return nil
}

// Status is the outcome of importing one file.
type Status int

// Statuses.
const (
	Imported Status = iota
	Duplicate
	Failed
	Rejected // similar to an essay of the library, with RejectSimilar
)

// Result is what happened to one file.
type Result struct {
	File   string
	Status Status
	Essay  *ibid.Essay // the stored essay (the existing one for a duplicate); nil when failed
	Err    error       // why it failed or was rejected
	// Similar are the library essays the essay copies or paraphrases, or
	// that copy it (see Importer.SimilarMin), most similar first.
	Similar []ibid.SimilarEssay
}

// Summary counts the results of a bulk import.
type Summary struct {
	Imported, Duplicates, Failed, Rejected int
	Similar                                int   // imported essays with a Similar essay
	Words                                  int64 // words of the imported essays
	Bytes                                  int64 // bytes read from imported files
}

// NewEssay builds the essay of an extracted document: its canonical text,
// word count and content hash.
func NewEssay(doc *ibid.Document, source string) *ibid.Essay {
	e := &ibid.Essay{
		Title:     doc.Title,
		Author:    doc.Author,
		Subject:   doc.Subject,
		Topics:    doc.Topics,
		Published: doc.Published,
		License:   doc.License,
		Source:    source,
		Blocks:    doc.Blocks,
	}
	e.Text = ibid.CanonicalText(e.Blocks)
	e.Words = text.Words(e.Text)
	e.Hash = ibid.ContentHash(e.Text)
	return e
}

// Document stores an extracted document. A document whose text is already in
// the library gives the stored essay and an ECONFLICT error.
func (im *Importer) Document(ctx context.Context, doc *ibid.Document, source string) (*ibid.Essay, error) {
	r, err := im.Add(ctx, doc, source)
	return r.Essay, err
}

// Add is Document with the whole result: the essays the new one is similar
// to (see SimilarMin) as well. A document refused by RejectSimilar gives a
// Rejected result, no essay, and its ECONFLICT error.
func (im *Importer) Add(ctx context.Context, doc *ibid.Document, source string) (Result, error) {
	e := NewEssay(doc, source)
	r := Result{File: source, Status: Failed}
	if err := im.checkSize(e); err != nil {
		r.Err = err
		return r, err
	}
	if im.Fingerprint != nil {
		e.Prints = im.Fingerprint(e.Text)
	}
	if old, err := im.Store.EssayByHash(ctx, e.Hash); err == nil {
		r.Status, r.Essay, r.Err = Duplicate, old, &ibid.Error{Code: ibid.ECONFLICT, Message: fmt.Sprintf("already in the library as %q", old.Slug)}
		return r, r.Err
	}
	if im.SimilarMin > 0 {
		found, err := audit.Screen(ctx, im.Store, []*ibid.Essay{e}, im.SimilarMin, im.RejectSimilar)
		if err != nil {
			r.Err = err
			return r, err
		}
		r.Similar = resolve(found[0], nil)
		if im.RejectSimilar && len(r.Similar) > 0 {
			r.Status, r.Err = Rejected, rejection(r.Similar)
			return r, r.Err
		}
	}
	stored, err := im.store(ctx, e)
	r.Essay, r.Err = stored, err
	switch {
	case err == nil:
		r.Status = Imported
	case ibid.ErrorCode(err) == ibid.ECONFLICT:
		r.Status, r.Similar = Duplicate, nil
	}
	return r, err
}

// resolve turns what audit.Screen found into similar essays: stored ones as
// they are, earlier essays of the same batch as stored meanwhile (stored[k],
// nil when essay k was not stored, which drops it), most similar first and
// equals by essay ID, whether they were stored or earlier in the batch when
// screened (which depends on where an import's batches were cut).
func resolve(found []audit.Similar, stored []*ibid.Essay) []ibid.SimilarEssay {
	out := resolved(found, stored)
	slices.SortStableFunc(out, func(a, b ibid.SimilarEssay) int {
		return cmp.Or(cmp.Compare(b.Similarity, a.Similarity), cmp.Compare(a.EssayID, b.EssayID))
	})
	// An earlier essay of the batch that turned out to be a duplicate
	// resolves to the stored essay of its text, which may be there too.
	seen := make(map[int64]bool, len(out))
	return slices.DeleteFunc(out, func(s ibid.SimilarEssay) bool {
		dup := seen[s.EssayID]
		seen[s.EssayID] = true
		return dup
	})
}

// resolved is resolve before sorting.
func resolved(found []audit.Similar, stored []*ibid.Essay) []ibid.SimilarEssay {
	var out []ibid.SimilarEssay
	for _, f := range found {
		if f.EssayID != 0 {
			out = append(out, ibid.SimilarEssay{EssayID: f.EssayID, Slug: f.Slug, Title: f.Title, Similarity: f.Similarity})
		} else if f.Earlier < len(stored) && stored[f.Earlier] != nil {
			e := stored[f.Earlier]
			out = append(out, ibid.SimilarEssay{EssayID: e.ID, Slug: e.Slug, Title: e.Title, Similarity: f.Similarity})
		}
	}
	return out
}

// rejection is the error of an essay refused for being similar to sim[0].
func rejection(sim []ibid.SimilarEssay) error {
	s := sim[0]
	msg := fmt.Sprintf("%.0f%% similar to %q (%s), already in the library; not imported", 100*s.Similarity, s.Title, s.Slug)
	if len(sim) > 1 {
		msg = fmt.Sprintf("%.0f%% similar to %q (%s) and %d more, already in the library; not imported", 100*s.Similarity, s.Title, s.Slug, len(sim)-1)
	}
	return &ibid.Error{Code: ibid.ECONFLICT, Message: msg}
}

func (im *Importer) store(ctx context.Context, e *ibid.Essay) (*ibid.Essay, error) {
	err := im.Store.CreateEssay(ctx, e)
	if ibid.ErrorCode(err) == ibid.ECONFLICT {
		// Another process stored the same text between our look-up and insert.
		if old, err2 := im.Store.EssayByHash(ctx, e.Hash); err2 == nil {
			return old, err
		}
	}
	e.Prints = nil // written; no need to keep them in memory
	return e, err
}

// Collect expands paths into the files to import: files as given (whatever
// their extension, so that a wrong one gets a clear error), folders walked
// recursively for files with a supported extension, in lexical order. Hidden
// files and folders inside a walked folder are skipped.
func Collect(paths []string) ([]string, error) {
	var files []string
	exts := extract.Formats()
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			return nil, ibid.Errorf(ibid.EINVALID, "%s: no such file or folder", p)
		}
		if !info.IsDir() {
			files = append(files, p)
			continue
		}
		var found []string
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			name := d.Name()
			if path != p && strings.HasPrefix(name, ".") {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			if d.Type().IsRegular() && slices.Contains(exts, strings.ToLower(filepath.Ext(name))) {
				found = append(found, path)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("walk %s: %w", p, err)
		}
		sort.Strings(found)
		files = append(files, found...)
	}
	return files, nil
}

// Files imports files, calling report (if not nil) after each one, in input
// order. One bad file never stops the rest; the context stops the whole run.
func (im *Importer) Files(ctx context.Context, files []string, report func(Result)) (Summary, error) {
	return im.run(ctx, len(files), func(i int) (string, func() ([]byte, error)) {
		return files[i], func() ([]byte, error) { return readFile(files[i], im.Limits) }
	}, report)
}

// FS imports every supported file of fsys (for example the embedded demo
// library), naming sources prefix+path.
func (im *Importer) FS(ctx context.Context, fsys fs.FS, prefix string, report func(Result)) (Summary, error) {
	var names []string
	exts := extract.Formats()
	err := fs.WalkDir(fsys, ".", func(path string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() && slices.Contains(exts, strings.ToLower(filepath.Ext(path))) {
			names = append(names, path)
		}
		return err
	})
	if err != nil {
		return Summary{}, err
	}
	sort.Strings(names)
	return im.run(ctx, len(names), func(i int) (string, func() ([]byte, error)) {
		return prefix + names[i], func() ([]byte, error) { return fs.ReadFile(fsys, names[i]) }
	}, report)
}

// prepared is a file extracted and fingerprinted, ready to store, or one
// whose text the library already holds (dup).
type prepared struct {
	file  string
	essay *ibid.Essay
	dup   *ibid.Essay
	bytes int64
	err   error
}

func (im *Importer) run(parent context.Context, n int, item func(int) (string, func() ([]byte, error)), report func(Result)) (Summary, error) {
	workers := im.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	// Workers extract and fingerprint in parallel; results are stored
	// strictly in input order through per-item channels, so output and
	// progress are stable.
	slots := make([]chan prepared, n)
	for i := range slots {
		slots[i] = make(chan prepared, 1)
	}
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	next := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				name, read := item(i)
				slots[i] <- im.prepare(ctx, name, read)
			}
		}()
	}
	// Bounded read-ahead: the workers stay at most a batch and 4 files
	// per worker ahead of the batch being collected. Without the batch in
	// that bound they would stop a few files into the next batch while
	// the writer stores the last one, and preparing and storing would take
	// turns instead of overlapping.
	size := im.batchSize()
	window := make(chan struct{}, size+4*workers)
	go func() {
		defer close(next)
		for i := range n {
			select {
			case window <- struct{}{}:
			case <-ctx.Done():
				return
			}
			select {
			case next <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	// Three stages after the workers, each a goroutine, handing batches on
	// in order through unbuffered channels: this loop collects batch k+2
	// while the screener compares batch k+1 with the library (and with
	// batch k, not stored yet) and the writer stores batch k. The screen
	// and the store are the two long serial steps of an import; run one
	// after the other they bounded it. At most three batches wait in
	// memory besides the read-ahead.
	batches := make(chan []prepared)
	toWrite := make(chan *screened)
	scr := &audit.Screener{Store: im.Store, Min: im.SimilarMin, Reject: im.RejectSimilar}
	var screenErr error
	go func() {
		defer close(toWrite)
		var prior []*ibid.Essay
		if im.SimilarMin > 0 {
			// The aligner's word lists load once (0.1 s of CPU):
			// load them while the first batch is being collected.
			go audit.Warm()
		}
		for batch := range batches {
			if screenErr != nil {
				continue // drain after a failure; the run is stopping
			}
			sc, err := im.screen(ctx, scr, batch, prior)
			if err != nil {
				screenErr = err
				cancel()
				continue
			}
			select {
			case toWrite <- sc:
				prior = sc.keep
			case <-ctx.Done():
			}
		}
	}()
	var sum Summary
	var writeErr error
	writerDone := make(chan struct{})
	go func() {
		defer close(writerDone)
		var last *screened
		var lastStored map[*ibid.Essay]*ibid.Essay
		for sc := range toWrite {
			if last != nil {
				// The screener has compared the batch after last with
				// it: its prints are no longer needed.
				last.dropPrints()
			}
			last = sc
			if writeErr != nil {
				continue // drain after a failure; the run is stopping
			}
			if lastStored, writeErr = im.write(ctx, sc, lastStored, &sum, report); writeErr != nil {
				cancel()
				continue
			}
			if sc.found != nil {
				// Before the screener screens the batch after next,
				// which may find these as stored essays.
				var done []*ibid.Essay
				for _, e := range sc.keep {
					if lastStored[e] == e {
						done = append(done, e)
					}
				}
				scr.Stored(done)
			}
		}
		if last != nil {
			last.dropPrints()
		}
	}()
	var runErr error
	var batch []prepared
	var batchStart time.Time
	for i := range n {
		// While waiting for the next file, a batch that has waited
		// maxBatchDelay is handed on as soon as the screener is free;
		// while the writer is busy it keeps growing (to size), so a
		// fast import writes fewer, larger batches — fewer runs of the
		// print index and FTS5 segments to merge — and a slow one still
		// shows progress every second or so.
		var p prepared
		for got := false; !got && runErr == nil; {
			var send chan<- []prepared
			var wake <-chan time.Time
			if len(batch) > 0 {
				if wait := maxBatchDelay - time.Since(batchStart); wait > 0 {
					wake = time.After(wait)
				} else {
					send = batches
				}
			}
			select {
			case p = <-slots[i]:
				got = true
			case send <- batch:
				batch = nil
			case <-wake:
			case <-ctx.Done():
				runErr = ctx.Err()
			}
		}
		if runErr != nil {
			break
		}
		<-window
		if len(batch) == 0 {
			batchStart = time.Now()
		}
		batch = append(batch, p)
		if len(batch) >= size || i == n-1 {
			select {
			case batches <- batch:
			case <-ctx.Done():
				runErr = ctx.Err()
			}
			if runErr != nil {
				break
			}
			batch = nil
		}
	}
	close(batches)
	<-writerDone
	cancel()
	wg.Wait()
	// The writer's or the screener's error says why the run stopped; the
	// collector's is only the cancellation that followed it.
	if writeErr != nil {
		return sum, writeErr
	}
	if screenErr != nil {
		return sum, screenErr
	}
	if runErr == nil && sum.Imported > 0 {
		// Each batch was a run of the fingerprint index: merge them, so
		// that checks look up few runs (as FTS5's optimize does).
		if o, ok := im.Store.(interface{ OptimizePrints(context.Context) error }); ok {
			runErr = o.OptimizePrints(parent)
		}
	}
	return sum, runErr
}

// Batches: a bulk import stores up to maxBatch essays per transaction (when
// the store is an ibid.BatchCreator). A batch that has waited maxBatchDelay
// goes to the writer as soon as the writer can take it, so progress stays
// live when files are slow to extract, and batches grow to maxBatch when the
// writer is the slower side.
const (
	maxBatch      = 1000
	maxBatchDelay = time.Second
)

func (im *Importer) batchSize() int {
	if _, ok := im.Store.(ibid.BatchCreator); !ok {
		return 1
	}
	if im.BatchSize > 0 {
		return im.BatchSize
	}
	return maxBatch
}

// screened is a batch of prepared files split for the writer: the results
// known already (failed, duplicates), the essays to store (todo, at
// results[idx[k]]), what the screen found for each (Similar.Earlier counts
// prior first, then todo), and the essays that the screen keeps (todo less
// the refused ones).
type screened struct {
	batch   []prepared
	results []Result
	todo    []*ibid.Essay
	idx     []int
	prior   []*ibid.Essay
	found   [][]audit.Similar
	keep    []*ibid.Essay
}

// dropPrints lets the batch's prints go: written or refused, and compared.
func (sc *screened) dropPrints() {
	for _, e := range sc.todo {
		e.Prints = nil
	}
}

// screen compares a batch with the library and with prior, the batch
// before it (which the writer may be storing meanwhile), before anything
// of it is stored, so that a refused essay leaves nothing behind and the
// rest are stored as one batch.
func (im *Importer) screen(ctx context.Context, scr *audit.Screener, batch []prepared, prior []*ibid.Essay) (*screened, error) {
	sc := &screened{batch: batch, results: make([]Result, len(batch)), prior: prior}
	for i, p := range batch {
		sc.results[i] = Result{File: p.file, Status: Failed, Err: p.err}
		if p.dup != nil {
			sc.results[i] = Result{File: p.file, Status: Duplicate, Essay: p.dup}
			continue
		}
		if p.err == nil {
			sc.todo = append(sc.todo, p.essay)
			sc.idx = append(sc.idx, i)
		}
	}
	sc.keep = sc.todo
	if im.SimilarMin <= 0 || len(sc.todo) == 0 {
		return sc, nil
	}
	found, err := scr.Screen(ctx, prior, sc.todo)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("screening for similar essays: %w", err)
	}
	sc.found = found
	if im.RejectSimilar {
		sc.keep = nil
		for k, e := range sc.todo {
			if len(found[k]) == 0 {
				sc.keep = append(sc.keep, e)
			}
		}
	}
	return sc, nil
}

// write stores a screened batch and reports each result in order.
// priorStored says what each essay of the batch before is in the library
// as (nil when it was not stored); write returns the same for this batch.
// It returns an error only when the whole run must stop.
func (im *Importer) write(ctx context.Context, sc *screened, priorStored map[*ibid.Essay]*ibid.Essay, sum *Summary, report func(Result)) (map[*ibid.Essay]*ibid.Essay, error) {
	results, todo, idx, keep, found, batch := sc.results, sc.todo, sc.idx, sc.keep, sc.found, sc.batch
	var errs []error
	if bc, ok := im.Store.(ibid.BatchCreator); ok && len(keep) > 1 {
		errs = bc.CreateEssays(ctx, keep)
	} else {
		for _, e := range keep {
			errs = append(errs, im.Store.CreateEssay(ctx, e))
		}
	}
	// What each essay of prior and then todo is in the library as, if
	// anything: what Similar.Earlier indexes.
	stored := make([]*ibid.Essay, len(sc.prior)+len(todo))
	for k, e := range sc.prior {
		stored[k] = priorStored[e]
	}
	mine := make(map[*ibid.Essay]*ibid.Essay, len(todo))
	for k, j := 0, 0; k < len(todo); k++ {
		i, e := idx[k], todo[k]
		r := &results[i]
		if j >= len(keep) || keep[j] != e {
			r.Status = Rejected
			continue
		}
		err := errs[j]
		j++
		switch {
		case err == nil:
			r.Status, r.Essay, r.Err = Imported, e, nil
			sum.Words += int64(e.Words)
			sum.Bytes += batch[i].bytes
		case ibid.ErrorCode(err) == ibid.ECONFLICT:
			r.Status, r.Err = Duplicate, nil
			if old, lerr := im.Store.EssayByHash(ctx, e.Hash); lerr == nil {
				r.Essay = old
			} else {
				r.Essay = e
			}
		case ctx.Err() != nil:
			return nil, ctx.Err()
		default:
			r.Err = err
		}
		if r.Status != Failed {
			stored[len(sc.prior)+k] = r.Essay
			mine[e] = r.Essay
		}
	}
	for k := range todo {
		r := &results[idx[k]]
		if found == nil || r.Status == Duplicate || r.Status == Failed {
			continue
		}
		r.Similar = resolve(found[k], stored)
		if r.Status == Rejected {
			if len(r.Similar) == 0 {
				// Refused for an essay of the same import that then
				// failed to store: say so rather than name nothing.
				r.Err = &ibid.Error{Code: ibid.ECONFLICT, Message: fmt.Sprintf("similar to %q of the same import, which was not imported; not imported", found[k][0].Title)}
			} else {
				r.Err = rejection(r.Similar)
			}
		}
	}
	for _, r := range results {
		switch r.Status {
		case Imported:
			sum.Imported++
			if len(r.Similar) > 0 {
				sum.Similar++
			}
		case Duplicate:
			sum.Duplicates++
		case Failed:
			sum.Failed++
		case Rejected:
			sum.Rejected++
		}
		if report != nil {
			report(r)
		}
	}
	return mine, nil
}

func (im *Importer) prepare(ctx context.Context, name string, read func() ([]byte, error)) prepared {
	data, err := read()
	if err != nil {
		return prepared{file: name, err: err}
	}
	doc, err := extract.Read(name, data, im.extractOptions())
	if err != nil {
		return prepared{file: name, err: err}
	}
	im.applyDefaults(doc)
	e := NewEssay(doc, name)
	if err := im.checkSize(e); err != nil {
		return prepared{file: name, err: err}
	}
	// A text the library has already is a no-op: found here, on the
	// workers, it costs no fingerprinting, screening or write. (A text
	// that arrives twice in the same run is caught by the store.)
	if old, err := im.Store.EssayByHash(ctx, e.Hash); err == nil {
		return prepared{file: name, dup: old}
	}
	if im.Fingerprint != nil {
		e.Prints = im.Fingerprint(e.Text)
		if im.SimilarMin > 0 {
			audit.SortPrints(e.Prints) // here, on every core, not in the screen
		}
	}
	return prepared{file: name, essay: e, bytes: int64(len(data))}
}

// readFile reads a file, refusing one larger than the extraction limit before
// reading it whole.
func readFile(path string, lim extract.Options) ([]byte, error) {
	max := lim.MaxBytes
	if max <= 0 {
		max = extract.DefaultMaxBytes
	}
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, ibid.Errorf(ibid.EINVALID, "no such file")
		}
		return nil, ibid.Errorf(ibid.EINVALID, "cannot read: %v", errors.Unwrap(err))
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if info.IsDir() {
		return nil, ibid.Errorf(ibid.EINVALID, "is a folder")
	}
	if info.Size() > max {
		return nil, ibid.Errorf(ibid.ETOOLARGE, "file is %.1f MB; the limit is %.0f MB", float64(info.Size())/1e6, float64(max)/1e6)
	}
	data := make([]byte, info.Size())
	if _, err := io.ReadFull(f, data); err != nil {
		return nil, ibid.Errorf(ibid.EINVALID, "cannot read: %v", err)
	}
	return data, nil
}
