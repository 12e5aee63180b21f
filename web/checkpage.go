package web

import (
	"context"
	"fmt"
	"html/template"
	"math"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/ibid-dev/ibid"
	"github.com/ibid-dev/ibid/originality"
	"github.com/ibid-dev/ibid/text"
)

// paletteSize is the number of source colours: the eight of the Okabe–Ito
// palette, which stay apart for the common colour-vision deficiencies.
// Sources beyond eight reuse colours; their numbers still tell them apart.
const paletteSize = 8

// checkView is the data of the check template: the form, and the report
// after a check.
type checkView struct {
	Enabled bool   // a checker is configured
	CanAdd  bool   // "Add my document to the library" is offered
	Limits  string // the limits, stated up front
	Form    checkFormView
	Report  *reportView
	// Text and Error are set when a check was refused: the form shows the
	// text again with the reason, so that nothing typed is lost.
	Text  string
	Error string
	// File names the upload that was refused; browsers cannot refill a
	// file field, so the page asks for it again by name.
	File string
	Add  bool // "Add my document to the library" was ticked
}

// checkFormView is the state of the exclusion options.
type checkFormView struct {
	ExcludeQuotes     bool
	ExcludeReferences bool
	MinWords          int
}

// formOf is the state of the options as a request asked for them.
func formOf(req *checkRequest) checkFormView {
	f := checkFormView{ExcludeQuotes: req.Opt.ExcludeQuotes, ExcludeReferences: req.Opt.ExcludeReferences, MinWords: req.Opt.MinWords}
	if f.MinWords == 0 {
		f.MinWords = originality.DefaultMinWords
	}
	return f
}

// reportView is a similarity report as the page draws it.
type reportView struct {
	Percent  string // "23%"
	Level    string // "none", "low", "moderate", "high": the score's class
	Verdict  string
	Words    int
	Sources  []sourceView
	Excluded []excludedSource
	Text     template.HTML // the submitted text, passages marked
	Passages []passageView
	Carry    string // the checked text, carried in a hidden field for recomputing
	Added    *ibid.Essay
	AddNote  string // why the document was not added, when it was not
	// Pair, when set, makes this the view of two compared documents: the
	// first in the submitted text's place, the second in the source's.
	Pair *pairHead
	Spin *spinView // the "Possibly machine-paraphrased" section, if the report has one
}

// spinView is the report's spin section: whether the text reads as
// machine-paraphrased, and the phrases that look like swapped terms, each
// with a few words of context.
type spinView struct {
	Flagged bool
	Score   string // "0.82"
	Verdict string
	Phrases []spinPhraseView
}

type spinPhraseView struct {
	Before, Text, After string
	Likely              string
}

// spinViewFrom builds the spin section of a report on txt.
func spinViewFrom(txt string, sp *ibid.SpinReport) *spinView {
	if sp == nil {
		return nil
	}
	v := &spinView{Flagged: sp.Flagged, Score: fmt.Sprintf("%.2f", sp.Score)}
	switch {
	case sp.Flagged:
		v.Verdict = "Likely machine-paraphrased: the wording reads like a synonym spinner's, ordinary words swapped for unusual ones."
	case len(sp.Phrases) > 0:
		v.Verdict = "The text as a whole does not read as spun, but " + plural(len(sp.Phrases), "phrase looks", "phrases look") + " like a term with a word swapped for a synonym."
	default:
		v.Verdict = "No sign of machine paraphrasing."
	}
	sub := []rune(txt)
	const ctx = 40
	for _, p := range sp.Phrases {
		lo, hi := min(max(p.Offset, 0), len(sub)), min(max(p.Offset+p.Length, 0), len(sub))
		if lo > hi {
			continue
		}
		// White space is collapsed, and kept at the ends only where the
		// text has it, so that "disk." does not read "disk ."
		flat := func(r []rune) string {
			s := strings.Join(strings.Fields(string(r)), " ")
			if s == "" {
				return ""
			}
			if unicode.IsSpace(r[0]) {
				s = " " + s
			}
			if unicode.IsSpace(r[len(r)-1]) {
				s += " "
			}
			return s
		}
		v.Phrases = append(v.Phrases, spinPhraseView{
			Before: flat(sub[max(0, lo-ctx):lo]), Text: string(sub[lo:hi]),
			After: flat(sub[hi:min(len(sub), hi+ctx)]), Likely: p.Likely,
		})
	}
	return v
}

// sourceView is one row of the source list.
type sourceView struct {
	N        int // the source number, 1-based
	Color    int // the palette slot, 1–8
	Slug     string
	Title    string
	Percent  string
	Passages int
}

// passageView is one passage side by side with its source passage.
type passageView struct {
	ID        string // "p3": the anchor of the comparison
	N         int    // 1-based, in order of the submitted text
	Source    sourceView
	Kind      string // "Identical", "Minor changes", "Paraphrased"
	KindClass string
	Words     int
	Submitted template.HTML
	Original  template.HTML
	Swaps     []swapView // synonyms put in place of the source's words
	Link      string     // the source essay with the passage highlighted
}

// swapView is one substitution of a passage: the submitted text's word and
// the source's word it stands for.
type swapView struct{ Submitted, Original string }

// checkView is the check page for the reader of r: "Add my document to
// the library" is offered to signed-in editors only.
func (s *Server) checkView(r *http.Request) *checkView {
	return &checkView{
		Enabled: s.cfg.Checker != nil,
		CanAdd:  s.cfg.AddToLibrary != nil && canEdit(s.viewer(r)),
		Limits:  checkLimits,
		Form:    checkFormView{MinWords: originality.DefaultMinWords},
	}
}

// checkForm shows the form: GET /check.
func (s *Server) checkForm(w http.ResponseWriter, r *http.Request) error {
	p := s.newPage(r, "Check a text")
	p.Data = s.checkView(r)
	return s.render(w, "check", p)
}

// checkPost checks the submitted text and renders the report: POST /check.
// It works without JavaScript: the report carries the text in its
// recompute form, so that changing an exclusion resubmits it.
func (s *Server) checkPost(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.Checker == nil {
		return errCheckDisabled
	}
	req, err := readCheck(w, r, false)
	if err != nil {
		return s.checkFailed(w, r, req, err)
	}
	if req.AddToLibrary && s.cfg.AddToLibrary != nil {
		// Checked first, so that a refused addition costs no check.
		if _, err := s.requireEditor(r); err != nil {
			return err
		}
	}
	ctx := r.Context()
	rep, excluded, err := s.runCheck(ctx, req)
	if err != nil {
		return s.checkFailed(w, r, req, err)
	}
	v := s.checkView(r)
	v.Form = formOf(req)
	if v.Report, err = s.reportView(ctx, req.Text, rep); err != nil {
		return err
	}
	v.Report.Excluded = excluded
	// Only now, and only when asked: the document joins the library.
	if req.AddToLibrary && s.cfg.AddToLibrary != nil {
		doc := req.Doc
		if doc == nil {
			doc = &ibid.Document{Blocks: textBlocks(req.Text), Format: "txt"}
		}
		if doc.Title == "" {
			doc.Title = untitled(req)
		}
		e, err := s.cfg.AddToLibrary(ctx, doc, req.FileName)
		switch {
		case ibid.ErrorCode(err) == ibid.ECONFLICT && e != nil:
			v.Report.AddNote = "This text is already in the library."
			v.Report.Added = e
		case err != nil:
			return err
		default:
			s.metrics.imported()
			v.Report.Added = e
		}
	}
	p := s.newPage(r, "Similarity report")
	p.NoIndex = true
	p.Data = v
	// The page holds the submitted text: no cache may keep it.
	w.Header().Set("Cache-Control", "no-store")
	return s.renderNoStore(w, "check", p)
}

// checkFailed shows the check form again, with the text and options that
// were sent and the reason they were refused in the form, for what the user
// can act on: no text, a corrupt or oversized file, a bad number, a busy
// server (a 503 keeps its Retry-After). Other errors get the error page;
// so does a request that was no form at all (req is nil).
func (s *Server) checkFailed(w http.ResponseWriter, r *http.Request, req *checkRequest, err error) error {
	code := ibid.ErrorCode(err)
	if req == nil || (code != ibid.EINVALID && code != ibid.ETOOLARGE && code != ibid.EUNAVAILABLE) {
		return err
	}
	v := s.checkView(r)
	v.Form = formOf(req)
	v.Error = ibid.ErrorMessage(err)
	if req.Doc == nil {
		v.Text = req.Text
	}
	v.File = req.FileName
	v.Add = req.AddToLibrary
	p := s.newPage(r, "Check a text")
	p.NoIndex = true
	p.Data = v
	w.Header().Set("Cache-Control", "no-store")
	return s.renderNoStore(&statusWriter{ResponseWriter: w, status: statusOf(code)}, "check", p)
}

// renderNoStore renders a page that must not be cached.
func (s *Server) renderNoStore(w http.ResponseWriter, name string, p *page) error {
	rw := noStoreWriter{w}
	return s.render(rw, name, p)
}

// noStoreWriter keeps Cache-Control at no-store whatever render sets.
type noStoreWriter struct{ http.ResponseWriter }

func (n noStoreWriter) Write(b []byte) (int, error) {
	n.Header().Set("Cache-Control", "no-store")
	return n.ResponseWriter.Write(b)
}

// textBlocks makes paragraphs of pasted text: blank lines separate them.
func textBlocks(s string) []ibid.Block {
	var out []ibid.Block
	for _, para := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n\n") {
		if t := text.Normalize(para); t != "" {
			out = append(out, ibid.Block{Type: ibid.Paragraph, Text: t})
		}
	}
	return out
}

// untitled names a document that has no title of its own: its first words.
func untitled(req *checkRequest) string {
	words := strings.Fields(req.Text)
	if len(words) > 8 {
		return strings.Join(words[:8], " ") + "…"
	}
	return strings.Join(words, " ")
}

// kindLabel names a match kind for people.
func kindLabel(k ibid.MatchKind) string {
	switch k {
	case ibid.Identical:
		return "Identical"
	case ibid.MinorChanges:
		return "Minor changes"
	case ibid.Paraphrased:
		return "Paraphrased"
	}
	return string(k)
}

// percent writes a share as a whole percentage; a share above zero never
// shows as 0%, so that a small match is not hidden.
func percent(f float64) string {
	p := math.Round(100 * f)
	if p == 0 && f > 0 {
		return "<1%"
	}
	return strconv.Itoa(int(p)) + "%"
}

// verdict is the one line under the score, and the score's level.
func verdict(rep *ibid.Report) (level, line string) {
	n := len(rep.Sources)
	if n == 0 {
		return "none", "No passage of your text matches an essay in the library."
	}
	src := plural(n, "source", "sources")
	switch p := rep.Similarity * 100; {
	case p < 15:
		return "low", fmt.Sprintf("Low similarity: a few passages match %s in the library.", src)
	case p < 40:
		return "moderate", fmt.Sprintf("Moderate similarity: a good part of your text matches %s in the library.", src)
	default:
		return "high", fmt.Sprintf("High similarity: much of your text matches %s in the library.", src)
	}
}

// reportView builds what the page shows of a report on txt, its sources'
// texts read from the library.
func (s *Server) reportView(ctx context.Context, txt string, rep *ibid.Report) (*reportView, error) {
	source := func(slug string) ([]rune, error) {
		e, err := s.store.Essay(ctx, slug)
		switch {
		case ibid.ErrorCode(err) == ibid.ENOTFOUND:
			return nil, nil // deleted since the check: its side stays empty
		case err != nil:
			return nil, err
		}
		return []rune(e.Text), nil
	}
	link := func(slug string, sp ibid.Span) string {
		return fmt.Sprintf("/essays/%s?hl=%d-%d#hl", slug, sp.Offset, sp.Length)
	}
	return reportViewFrom(txt, rep, source, link)
}

// reportViewFrom builds a report view with the sources' texts from source
// and the links to source passages from link ("" for no link). Comparisons
// use it with another submitted document in the source's place.
func reportViewFrom(txt string, rep *ibid.Report, source func(slug string) ([]rune, error), link func(slug string, sp ibid.Span) string) (*reportView, error) {
	v := &reportView{Percent: percent(rep.Similarity), Words: rep.Words, Carry: txt, Spin: spinViewFrom(txt, rep.Spin)}
	v.Level, v.Verdict = verdict(rep)
	sub := []rune(txt)
	type placed struct {
		p   ibid.Passage
		src int
	}
	var all []placed
	for i, sm := range rep.Sources {
		v.Sources = append(v.Sources, sourceView{
			N: i + 1, Color: i%paletteSize + 1, Slug: sm.Slug, Title: sm.Title,
			Percent: percent(sm.Similarity), Passages: len(sm.Passages),
		})
		for _, p := range sm.Passages {
			all = append(all, placed{p, i})
		}
	}
	// Passages are numbered in the order of the submitted text.
	sort.SliceStable(all, func(a, b int) bool {
		if all[a].p.Submitted.Offset != all[b].p.Submitted.Offset {
			return all[a].p.Submitted.Offset < all[b].p.Submitted.Offset
		}
		return all[a].src < all[b].src
	})
	sources := map[string][]rune{}
	marks := make([]markSpan, 0, len(all))
	for i, pl := range all {
		sv := v.Sources[pl.src]
		src, ok := sources[sv.Slug]
		if !ok {
			var err error
			if src, err = source(sv.Slug); err != nil {
				return nil, err
			}
			sources[sv.Slug] = src
		}
		subPart := pl.p.Submitted.In(sub)
		srcPart := pl.p.Source.In(src)
		// The substitutions, as offsets within each side of the passage.
		swapA, swapB := map[int]bool{}, map[int]bool{}
		var swaps []swapView
		for _, sw := range pl.p.Substitutions {
			swapA[sw.Submitted.Offset-pl.p.Submitted.Offset] = true
			swapB[sw.Source.Offset-pl.p.Source.Offset] = true
			swaps = append(swaps, swapView{Submitted: sw.Submitted.In(sub), Original: sw.Source.In(src)})
		}
		a, b := diffWords(subPart, srcPart, swapA, swapB)
		pv := passageView{
			ID: "p" + strconv.Itoa(i+1), N: i + 1, Source: sv,
			Kind: kindLabel(pl.p.Kind), KindClass: strings.ReplaceAll(string(pl.p.Kind), "_", "-"),
			Words: text.Words(subPart), Submitted: a, Original: b, Swaps: swaps,
			Link: link(sv.Slug, pl.p.Source),
		}
		v.Passages = append(v.Passages, pv)
		marks = append(marks, markSpan{Span: pl.p.Submitted, Passage: i + 1, Source: sv.N, Color: sv.Color})
	}
	v.Text = markText(sub, marks)
	return v, nil
}

// markSpan is a passage to mark in the submitted text.
type markSpan struct {
	ibid.Span
	Passage, Source, Color int
}

// markText draws the submitted text as paragraphs (blank lines separate
// them, single line breaks stay) with each passage in a <mark> of its
// source's colour that starts with a badge carrying the source number and
// linking to the passage's comparison. Where passages of two sources
// overlap, the earlier one (by position, then by source rank) keeps the
// overlap.
func markText(r []rune, marks []markSpan) template.HTML {
	owner := make([]int32, len(r)) // 1-based index into marks; 0 is unmarked
	for i := len(marks) - 1; i >= 0; i-- {
		m := marks[i]
		for k := max(m.Offset, 0); k < min(m.End(), len(r)); k++ {
			owner[k] = int32(i + 1)
		}
	}
	var b strings.Builder
	b.WriteString("<p>")
	started := make([]bool, len(marks))
	cur := int32(0)
	closeMark := func() {
		if cur != 0 {
			b.WriteString("</mark>")
			cur = 0
		}
	}
	for i := 0; i < len(r); {
		if r[i] == '\n' {
			// A line break with the spaces around it; two or more breaks
			// end a paragraph.
			j, nl := i, 0
			for {
				k := j
				for k < len(r) && isSpaceRune(r[k]) {
					k++
				}
				if k < len(r) && r[k] == '\n' {
					nl++
					j = k + 1
					continue
				}
				break
			}
			closeMark()
			if nl >= 2 {
				b.WriteString("</p>\n<p>")
			} else {
				b.WriteString("<br>\n")
			}
			i = j
			continue
		}
		if o := owner[i]; o != cur {
			closeMark()
			if o != 0 {
				m := marks[o-1]
				if !started[o-1] {
					started[o-1] = true
					fmt.Fprintf(&b, `<mark class="hl src-%d" id="m%d"><a class="badge src-%d" href="#p%d" aria-label="Passage %d from source %d: compare">%d</a>`,
						m.Color, m.Passage, m.Color, m.Passage, m.Passage, m.Source, m.Source)
				} else {
					fmt.Fprintf(&b, `<mark class="hl src-%d">`, m.Color)
				}
				cur = o
			}
		}
		j := i + 1
		for j < len(r) && r[j] != '\n' && owner[j] == owner[i] {
			j++
		}
		b.WriteString(template.HTMLEscapeString(string(r[i:j])))
		i = j
	}
	closeMark()
	b.WriteString("</p>")
	out := strings.ReplaceAll(b.String(), "<p></p>", "")
	return template.HTML(out)
}

func isSpaceRune(c rune) bool { return c == ' ' || c == '\t' || c == '\r' }

// diffWords marks, on each side of a passage, the words the other side
// does not contain (compared case-blind), so that changes stand out, and
// the words at the rune offsets of swapA and swapB as synonyms swapped for
// each other. It is a bag-of-words comparison on purpose: paraphrases
// reorder words, and an edit script would mark them all.
func diffWords(a, b string, swapA, swapB map[int]bool) (template.HTML, template.HTML) {
	ta, tb := text.Tokens(a), text.Tokens(b)
	bag := func(ts []text.Token) map[string]bool {
		m := make(map[string]bool, len(ts))
		for _, t := range ts {
			m[strings.ToLower(t.Text)] = true
		}
		return m
	}
	return markWords(a, ta, bag(tb), swapA), markWords(b, tb, bag(ta), swapB)
}

// markWords escapes s and wraps its words that are not in other in
// <span class="diff">, those at the offsets of swaps in <span class="diff
// swap">.
func markWords(s string, toks []text.Token, other map[string]bool, swaps map[int]bool) template.HTML {
	r := []rune(s)
	var b strings.Builder
	pos := 0
	for _, t := range toks {
		if other[strings.ToLower(t.Text)] {
			continue
		}
		b.WriteString(template.HTMLEscapeString(string(r[pos:t.Offset])))
		if swaps[t.Offset] {
			b.WriteString(`<span class="diff swap">`)
		} else {
			b.WriteString(`<span class="diff">`)
		}
		b.WriteString(template.HTMLEscapeString(string(r[t.Offset : t.Offset+t.Length])))
		b.WriteString(`</span>`)
		pos = t.Offset + t.Length
	}
	b.WriteString(template.HTMLEscapeString(string(r[pos:])))
	return template.HTML(b.String())
}
