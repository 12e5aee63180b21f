package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"

	"github.com/ibid-dev/ibid"
	"github.com/ibid-dev/ibid/cite"
	"github.com/ibid-dev/ibid/export"
	"github.com/ibid-dev/ibid/pdf"
	"github.com/ibid-dev/ibid/text"
)

func init() {
	register(&command{
		name:    "export",
		summary: "write an essay as PDF, DOCX, Markdown, plain text, BibTeX, RIS or CSL-JSON",
		usage:   "[--db D] SLUG --format pdf|docx|md|txt|bib|ris|csl.json [-o FILE]",
		run:     runExport,
	})
}

// site holds the settings that shape pages, downloads and citations, shared
// by serve and export so that both produce the same files.
type site struct {
	name     string
	baseURL  string
	perPage  int
	pageSize string
}

func siteFlags(fs *flag.FlagSet, e *env) *site {
	s := &site{}
	fs.StringVar(&s.name, "site-name", envOr(e, "IBID_SITE_NAME", ibid.DefaultSiteName), "site name shown on pages and in citations (or $IBID_SITE_NAME)")
	fs.StringVar(&s.baseURL, "base-url", e.getenv("IBID_BASE_URL"), "public URL of the site, for links and citations (or $IBID_BASE_URL)")
	fs.IntVar(&s.perPage, "words-per-page", text.DefaultWordsPerPage, "words that make one page")
	fs.StringVar(&s.pageSize, "page-size", envOr(e, "IBID_PAGE_SIZE", "A4"), "paper size of PDF downloads: A4 or Letter (or $IBID_PAGE_SIZE)")
	return s
}

// exporters returns every download format, PDF first.
func (s *site) exporters() ([]ibid.Exporter, error) {
	p, err := pdf.New(pdf.Options{PageSize: s.pageSize, Fonts: pdf.SystemSerif(), Fallback: pdf.SystemFallbacks(),
		SiteName: s.name, BaseURL: s.baseURL, Cite: s.pdfCite()})
	if err != nil {
		return nil, err
	}
	xs := []ibid.Exporter{p}
	xs = append(xs, export.All(export.Options{SiteName: s.name, BaseURL: s.baseURL, WordsPerPage: s.perPage, PageSize: s.pageSize})...)
	return append(xs, cite.Exporters(cite.Options{SiteName: s.name, BaseURL: s.baseURL})...), nil
}

// exportMemoryLimit is the heap size at which an export starts collecting
// garbage (see quietGC).
const exportMemoryLimit = 512 << 20

// quietGC lets a one-shot command run without collecting garbage until its
// heap nears limit, unless the user set GOGC or GOMEMLIMIT. A PDF export
// allocates ~30 MB and exits: with the default GOGC=100 it ran three
// collections that cost ~12 of its ~50 ms of CPU (GODEBUG=gctrace=1; the
// first one scans ~9 MB of package variables), and its peak RSS is the same
// without them, the binary's own pages being most of it.
func quietGC(e *env, limit int64) {
	if e.getenv("GOGC") != "" || e.getenv("GOMEMLIMIT") != "" {
		return
	}
	debug.SetMemoryLimit(limit)
	debug.SetGCPercent(-1)
}

func runExport(ctx context.Context, e *env, args []string) error {
	c := commands["export"]
	fs := newFlags(e, c)
	db := dbFlag(fs, e)
	format := fs.String("format", "pdf", "pdf, docx, md, txt, bib, ris or csl.json")
	out := fs.String("o", "", "output file (default SLUG.FORMAT; - for standard output)")
	s := siteFlags(fs, e)
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError{"give one essay slug"}
	}
	if e.ownsProcess {
		quietGC(e, exportMemoryLimit)
	}
	// Open the library and read the essay while the exporters read their
	// fonts' headers (~1–2 ms each on a 2-CPU machine).
	type read struct {
		st    ibid.Store
		essay *ibid.Essay
		err   error
	}
	rc := make(chan read, 1)
	go func() {
		st, err := openExisting(*db)
		if err != nil {
			rc <- read{err: err}
			return
		}
		essay, err := st.Essay(ctx, pos[0])
		rc <- read{st, essay, err}
	}()
	xs, err := s.exporters()
	r := <-rc
	if r.st != nil {
		defer r.st.Close()
	}
	if err != nil {
		return err
	}
	var x ibid.Exporter
	var exts []string
	for _, cand := range xs {
		ext, _, _ := cand.Format()
		exts = append(exts, ext)
		if ext == strings.TrimPrefix(strings.ToLower(*format), ".") {
			x = cand
		}
	}
	if x == nil {
		return usageError{fmt.Sprintf("unknown format %q (choose %s)", *format, strings.Join(exts, ", "))}
	}
	if r.err != nil {
		return r.err
	}
	essay := r.essay
	ext, _, _ := x.Format()
	if *out == "" {
		*out = essay.Slug + "." + ext
	}
	var w io.Writer = e.stdout
	var f *os.File
	if *out != "-" {
		// Write beside the target and rename, so a failed export never
		// leaves half a file under the real name.
		if f, err = os.CreateTemp(dirOf(*out), ".ibid-export-*"); err != nil {
			return ibid.Errorf(ibid.EINVALID, "cannot write %s: %v", *out, err)
		}
		defer os.Remove(f.Name())
		w = f
	}
	if err := x.Export(w, essay); err != nil {
		if f != nil {
			f.Close()
		}
		return err
	}
	if f != nil {
		if err := f.Close(); err != nil {
			return err
		}
		if err := os.Rename(f.Name(), *out); err != nil {
			return err
		}
		fmt.Fprintf(e.stderr, "wrote %s\n", *out)
	}
	return nil
}

func dirOf(path string) string {
	if i := strings.LastIndexByte(path, os.PathSeparator); i >= 0 {
		return path[:i+1]
	}
	return "."
}
