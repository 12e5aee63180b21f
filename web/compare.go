package web

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/ibid-dev/ibid"
	"github.com/ibid-dev/ibid/compare"
	"github.com/ibid-dev/ibid/originality"
	"github.com/ibid-dev/ibid/spin"
)

// Comparer compares a batch of documents with each other and, when library
// is true, with the library (Config.Compare).
type Comparer func(ctx context.Context, docs []compare.Document, opt compare.Options, library bool) (*compare.Result, error)

// compareBodyBytes is the largest compare request: the files and the form
// around them.
const compareBodyBytes = 50<<20 + checkFieldSlack

// compareLimitsLine states the limits of a comparison up front.
var compareLimitsLine = fmt.Sprintf("Up to %d files or one .zip, %d MB in all; each document up to %s words and %d MB; .docx, .pdf, .txt, .md, .html",
	compare.WebLimits.MaxFiles, compare.WebLimits.MaxTotalBytes>>20, formatInt(compare.WebLimits.MaxWords), compare.WebLimits.MaxFileBytes>>20)

// maxHandouts bounds the handed-out texts of one comparison.
const maxHandouts = 10

// maxPairRows bounds the pairs a report page lists; the JSON API has all.
const maxPairRows = 300

var (
	errCompareDisabled = ibid.Errorf(ibid.EUNAVAILABLE, "Comparing documents is not enabled on this server.")
	errCompareSignIn   = ibid.Errorf(ibid.EUNAUTHORIZED, "Sign in as an editor to compare documents.")
	errCompareEmpty    = ibid.Errorf(ibid.EINVALID, "There is nothing to compare: choose several files or one .zip archive.")
)

// requireComparer lets a request compare: editors and admins, or everyone
// when the server runs with OpenCompare.
func (s *Server) requireComparer(r *http.Request) (*ibid.User, error) {
	if s.cfg.OpenCompare {
		return s.viewer(r), nil
	}
	u, err := s.requireEditor(r)
	if err == errSignIn {
		return nil, errCompareSignIn
	}
	return u, err
}

// limitCompare wraps a compare handler: who may compare is settled first,
// before a byte of the upload is read, then the checks' limits apply
// (rate, slots, timeout) with the larger body of a comparison.
func (s *Server) limitCompare(h handlerFunc) handlerFunc {
	limited := s.limitWork(compareBodyBytes, errCompareTooLarge, s.compareTooLong, h)
	return func(w http.ResponseWriter, r *http.Request) error {
		if s.cfg.Compare == nil {
			return errCompareDisabled
		}
		if _, err := s.requireComparer(r); err != nil {
			if ibid.ErrorCode(err) == ibid.EUNAUTHORIZED && isMachinePath(r.URL.Path) {
				w.Header().Set("WWW-Authenticate", `Bearer realm="ibid"`)
			}
			return err
		}
		return limited(w, r)
	}
}

// compareRequest is a comparison as the user asked for it.
type compareRequest struct {
	docs    []compare.Document
	skipped []compare.Skip
	min     float64 // 0 means the default
	library bool
	exclude []compare.Document // handed-out texts to leave out
	pair    [2]int             // for /compare/pair: the documents of the pair
}

// readCompare reads a multipart form of files (`file` parts, any number,
// a .zip among them unpacked in memory) and options (`min` as a
// percentage, `library` on or off). Nothing is written to disk: parts are
// read one at a time, within the batch's limits. With carried set, the
// documents come instead as `name` and `text` fields, as the report page
// carries them to open a pair.
func readCompare(ctx context.Context, r *http.Request, carried bool) (*compareRequest, error) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" {
		return nil, ibid.Errorf(ibid.EINVALID, "Send the files as a multipart form (file parts, or one .zip).")
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, ibid.Errorf(ibid.EINVALID, "The form is malformed.")
	}
	req := &compareRequest{library: true}
	b := &compare.Batch{Limits: compare.WebLimits}
	// The handed-out texts: a few documents, each within a check's limits.
	hb := &compare.Batch{Limits: compare.Limits{MaxFiles: maxHandouts, MaxFileBytes: ibid.MaxCheckBytes,
		MaxTotalBytes: ibid.MaxCheckBytes, MaxWords: ibid.MaxCheckWords, MaxTotalWords: ibid.MaxCheckWords}}
	var names, texts, exNames, exTexts []string
	fields := 0
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			if tooLarge(err) {
				return nil, errCompareTooLarge
			}
			return nil, ibid.Errorf(ibid.EINVALID, "The form is malformed.")
		}
		name := part.FormName()
		limit := int64(maxFieldBytes)
		switch name {
		case "file":
			limit = compare.WebLimits.MaxTotalBytes
		case "text", "exclude", "exclude_text":
			limit = ibid.MaxCheckBytes
		}
		data, err := io.ReadAll(io.LimitReader(part, limit+1))
		part.Close()
		if err != nil {
			if tooLarge(err) {
				return nil, errCompareTooLarge
			}
			return nil, ibid.Errorf(ibid.EINVALID, "The form could not be read.")
		}
		if int64(len(data)) > limit {
			if name == "file" {
				return nil, errCompareTooLarge
			}
			return nil, ibid.Errorf(ibid.EINVALID, "The form field %q is too long.", name)
		}
		switch name {
		case "file":
			fn := part.FileName()
			if fn == "" && len(data) == 0 {
				continue // a file input left empty
			}
			if fn == "" {
				fn = "upload.txt"
			}
			if err := b.Add(fn, data); err != nil {
				return nil, err
			}
		case "exclude":
			fn := part.FileName()
			if fn == "" && len(data) == 0 {
				continue
			}
			if fn == "" {
				fn = "handout.txt"
			}
			if compare.IsZip(fn) {
				return nil, ibid.Errorf(ibid.EINVALID, "Give the handed-out texts as documents, not as a .zip.")
			}
			if err := hb.Add(fn, data); err != nil {
				return nil, err
			}
		case "exclude_name":
			exNames = append(exNames, string(data))
		case "exclude_text":
			exTexts = append(exTexts, strings.ReplaceAll(string(data), "\r\n", "\n"))
		case "name":
			names = append(names, string(data))
		case "text":
			texts = append(texts, strings.ReplaceAll(string(data), "\r\n", "\n"))
		default:
			if fields++; fields > maxCheckFields {
				return nil, ibid.Errorf(ibid.EINVALID, "The form has too many fields.")
			}
			if err := req.option(name, string(data)); err != nil {
				return nil, err
			}
		}
	}
	if carried {
		if len(names) != len(texts) || len(names) > compare.WebLimits.MaxFiles || len(exNames) != len(exTexts) || len(exNames) > maxHandouts {
			return nil, ibid.Errorf(ibid.EINVALID, "The carried documents are incomplete.")
		}
		for i := range names {
			req.docs = append(req.docs, compare.Document{Name: names[i], Text: texts[i]})
		}
		for i := range exNames {
			req.exclude = append(req.exclude, compare.Document{Name: exNames[i], Text: exTexts[i]})
		}
		return req, nil
	}
	if len(hb.Files) > 0 {
		if req.exclude, err = hb.Documents(ctx, nil); err != nil {
			return nil, err
		}
		if len(hb.Skipped) > 0 {
			s := hb.Skipped[0]
			return nil, ibid.Errorf(ibid.EINVALID, "The handed-out text %s cannot be used: %s.", s.Name, s.Reason)
		}
	}
	docs, err := b.Documents(ctx, nil)
	if err != nil {
		return nil, err
	}
	if len(docs) == 0 && len(b.Skipped) == 0 {
		return nil, errCompareEmpty
	}
	req.docs, req.skipped = docs, b.Skipped
	return req, nil
}

var errCompareTooLarge = ibid.Errorf(ibid.ETOOLARGE, "The files are over %d MB in all, the limit of a comparison.", compare.WebLimits.MaxTotalBytes>>20)

// option reads one option field of a compare form.
func (req *compareRequest) option(name, v string) error {
	v = strings.TrimSpace(v)
	switch name {
	case "min":
		if v == "" {
			return nil
		}
		n, err := strconv.ParseFloat(v, 64)
		if err != nil || n < 0 || n > 100 {
			return ibid.Errorf(ibid.EINVALID, "The smallest similarity must be a percentage from 0 to 100.")
		}
		req.min = n / 100
		if n == 0 {
			req.min = -1 // every pair that shares a passage
		}
	case "library":
		req.library = isOn(v)
	case "pair":
		a, b, ok := strings.Cut(v, "-")
		x, err1 := strconv.Atoi(a)
		y, err2 := strconv.Atoi(b)
		if !ok || err1 != nil || err2 != nil || x < 0 || y < 0 || x == y {
			return ibid.Errorf(ibid.EINVALID, "The pair to open is malformed.")
		}
		req.pair = [2]int{x, y}
	}
	return nil
}

// compareTooLong is the error of a comparison stopped by the check timeout,
// wherever in its handling the timeout struck (reading the files too).
func (s *Server) compareTooLong(err error) error {
	return &ibid.Error{Code: ibid.EUNAVAILABLE, Err: err,
		Message: fmt.Sprintf("The comparison took longer than %s and was stopped. Please compare fewer or shorter documents.", seconds(int(s.gate.timeout.Seconds())))}
}

// runCompare runs the configured comparer.
func (s *Server) runCompare(ctx context.Context, req *compareRequest) (*compare.Result, error) {
	if len(req.docs) == 0 {
		return &compare.Result{Documents: []compare.DocumentResult{}, Pairs: []compare.Pair{}, Groups: []compare.Group{}, Skipped: req.skipped}, nil
	}
	res, err := s.cfg.Compare(ctx, req.docs, compare.Options{Min: req.min, Exclude: req.exclude}, req.library)
	if errors.Is(err, context.DeadlineExceeded) && ibid.ErrorCode(err) == ibid.EINTERNAL {
		return nil, s.compareTooLong(err)
	}
	if err != nil {
		return nil, err
	}
	res.Skipped = req.skipped
	return res, nil
}

// apiCompare compares uploaded files: POST /api/compare, multipart with
// `file` parts (or one .zip). See docs/api.md.
func (s *Server) apiCompare(w http.ResponseWriter, r *http.Request) error {
	req, err := readCompare(r.Context(), r, false)
	if err != nil {
		return err
	}
	res, err := s.runCompare(r.Context(), req)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, res)
	return nil
}

// compareView is the data of the compare template.
type compareView struct {
	Enabled bool
	Limits  string
	Min     string // the form's smallest similarity, in percent
	Library bool
	Error   string // why the last comparison was refused
	Report  *compareReport
}

// compareReport is a comparison as the page draws it.
type compareReport struct {
	Documents []compareDoc
	Pairs     []comparePair
	MorePairs int // pairs not listed on the page
	Groups    []compareGroup
	Skipped   []compare.Skip
	Words     int
	Min       string
	Library   bool
	Matrix    template.HTML // the SVG
	MatrixAll bool          // the matrix shows every document that is in a pair
	// Carry holds the documents for the pair form; Static reports (a file
	// written by the CLI) have no server to post to and show the top
	// pairs' passages inline instead.
	Carry   []compare.Document
	Handout []compare.Document // the handed-out texts left out, carried too
	Static  bool
	Base    string // what links to library essays start with: "" on the site, its URL in a file
	Inline  []*reportView
}

type compareDoc struct {
	N        int
	Name     string
	Words    int
	Excluded int // words in handed-out passages
	Percent  string
	Level    string
	Sources  []compareSource
	Spin     string // "likely (0.97)" when the document looks machine-paraphrased, else ""
}

type compareSource struct {
	Slug, Title, Percent string
}

type comparePair struct {
	N                  int
	ID                 string // "pair-3"
	A, B               string
	IA, IB             int
	PercentA, PercentB string
	Passages           int
	Kinds              string
	Level              string
}

type compareGroup struct {
	N         int
	Documents []string
	Sources   []compareSource
}

// compareForm shows the form: GET /compare.
func (s *Server) compareForm(w http.ResponseWriter, r *http.Request) error {
	if _, ok, err := s.signedInPage(w, r, s.requireComparer); !ok || err != nil {
		return err
	}
	p := s.newPage(r, "Compare documents")
	p.Data = &compareView{Enabled: s.cfg.Compare != nil, Limits: compareLimitsLine, Min: "10", Library: true}
	return s.render(w, "compare", p)
}

// comparePost compares the uploaded files and renders the report: POST
// /compare.
func (s *Server) comparePost(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	req, err := readCompare(ctx, r, false)
	if err != nil {
		return s.compareFailed(w, r, err)
	}
	res, err := s.runCompare(ctx, req)
	if err != nil {
		return s.compareFailed(w, r, err)
	}
	v := &compareView{Enabled: true, Limits: compareLimitsLine, Library: req.library, Min: minPercent(req.min)}
	v.Report = buildCompareReport(res, req.docs, req.library, v.Min)
	v.Report.Handout = req.exclude
	p := s.newPage(r, "Comparison report")
	p.NoIndex = true
	p.Data = v
	w.Header().Set("Cache-Control", "no-store")
	return s.renderNoStore(w, "compare", p)
}

// compareFailed shows the form again with the reason a comparison was
// refused, for what the user can act on (no file, too many, too large, a
// damaged archive, a busy server); other errors get the error page. The
// files are not kept, so the form says to choose them again.
func (s *Server) compareFailed(w http.ResponseWriter, r *http.Request, err error) error {
	code := ibid.ErrorCode(err)
	if code != ibid.EINVALID && code != ibid.ETOOLARGE && code != ibid.EUNAVAILABLE {
		return err
	}
	// The messages of package compare are the command line's (lower
	// case, and often starting with a file name, which stays as it is).
	msg := ibid.ErrorMessage(err)
	if !strings.HasSuffix(msg, ".") {
		msg += "."
	}
	p := s.newPage(r, "Compare documents")
	p.NoIndex = true
	p.Data = &compareView{Enabled: true, Limits: compareLimitsLine, Min: "10", Library: true, Error: msg}
	w.Header().Set("Cache-Control", "no-store")
	return s.renderNoStore(&statusWriter{ResponseWriter: w, status: statusOf(code)}, "compare", p)
}

// minPercent writes the smallest similarity for the form.
func minPercent(m float64) string {
	switch {
	case m == 0:
		return strconv.Itoa(int(100 * compare.DefaultMin))
	case m < 0:
		return "0"
	}
	return strconv.FormatFloat(100*m, 'f', -1, 64)
}

// buildCompareReport turns a result into what the page shows.
func buildCompareReport(res *compare.Result, docs []compare.Document, library bool, min string) *compareReport {
	v := &compareReport{Skipped: res.Skipped, Library: library, Min: min, Carry: docs}
	titles := map[string]string{}
	for i, d := range res.Documents {
		cd := compareDoc{N: i + 1, Name: d.Name, Words: d.Words, Excluded: d.ExcludedWords, Percent: percent(d.Similarity), Level: level(d.Similarity)}
		if d.Spin != nil && d.Spin.Flagged {
			cd.Spin = fmt.Sprintf("likely (%.2f)", d.Spin.Score)
		}
		for _, s := range d.Sources {
			titles[s.Slug] = s.Title
			cd.Sources = append(cd.Sources, compareSource{Slug: s.Slug, Title: s.Title, Percent: percent(s.Similarity)})
		}
		v.Words += d.Words
		v.Documents = append(v.Documents, cd)
	}
	for i, p := range res.Pairs {
		if i >= maxPairRows {
			v.MorePairs = len(res.Pairs) - maxPairRows
			break
		}
		v.Pairs = append(v.Pairs, comparePair{
			N: i + 1, ID: "pair-" + strconv.Itoa(i+1), A: p.A, B: p.B, IA: p.IA, IB: p.IB,
			PercentA: percent(p.SimilarityA), PercentB: percent(p.SimilarityB),
			Passages: len(p.Passages), Kinds: passageKinds(p.Passages), Level: level(p.Similarity()),
		})
	}
	v.MorePairs += res.OmittedPairs
	for i, g := range res.Groups {
		cg := compareGroup{N: i + 1, Documents: g.Documents}
		for _, slug := range g.Sources {
			cg.Sources = append(cg.Sources, compareSource{Slug: slug, Title: titles[slug]})
		}
		v.Groups = append(v.Groups, cg)
	}
	v.Matrix, v.MatrixAll = matrixSVG(res)
	return v
}

// level is a similarity's class, as the check's score has.
func level(f float64) string {
	switch p := f * 100; {
	case p == 0:
		return "none"
	case p < 15:
		return "low"
	case p < 40:
		return "moderate"
	}
	return "high"
}

// passageKinds names the kinds of a pair's passages: "identical, paraphrased".
func passageKinds(ps []compare.Passage) string {
	seen := map[ibid.MatchKind]bool{}
	for _, p := range ps {
		seen[p.Kind] = true
	}
	var out []string
	for _, k := range []ibid.MatchKind{ibid.Identical, ibid.MinorChanges, ibid.Paraphrased} {
		if seen[k] {
			out = append(out, strings.ToLower(kindLabel(k)))
		}
	}
	return strings.Join(out, ", ")
}

// maxMatrix bounds the documents the matrix draws: past it, cells are too
// small to point at, and the table of pairs says the rest.
const maxMatrix = 60

// matrixSVG draws the class as a similarity matrix: one row and one column
// per document that is in a reported pair (those in groups first, group by
// group), each cell the share of the row document's words in passages it
// shares with the column document, darker for more, with the numbers in
// the cell's tooltip and a link to the pair. The second result is false
// when documents had to be left out.
func matrixSVG(res *compare.Result) (template.HTML, bool) {
	var order []int
	in := map[int]bool{}
	add := func(i int) {
		if !in[i] {
			in[i] = true
			order = append(order, i)
		}
	}
	byName := map[string]int{}
	for i, d := range res.Documents {
		byName[d.Name] = i
	}
	for _, g := range res.Groups {
		for _, n := range g.Documents {
			add(byName[n])
		}
	}
	for _, p := range res.Pairs {
		add(p.IA)
		add(p.IB)
	}
	if len(order) == 0 {
		return "", true
	}
	all := len(order) <= maxMatrix
	if !all {
		order = order[:maxMatrix]
	}
	pos := map[int]int{}
	for k, i := range order {
		pos[i] = k
	}
	type cell struct {
		share float64
		pair  int
		other float64
	}
	n := len(order)
	cells := make([]cell, n*n)
	for k, p := range res.Pairs {
		a, okA := pos[p.IA]
		b, okB := pos[p.IB]
		if !okA || !okB || k >= maxPairRows {
			continue
		}
		cells[a*n+b] = cell{p.SimilarityA, k + 1, p.SimilarityB}
		cells[b*n+a] = cell{p.SimilarityB, k + 1, p.SimilarityA}
	}
	const size, label = 16, 190
	width, height := label+n*size+4, 24+n*size+4
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="matrix" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-labelledby="matrix-title matrix-desc">`,
		width, height, width, height)
	b.WriteString(`<title id="matrix-title">Similarity matrix</title>`)
	b.WriteString(`<desc id="matrix-desc">Each row is a document; a cell is darker the more of the row document's words it shares with the column document. Numbers are in each cell's tooltip and in the table of pairs.</desc>`)
	for k := range n {
		fmt.Fprintf(&b, `<text class="mx-col" x="%d" y="18" text-anchor="middle">%d</text>`, label+k*size+size/2, k+1)
	}
	for r, i := range order {
		name := res.Documents[i].Name
		if utf8.RuneCountInString(name) > 24 {
			name = string([]rune(name)[:23]) + "…"
		}
		y := 24 + r*size
		fmt.Fprintf(&b, `<text class="mx-row" x="%d" y="%d" text-anchor="end">%s %d</text>`, label-6, y+size-3, template.HTMLEscapeString(name), r+1)
		for c, j := range order {
			x := label + c*size
			if r == c {
				fmt.Fprintf(&b, `<rect class="mx-self" x="%d" y="%d" width="%d" height="%d"/>`, x, y, size-1, size-1)
				continue
			}
			cl := cells[r*n+c]
			if cl.pair == 0 {
				fmt.Fprintf(&b, `<rect class="mx-empty" x="%d" y="%d" width="%d" height="%d"/>`, x, y, size-1, size-1)
				continue
			}
			tip := fmt.Sprintf("%s shares %s of its words with %s (%s of %s)", res.Documents[i].Name, percent(cl.share), res.Documents[j].Name, percent(cl.other), res.Documents[j].Name)
			fmt.Fprintf(&b, `<a href="#pair-%d"><rect class="mx-cell" x="%d" y="%d" width="%d" height="%d" fill-opacity="%.2f"><title>%s</title></rect></a>`,
				cl.pair, x, y, size-1, size-1, 0.15+0.85*cl.share, template.HTMLEscapeString(tip))
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()), all
}

// comparePair opens one pair side by side, with the check's report view:
// POST /compare/pair, from the report page's pair form, which carries the
// documents (nothing was kept on the server).
func (s *Server) comparePairPost(w http.ResponseWriter, r *http.Request) error {
	req, err := readCompare(r.Context(), r, true)
	if err != nil {
		return err
	}
	ia, ib := req.pair[0], req.pair[1]
	if ia >= len(req.docs) || ib >= len(req.docs) {
		return ibid.Errorf(ibid.EINVALID, "The pair to open is not among the documents.")
	}
	a, b := req.docs[ia], req.docs[ib]
	v, err := pairReport(r.Context(), a, b, compare.NewHandout(req.exclude))
	if err != nil {
		return err
	}
	p := s.newPage(r, a.Name+" and "+b.Name)
	p.NoIndex = true
	p.Data = &checkView{Enabled: true, Limits: checkLimits, Report: v}
	w.Header().Set("Cache-Control", "no-store")
	return s.renderNoStore(w, "check", p)
}

// pairReport aligns a with b as a check would align a with a library
// essay, and builds the check's report view of it, b in the source's place.
func pairReport(ctx context.Context, a, b compare.Document, handout *compare.Handout) (*reportView, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	ta, wordsA, _, _ := handout.Prepare(a.Text, originality.Options{})
	tb, wordsB, _, _ := handout.Prepare(b.Text, originality.Options{})
	als := originality.AlignTexts(ta, tb, originality.Options{})
	rep := &ibid.Report{Words: wordsA, Spin: spin.Detect(a.Text)}
	var sa, sb []ibid.Span
	var ps []ibid.Passage
	for _, al := range als {
		sa, sb = append(sa, al.Submitted), append(sb, al.Source)
		ps = append(ps, ibid.Passage{Kind: al.Kind, Submitted: al.Submitted, Source: al.Source})
	}
	rep.Similarity = shareOf(ta.Covered(sa), wordsA)
	if len(ps) > 0 {
		rep.Sources = []ibid.SourceMatch{{Title: b.Name, Similarity: rep.Similarity, Passages: ps}}
	}
	src := []rune(b.Text)
	v, err := reportViewFrom(a.Text, rep, func(string) ([]rune, error) { return src, nil }, func(string, ibid.Span) string { return "" })
	if err != nil {
		return nil, err
	}
	v.Pair = &pairHead{A: a.Name, B: b.Name, PercentA: percent(rep.Similarity), PercentB: percent(shareOf(tb.Covered(sb), wordsB))}
	v.Verdict = fmt.Sprintf("%s of %s is in passages it shares with %s; they cover %s of %s.", v.Pair.PercentA, a.Name, b.Name, v.Pair.PercentB, b.Name)
	return v, nil
}

// pairHead is what the report view shows of a pair instead of a check's
// source list.
type pairHead struct {
	A, B               string
	PercentA, PercentB string
}

func shareOf(n, total int) float64 {
	if total == 0 {
		return 0
	}
	return min(1, float64(n)/float64(total))
}
