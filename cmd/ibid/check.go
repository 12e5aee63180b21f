package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/ibid-dev/ibid"
	"github.com/ibid-dev/ibid/extract"
	"github.com/ibid-dev/ibid/originality"
	"github.com/ibid-dev/ibid/text"
	"golang.org/x/term"
)

func init() {
	register(&command{
		name:    "check",
		summary: "check a document against the library for copied and paraphrased passages",
		usage:   "[--db D] [--json] [--exclude-quotes] [--exclude-references] [--min-words N] FILE|-",
		run:     runCheck,
	})
}

func runCheck(ctx context.Context, e *env, args []string) error {
	c := commands["check"]
	fs := newFlags(e, c)
	db := dbFlag(fs, e)
	asJSON := fs.Bool("json", false, "print the report as JSON")
	var opt originality.Options
	fs.BoolVar(&opt.ExcludeQuotes, "exclude-quotes", false, "leave quoted text and block quotes out")
	fs.BoolVar(&opt.ExcludeReferences, "exclude-references", false, "leave the references or bibliography section out")
	fs.IntVar(&opt.MinWords, "min-words", originality.DefaultMinWords, "ignore matches shorter than this many words")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError{"give one file to check (or - for standard input)"}
	}
	doc, err := readCheckInput(e, pos[0])
	if err != nil {
		return err
	}
	txt := doc.Text()
	if opt.ExcludeQuotes {
		opt.Excluded = originality.QuoteSpans(doc.Blocks)
	}
	st, err := openExisting(*db)
	if err != nil {
		return err
	}
	defer st.Close()
	// An empty library matches nothing: the 0% that follows is no
	// all-clear, and the user is told so.
	_, inLibrary, err := st.Essays(ctx, ibid.EssayFilter{Limit: 1})
	if err != nil {
		return err
	}
	if inLibrary == 0 {
		fmt.Fprintf(e.stderr, "ibid: check: the library at %s has no essays, so nothing was compared; import some first (ibid import)\n", displayDSN(*db))
	}
	rep, err := originality.Check(ctx, txt, originality.Library(st), opt)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(checkJSON{rep, inLibrary})
	}
	color := false
	if f, ok := e.stdout.(*os.File); ok && term.IsTerminal(int(f.Fd())) && e.getenv("NO_COLOR") == "" {
		color = true
	}
	return printReport(ctx, e.stdout, st, txt, rep, color)
}

// checkJSON is the report of `ibid check --json`: the API's report and the
// number of essays it was checked against.
type checkJSON struct {
	*ibid.Report
	LibraryEssays int `json:"library_essays"`
}

// readCheckInput reads the document to check, within the check limits.
func readCheckInput(e *env, name string) (*ibid.Document, error) {
	var data []byte
	var err error
	if name == "-" {
		data, err = io.ReadAll(io.LimitReader(e.stdin, ibid.MaxCheckBytes+1))
		name = "stdin.txt"
	} else {
		var info os.FileInfo
		if info, err = os.Stat(name); err == nil && info.Size() > ibid.MaxCheckBytes {
			return nil, ibid.Errorf(ibid.ETOOLARGE, "%s is %.1f MB; a check takes at most 10 MB", filepath.Base(name), float64(info.Size())/1e6)
		}
		data, err = os.ReadFile(name)
	}
	if err != nil {
		return nil, ibid.Errorf(ibid.EINVALID, "cannot read %s: %v", name, err)
	}
	if len(data) > ibid.MaxCheckBytes {
		return nil, ibid.Errorf(ibid.ETOOLARGE, "the input is over 10 MB, the limit of a check")
	}
	doc, err := extract.Read(name, data, extract.Options{MaxBytes: ibid.MaxCheckBytes, MaxWords: ibid.MaxCheckWords})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Base(name), err)
	}
	if n := text.Words(doc.Text()); n > ibid.MaxCheckWords {
		return nil, ibid.Errorf(ibid.ETOOLARGE, "the document has %d words; a check takes at most %d", n, ibid.MaxCheckWords)
	}
	return doc, nil
}

// printReport writes a report for people: the score, the sources with
// their shares, then each passage with a line of context on both sides,
// and last the spin flags.
func printReport(ctx context.Context, w io.Writer, st ibid.Store, txt string, rep *ibid.Report, color bool) error {
	pct := func(f float64) string { return fmt.Sprintf("%.0f%%", 100*f) }
	verdict := "no matching passages found"
	if len(rep.Sources) > 0 {
		verdict = plural(len(rep.Sources), "source", "sources") + " matched"
	}
	fmt.Fprintf(w, "Similarity %s — %s words, %s\n", pct(rep.Similarity), thousands(rep.Words), verdict)
	if err := printPassages(ctx, w, st, txt, rep, color); err != nil {
		return err
	}
	printSpin(w, txt, rep.Spin, color)
	return nil
}

// printSpin writes the spin section: whether the text looks machine-
// paraphrased, and each phrase that looks like a swapped term.
func printSpin(w io.Writer, txt string, sp *ibid.SpinReport, color bool) {
	if sp == nil {
		return
	}
	verdict := "no"
	if sp.Flagged {
		verdict = "yes, the wording reads like a synonym spinner's"
	}
	fmt.Fprintf(w, "\nPossibly machine-paraphrased: %s (score %.2f of 1)\n", verdict, sp.Score)
	if len(sp.Phrases) == 0 {
		return
	}
	fmt.Fprintf(w, "  %s that look like a term with a word swapped for a synonym:\n", plural(len(sp.Phrases), "phrase", "phrases"))
	sub := []rune(txt)
	for _, p := range sp.Phrases {
		fmt.Fprintf(w, "  %s\n    likely: %s\n", excerpt(sub, ibid.Span{Offset: p.Offset, Length: p.Length}, color), p.Likely)
	}
}

// printPassages writes the sources and their passages, if any.
func printPassages(ctx context.Context, w io.Writer, st ibid.Store, txt string, rep *ibid.Report, color bool) error {
	if len(rep.Sources) == 0 {
		return nil
	}
	pct := func(f float64) string { return fmt.Sprintf("%.0f%%", 100*f) }
	fmt.Fprintln(w)
	for i, s := range rep.Sources {
		fmt.Fprintf(w, "  [%d] %4s  %s  (/essays/%s, %s)\n", i+1, pct(s.Similarity), s.Title, s.Slug, plural(len(s.Passages), "passage", "passages"))
	}
	sub := []rune(txt)
	for i, s := range rep.Sources {
		src, err := st.Essay(ctx, s.Slug)
		if err != nil {
			return err
		}
		srcText := []rune(src.Text)
		for _, p := range s.Passages {
			fmt.Fprintf(w, "\n[%d] %s — %s\n", i+1, s.Title, strings.ReplaceAll(string(p.Kind), "_", " "))
			fmt.Fprintf(w, "  yours:  %s\n", excerpt(sub, p.Submitted, color))
			fmt.Fprintf(w, "  source: %s\n", excerpt(srcText, p.Source, color))
			if len(p.Substitutions) > 0 {
				pairs := make([]string, len(p.Substitutions))
				for k, sw := range p.Substitutions {
					pairs[k] = sw.Submitted.In(sub) + " ↔ " + sw.Source.In(srcText)
				}
				fmt.Fprintf(w, "  synonyms swapped in: %s\n", strings.Join(pairs, ", "))
			}
		}
	}
	return nil
}

// excerpt shows a span with a little context, shortened in the middle when
// long, the matched part in bold yellow when color is on or between
// «guillemets» otherwise.
func excerpt(r []rune, sp ibid.Span, color bool) string {
	const ctxRunes, maxMatch = 60, 240
	start, end := max(0, sp.Offset), min(len(r), sp.End())
	if start > end {
		start = end
	}
	before := string(r[max(0, start-ctxRunes):start])
	match := string(r[start:end])
	after := string(r[end:min(len(r), end+ctxRunes)])
	if m := []rune(match); len(m) > maxMatch {
		match = string(m[:maxMatch/2]) + " … " + string(m[len(m)-maxMatch/2:])
	}
	flat := func(s string) string { return strings.Join(strings.Fields(s), " ") }
	open, close := "«", "»"
	if color {
		open, close = "\033[1;33m", "\033[0m"
	}
	return "…" + flat(before) + " " + open + flat(match) + close + " " + flat(after) + "…"
}

// plural writes a count with the noun that fits it: "1 passage", "7
// passages", "1,200 words".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return thousands(n) + " " + many
}

// thousands formats n with commas: 3836 → "3,836".
func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
