package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/ibid-dev/ibid"
	"github.com/ibid-dev/ibid/compare"
	"github.com/ibid-dev/ibid/extract"
	"github.com/ibid-dev/ibid/originality"
	"github.com/ibid-dev/ibid/web"
)

func init() {
	register(&command{
		name:    "compare",
		summary: "compare a class's submissions with each other and the library",
		usage:   "[--db D] [--json] [--html REPORT.html [--base-url URL]] [--min 0.1] [--no-library] [--exclude HANDOUT]... PATH...",
		run:     runCompare,
	})
}

func runCompare(ctx context.Context, e *env, args []string) error {
	c := commands["compare"]
	fs := newFlags(e, c)
	db := dbFlag(fs, e)
	asJSON := fs.Bool("json", false, "print the report as JSON (the same as POST /api/compare)")
	htmlOut := fs.String("html", "", "also write the report as a self-contained HTML `file`")
	baseURL := fs.String("base-url", e.getenv("IBID_BASE_URL"), "the library's public URL, for the HTML report's links to its essays (or $IBID_BASE_URL)")
	minSim := fs.Float64("min", compare.DefaultMin, "report pairs whose larger share is at least this (0–1)")
	noLib := fs.Bool("no-library", false, "compare the documents with each other only, not with the library")
	var handouts []string
	fs.Func("exclude", "a `file` handed out to the class (the prompt, a template) whose passages are left out of every document; repeatable",
		func(v string) error { handouts = append(handouts, v); return nil })
	paths, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(paths) == 0 {
		return usageError{"give the files, folders or .zip archives to compare"}
	}
	if *minSim < 0 || *minSim > 1 {
		return usageError{"--min must be a share between 0 and 1, such as 0.1"}
	}
	start := time.Now()
	var exclude []compare.Document
	for _, h := range handouts {
		doc, err := readCheckInput(e, h)
		if err != nil {
			return ibid.Errorf(ibid.ErrorCode(err), "--exclude %s: %s", h, errorLine(err))
		}
		exclude = append(exclude, compare.Document{Name: filepath.Base(h), Text: doc.Text()})
	}
	b, err := collectBatch(paths)
	if err != nil {
		return err
	}
	bar := newProgress(e.stderr, "reading", len(b.Files))
	docs, err := b.Documents(ctx, func(done, total int) { bar.Add(1) })
	bar.Done()
	if err != nil {
		return err
	}
	for _, s := range b.Skipped {
		fmt.Fprintf(e.stderr, "ibid: compare: skipped %s: %s\n", s.Name, s.Reason)
	}
	if len(docs) == 0 {
		return ibid.Errorf(ibid.EINVALID, "no document to compare (%d skipped)", len(b.Skipped))
	}
	opt := compare.Options{Min: *minSim, Exclude: exclude}
	if *minSim == 0 {
		opt.Min = -1 // every pair that shares a passage
	}
	var st ibid.Store
	if !*noLib {
		// As for a check: no library is an error, and an empty one is
		// said to be, so that "no source" is never a false all-clear.
		if st, err = openExisting(*db); err != nil {
			return err
		}
		defer st.Close()
		_, inLibrary, err := st.Essays(ctx, ibid.EssayFilter{Limit: 1})
		if err != nil {
			return err
		}
		if inLibrary == 0 {
			fmt.Fprintf(e.stderr, "ibid: compare: the library at %s has no essays, so the documents were compared only with each other\n", displayDSN(*db))
		}
		opt.Library = originality.Library(st)
	}
	var cur *progress
	phase := ""
	opt.Progress = func(p string, done, total int) {
		if p != phase {
			if cur != nil {
				cur.Done()
			}
			phase, cur = p, newProgress(e.stderr, p, total)
		}
		cur.Add(1)
	}
	res, err := compare.Compare(ctx, docs, opt)
	if cur != nil {
		cur.Done()
	}
	if err != nil {
		return err
	}
	res.Skipped = b.Skipped
	elapsed := time.Since(start)
	if *htmlOut != "" {
		var buf bytes.Buffer
		if err := web.WriteCompareReport(ctx, &buf, res, docs, opt, *baseURL); err != nil {
			return err
		}
		if err := os.WriteFile(*htmlOut, buf.Bytes(), 0o644); err != nil {
			return ibid.Errorf(ibid.EINVALID, "cannot write %s: %v", *htmlOut, err)
		}
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	}
	printComparison(e.stdout, res, *minSim, elapsed)
	if *htmlOut != "" {
		fmt.Fprintf(e.stdout, "\nReport written to %s\n", *htmlOut)
	}
	return nil
}

// collectBatch reads the files to compare: files as given, folders walked
// for the formats ibid reads and .zip archives (hidden files and folders
// passed over), archives unpacked in memory. A document's name is its path
// under the folder given, or its file name when given alone.
func collectBatch(paths []string) (*compare.Batch, error) {
	b := &compare.Batch{Limits: compare.CLILimits}
	seen := map[string]bool{}
	add := func(path, name string) error {
		abs, err := filepath.Abs(path)
		if err == nil {
			if seen[abs] {
				b.Skip(name, "given twice")
				return nil
			}
			seen[abs] = true
		}
		info, err := os.Stat(path)
		if err != nil {
			return ibid.Errorf(ibid.EINVALID, "%s: no such file or folder", path)
		}
		// A document over the limit is skipped unread; an archive is
		// read whole, within the batch's limit.
		if limit := b.Limits.MaxFileBytes; !compare.IsZip(path) && info.Size() > limit {
			b.Skip(name, fmt.Sprintf("over %d MB, the limit of one document", limit>>20))
			return nil
		}
		if compare.IsZip(path) && info.Size() > b.Limits.MaxTotalBytes {
			return ibid.Errorf(ibid.ETOOLARGE, "%s is over the limit of a comparison", name)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return ibid.Errorf(ibid.EINVALID, "cannot read %s: %v", path, err)
		}
		return b.Add(name, data)
	}
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			return nil, ibid.Errorf(ibid.EINVALID, "%s: no such file or folder", p)
		}
		if !info.IsDir() {
			if err := add(p, filepath.Base(p)); err != nil {
				return nil, err
			}
			continue
		}
		var found []string
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if path != p && strings.HasPrefix(d.Name(), ".") {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			if d.Type().IsRegular() && (extract.Supported(d.Name()) || compare.IsZip(d.Name())) {
				found = append(found, path)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("walk %s: %w", p, err)
		}
		slices.Sort(found)
		for _, f := range found {
			rel, err := filepath.Rel(p, f)
			if err != nil {
				rel = filepath.Base(f)
			}
			if err := add(f, filepath.ToSlash(rel)); err != nil {
				return nil, err
			}
		}
	}
	return b, nil
}

// printComparison writes a comparison for people: a summary, the groups,
// the ranked pairs and each document's similarity and sources.
func printComparison(w io.Writer, res *compare.Result, minSim float64, elapsed time.Duration) {
	pct := func(f float64) string {
		if f > 0 && f < 0.005 {
			return "<1%"
		}
		return fmt.Sprintf("%.0f%%", 100*f)
	}
	words := 0
	for _, d := range res.Documents {
		words += d.Words
	}
	fmt.Fprintf(w, "Compared %s documents (%s words) in %.1f s: %s at %s or more, %s.\n",
		thousands(len(res.Documents)), thousands(words), elapsed.Seconds(),
		plural(len(res.Pairs)+res.OmittedPairs, "pair", "pairs"), pct(minSim), plural(len(res.Groups), "group", "groups"))
	titles := map[string]string{}
	for _, d := range res.Documents {
		for _, s := range d.Sources {
			titles[s.Slug] = s.Title
		}
	}
	if len(res.Groups) > 0 {
		fmt.Fprintln(w, "\nGroups (documents joined by shared passages or a shared library essay)")
		for i, g := range res.Groups {
			fmt.Fprintf(w, "  %d. %s", i+1, plural(len(g.Documents), "document", "documents"))
			if len(g.Sources) > 0 {
				var ss []string
				for _, s := range g.Sources {
					ss = append(ss, fmt.Sprintf("%s (/essays/%s)", titles[s], s))
				}
				fmt.Fprintf(w, "; library: %s", strings.Join(ss, ", "))
			}
			fmt.Fprintf(w, "\n     %s\n", strings.Join(g.Documents, ", "))
		}
	}
	if len(res.Pairs) > 0 {
		fmt.Fprintln(w, "\nPairs (share of each document's words in passages they share)")
		for _, p := range res.Pairs {
			kinds := map[ibid.MatchKind]int{}
			for _, ps := range p.Passages {
				kinds[ps.Kind]++
			}
			var ks []string
			for _, k := range []ibid.MatchKind{ibid.Identical, ibid.MinorChanges, ibid.Paraphrased} {
				if kinds[k] > 0 {
					ks = append(ks, strings.ReplaceAll(string(k), "_", " "))
				}
			}
			fmt.Fprintf(w, "  %4s %4s  %s — %s  (%s: %s)\n", pct(p.SimilarityA), pct(p.SimilarityB), p.A, p.B,
				plural(len(p.Passages), "passage", "passages"), strings.Join(ks, ", "))
		}
		if res.OmittedPairs > 0 {
			fmt.Fprintf(w, "  … and %s more pairs, left out (at most %s are listed)\n", thousands(res.OmittedPairs), thousands(compare.MaxPairs))
		}
	}
	fmt.Fprintln(w, "\nDocuments (share of words matched by other documents or the library)")
	for _, d := range res.Documents {
		fmt.Fprintf(w, "  %4s  %s  (%s words", pct(d.Similarity), d.Name, thousands(d.Words))
		if d.ExcludedWords > 0 {
			fmt.Fprintf(w, ", %s handed out", thousands(d.ExcludedWords))
		}
		fmt.Fprint(w, ")")
		if len(d.Sources) > 0 {
			var ss []string
			for _, s := range d.Sources {
				ss = append(ss, fmt.Sprintf("%s %s", s.Slug, pct(s.Similarity)))
			}
			fmt.Fprintf(w, "  library: %s", strings.Join(ss, ", "))
		}
		fmt.Fprintln(w)
	}
	if len(res.Skipped) > 0 {
		fmt.Fprintln(w, "\nSkipped")
		for _, s := range res.Skipped {
			fmt.Fprintf(w, "  %s: %s\n", s.Name, s.Reason)
		}
	}
}
