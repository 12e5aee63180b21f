package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/ibid-dev/ibid"
	"github.com/ibid-dev/ibid/audit"
	"github.com/ibid-dev/ibid/ingest"
	"github.com/ibid-dev/ibid/originality"
	"github.com/ibid-dev/ibid/text"
)

func init() {
	register(&command{
		name:    "import",
		summary: "import essays from files and folders (.txt, .md, .html, .docx, .pdf)",
		usage:   "[--db D] [--json] [--reject-similar] [--max-essay-words N] [--max-essay-mb N] [--author A] [--subject S] [--topic T]... [--date YYYY-MM-DD] [--license L] [--override] PATH...",
		run:     runImport,
	})
}

// importLine is one line of `ibid import --json`.
type importLine struct {
	ID    int64  `json:"id"`
	Slug  string `json:"slug"`
	Title string `json:"title"`
	Words int    `json:"words"`
	Pages int    `json:"pages"`
	File  string `json:"file"`
	// SimilarTo are the library essays this one copies or paraphrases,
	// or that copy it (at least audit.DefaultMin similar).
	SimilarTo []similarLine `json:"similar_to"`
}

// similarLine is one essay of importLine.SimilarTo.
type similarLine struct {
	Slug       string  `json:"slug"`
	Title      string  `json:"title"`
	Similarity float64 `json:"similarity"`
}

func similarLines(sim []ibid.SimilarEssay) []similarLine {
	out := make([]similarLine, 0, len(sim))
	for _, s := range sim {
		out = append(out, similarLine{s.Slug, s.Title, math.Round(s.Similarity*1000) / 1000})
	}
	return out
}

func runImport(ctx context.Context, e *env, args []string) error {
	c := commands["import"]
	fs := newFlags(e, c)
	db := dbFlag(fs, e)
	asJSON := fs.Bool("json", false, "print one JSON object per imported essay")
	perPage := fs.Int("words-per-page", text.DefaultWordsPerPage, "words that make one page")
	reject := fs.Bool("reject-similar", false, "do not import an essay that copies or paraphrases one already in the library (50 % similar or more)")
	essayLim := essayFlags(fs, e)
	var meta ibid.Document
	fs.StringVar(&meta.Author, "author", "", "the `author` of every essay of the run whose file names none")
	fs.StringVar(&meta.Subject, "subject", "", "the `subject` of every essay whose file names none")
	fs.Func("topic", "a `topic` of every essay whose file names none; repeatable", func(v string) error {
		if v = strings.TrimSpace(v); v != "" {
			meta.Topics = append(meta.Topics, v)
		}
		return nil
	})
	fs.Func("date", "the publication `date` (YYYY-MM-DD) of every essay whose file gives none", func(v string) error {
		t, err := time.Parse("2006-01-02", strings.TrimSpace(v))
		if err != nil {
			return fmt.Errorf("want YYYY-MM-DD, such as 2024-03-15")
		}
		meta.Published = t
		return nil
	})
	fs.StringVar(&meta.License, "license", "", "the `licence` of every essay whose file names none")
	override := fs.Bool("override", false, "let --author, --subject, --topic, --date and --license replace what the files say")
	paths, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	lim, err := essayLim()
	if err != nil {
		return err
	}
	if len(paths) == 0 {
		return usageError{"no files or folders given"}
	}
	files, err := ingest.Collect(paths)
	if err != nil {
		return err
	}
	st, err := openStore(*db)
	if err != nil {
		return err
	}
	defer st.Close()
	im := newImporter(st, lim)
	im.RejectSimilar = *reject
	im.Defaults, im.Override = meta, *override
	bar := newProgress(e.stderr, "importing", len(files))
	enc := json.NewEncoder(e.stdout)
	var failures []ingest.Result
	sum, err := im.Files(ctx, files, func(r ingest.Result) {
		switch r.Status {
		case ingest.Imported:
			if *asJSON {
				enc.Encode(importLine{r.Essay.ID, r.Essay.Slug, r.Essay.Title, r.Essay.Words, text.Pages(r.Essay.Words, *perPage), r.File, similarLines(r.Similar)})
			}
			if len(r.Similar) > 0 {
				s := r.Similar[0]
				more := ""
				if len(r.Similar) > 1 {
					more = fmt.Sprintf(" and %d more", len(r.Similar)-1)
				}
				bar.Printf("ibid: warning: %s (%s) is %.0f%% similar to %q (%s)%s, already in the library\n", r.File, r.Essay.Slug, 100*s.Similarity, s.Title, s.Slug, more)
			}
		case ingest.Failed, ingest.Rejected:
			failures = append(failures, r)
			bar.Printf("ibid: import %s: %s\n", r.File, errorLine(r.Err))
		}
		bar.Add(1)
	})
	bar.Done()
	similar := ""
	if sum.Similar > 0 {
		similar = fmt.Sprintf(" (%d similar to essays already there)", sum.Similar)
	}
	rejected := ""
	if *reject {
		rejected = fmt.Sprintf(", %d rejected as similar", sum.Rejected)
	}
	fmt.Fprintf(e.stderr, "%d imported%s, %s%s, %d failed (%s)\n", sum.Imported, similar, plural(sum.Duplicates, "duplicate", "duplicates"), rejected, sum.Failed, displayDSN(*db))
	if err != nil {
		return err
	}
	// The rest was imported, but a failed file is a failed run: a script
	// must not take it for success.
	switch {
	case sum.Failed > 0 && sum.Imported+sum.Duplicates == 0:
		return &ibid.Error{Code: ibid.EINVALID, Message: fmt.Sprintf("no file could be imported (%d failed)", sum.Failed)}
	case sum.Failed > 0:
		return &ibid.Error{Code: ibid.EINVALID, Message: fmt.Sprintf("%s of %d could not be imported (see above)", plural(sum.Failed, "file", "files"), len(files))}
	case sum.Rejected > 0:
		// Refused as asked, but not imported all the same.
		return &ibid.Error{Code: ibid.ECONFLICT, Message: fmt.Sprintf("%s of %d not imported: similar to essays already in the library (see above)", plural(sum.Rejected, "file", "files"), len(files))}
	}
	return nil
}

// newImporter returns the importer every command uses, so that the CLI, the
// server's demo loader and uploads store essays the same way.
func newImporter(st ibid.Store, lim essayLimits) *ingest.Importer {
	return &ingest.Importer{Store: st, Fingerprint: originality.Fingerprint, SimilarMin: audit.DefaultMin,
		MaxWords: lim.words, MaxBytes: lim.bytes}
}

// essayLimits are the bounds of one essay, in ingest.Importer's terms
// (negative: none).
type essayLimits struct{ words, bytes int }

// essayFlags adds --max-essay-words and --max-essay-mb to fs; the returned
// function reads them once fs is parsed.
func essayFlags(fs *flag.FlagSet, e *env) func() (essayLimits, error) {
	words := fs.String("max-essay-words", envOr(e, "IBID_MAX_ESSAY_WORDS", strconv.Itoa(ibid.DefaultMaxEssayWords)),
		"the longest essay the library takes, in `words` (0 = no limit) (or $IBID_MAX_ESSAY_WORDS)")
	mb := fs.String("max-essay-mb", envOr(e, "IBID_MAX_ESSAY_MB", strconv.Itoa(ibid.DefaultMaxEssayBytes>>20)),
		"the longest essay the library takes, in `MB` of text (0 = no limit) (or $IBID_MAX_ESSAY_MB)")
	return func() (essayLimits, error) {
		w, err := strconv.Atoi(*words)
		if err != nil || w < 0 {
			return essayLimits{}, usageError{"--max-essay-words must be a whole number of words, 0 for no limit"}
		}
		m, err := strconv.Atoi(*mb)
		if err != nil || m < 0 || m > 1<<20 {
			return essayLimits{}, usageError{"--max-essay-mb must be a whole number of megabytes, 0 for no limit"}
		}
		lim := essayLimits{words: w, bytes: m << 20}
		if w == 0 {
			lim.words = -1
		}
		if m == 0 {
			lim.bytes = -1
		}
		return lim, nil
	}
}
