package pdf

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	lpdf "github.com/ledongthuc/pdf"

	"github.com/ibid-dev/ibid"
)

var outDir = flag.String("out", "", "also write the test PDFs to this directory, to look at them")

func fixedNow() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }

func newExporter(t testing.TB, opt Options) *Exporter {
	t.Helper()
	if opt.Now == nil {
		opt.Now = fixedNow
	}
	x, err := New(opt)
	if err != nil {
		t.Fatal(err)
	}
	return x
}

func export(t testing.TB, opt Options, e *ibid.Essay) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := newExporter(t, opt).Export(&buf, e); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func save(t *testing.T, name string, b []byte) {
	t.Helper()
	if *outDir == "" {
		return
	}
	if err := os.WriteFile(filepath.Join(*outDir, name), b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// open parses a PDF with an independent reader (not fpdf).
func open(t *testing.T, b []byte) *lpdf.Reader {
	t.Helper()
	r, err := lpdf.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("output is not a readable PDF: %v", err)
	}
	return r
}

func flatten(o lpdf.Outline, depth int, out *[]string) {
	for _, c := range o.Child {
		*out = append(*out, fmt.Sprintf("%d %s", depth, c.Title))
		flatten(c, depth+1, out)
	}
}

var siteOpts = Options{SiteName: "ibid library", BaseURL: "https://essays.example.org/"}

func TestStructure(t *testing.T) {
	e := sampleEssay(3836)
	opt := siteOpts
	opt.Fallback = SystemFallbacks()
	b := export(t, opt, e)
	save(t, "sample.pdf", b)
	r := open(t, b)

	// 3,836 words are "8 pages" by the site convention; a typeset page of
	// 11pt text holds about as much, so the PDF should be close to it.
	if n := r.NumPage(); n < 7 || n > 10 {
		t.Errorf("the %d-word essay has %d pages, want 7–10", e.Words, n)
	}

	var got, want []string
	flatten(r.Outline(), 0, &got)
	prev := -1
	for _, bl := range e.Blocks {
		if bl.Type == ibid.Heading {
			lv := min(bl.Level-1, prev+1)
			prev = lv
			want = append(want, fmt.Sprintf("%d %s", lv, bl.Text))
		}
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("outline:\n%s\nwant the headings:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	info := r.Trailer().Key("Info")
	for key, want := range map[string]string{
		"Title":        e.Title,
		"Author":       e.Author,
		"Subject":      e.Subject,
		"Keywords":     "Diplomacy, Music",
		"Creator":      "ibid",
		"CreationDate": "D:20260102030405",
	} {
		if got := info.Key(key).Text(); got != want {
			t.Errorf("Info %s = %q, want %q", key, got, want)
		}
	}

	// The essay's address is a link somewhere in the document.
	url := "https://essays.example.org/essays/the-treaty-and-the-symphony"
	found := false
	for p := 1; p <= r.NumPage(); p++ {
		annots := r.Page(p).V.Key("Annots")
		for i := 0; i < annots.Len(); i++ {
			if annots.Index(i).Key("A").Key("URI").RawString() == url {
				found = true
			}
		}
	}
	if !found {
		t.Errorf("no link to %s", url)
	}
	if w, h := pageSize(r); w != 595.28 || h != 841.89 {
		t.Errorf("A4 page is %v × %v", w, h)
	}
}

func TestLetter(t *testing.T) {
	b := export(t, Options{PageSize: "Letter"}, sampleEssay(300))
	if w, h := pageSize(open(t, b)); w != 612 || h != 792 {
		t.Errorf("Letter page is %v × %v, want 612 × 792", w, h)
	}
}

// pageSize is the media box of the first page, which fpdf sets on the page
// tree.
func pageSize(r *lpdf.Reader) (w, h float64) {
	mb := r.Page(1).V.Key("MediaBox")
	if mb.IsNull() {
		mb = r.Trailer().Key("Root").Key("Pages").Key("MediaBox")
	}
	return mb.Index(2).Float64(), mb.Index(3).Float64()
}

func TestDeterministic(t *testing.T) {
	e := sampleEssay(1500)
	a := export(t, siteOpts, e)
	b := export(t, siteOpts, e)
	if !bytes.Equal(a, b) {
		t.Error("two exports of the same essay differ")
	}
	later := siteOpts
	later.Now = func() time.Time { return fixedNow().Add(time.Hour) }
	if c := export(t, later, e); bytes.Equal(a, c) {
		t.Error("the creation date does not reach the output")
	}
}

func TestNewErrors(t *testing.T) {
	for _, opt := range []Options{
		{PageSize: "A5"},
		{Fonts: Fonts{Bold: "x.ttf"}},
		{Fonts: Fonts{Regular: filepath.Join(t.TempDir(), "missing.ttf")}},
		{Fallback: []string{"pdf_test.go"}},
	} {
		if _, err := New(opt); ibid.ErrorCode(err) != ibid.EINVALID {
			t.Errorf("New(%+v) = %v, want an EINVALID error", opt, err)
		}
	}
}

func TestFormat(t *testing.T) {
	ext, label, ct := newExporter(t, Options{}).Format()
	if ext != "pdf" || label != "PDF" || ct != "application/pdf" {
		t.Errorf("Format() = %q, %q, %q", ext, label, ct)
	}
}

func TestMetaLine(t *testing.T) {
	for _, c := range []struct {
		words int
		pub   time.Time
		want  string
	}{
		// No page estimate: the footer gives the document's own count.
		{3836, time.Date(2020, 9, 17, 0, 0, 0, 0, time.UTC), "3,836 words · 16 min read · Published 17 Sep 2020"},
		{1, time.Time{}, "1 word · 1 min read"},
		{1234567, time.Time{}, "1,234,567 words · 5,187 min read"},
	} {
		if got := metaLine(&ibid.Essay{Words: c.words, Published: c.pub}); got != c.want {
			t.Errorf("metaLine(%d) = %q, want %q", c.words, got, c.want)
		}
	}
	// Without a stored count the line counts the blocks.
	e := &ibid.Essay{Blocks: []ibid.Block{{Type: ibid.Paragraph, Text: "Two words"}}}
	if got := metaLine(e); !strings.HasPrefix(got, "2 words ·") {
		t.Errorf("metaLine without Words = %q", got)
	}
}

func TestMarkup(t *testing.T) {
	got := markup(`Novák, A. (2020). <i>The treaty &amp; the symphony</i>. <span class="x">ibid</span> <b>bold <i>both</i></b> a < b`)
	want := []run{
		{"Novák, A. (2020). ", regular},
		{"The treaty & the symphony", italic},
		{". ", regular},
		{"ibid", regular},
		{" ", regular},
		{"bold ", bold},
		{"both", boldItalic},
		{" a ", regular},
		{"< b", regular},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("markup:\n got %v\nwant %v", got, want)
	}
}

// pdftotext runs poppler's pdftotext on b with the given options, skipping
// the test when it is not installed.
func pdftotext(t *testing.T, b []byte, args ...string) string {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext (poppler-utils) is not installed")
	}
	f := filepath.Join(t.TempDir(), "in.pdf")
	if err := os.WriteFile(f, b, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", append(append([]string{"-enc", "UTF-8"}, args...), f, "-")...).Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

// bodyArea is the pdftotext crop of A4 pages without the running header and
// the page number.
var bodyArea = []string{"-x", "0", "-y", "62", "-W", "596", "-H", "730"}

// expectedFields is what a reader sees, word by word (split at white space
// so that punctuation counts too), in the body area of the PDF of e with the
// default cite box.
func expectedFields(e *ibid.Essay, opt Options, url string) []string {
	var s []string
	add := func(t string) { s = append(s, strings.Fields(t)...) }
	add(e.Subject + " › " + e.Topics[0])
	add(e.Title)
	add(e.Author)
	add(metaLine(e))
	for _, b := range e.Blocks {
		if b.Type != ibid.List {
			add(b.Text)
			continue
		}
		for i, it := range b.Items {
			if b.Ordered {
				add(strconv.Itoa(i+1) + ".")
			} else {
				add("•")
			}
			add(it)
		}
	}
	add("Cite this essay")
	add("Title " + e.Title)
	add("Author " + e.Author)
	add("Published " + e.Published.Format("2 January 2006"))
	add("Site " + opt.SiteName)
	add("URL " + url)
	return s
}

func TestPdftotext(t *testing.T) {
	e := sampleEssay(3836)
	for _, n := range []string{"“", "”", "—", "–", "Молотов", "Ἀθῆναι", "Dvořák"} {
		if !strings.Contains(e.Text, n) {
			t.Fatalf("the sample essay lacks %q; the test would prove nothing", n)
		}
	}
	opt := siteOpts
	opt.Fallback = SystemFallbacks()
	b := export(t, opt, e)
	got := strings.Fields(pdftotext(t, b, bodyArea...))
	want := expectedFields(e, opt, "https://essays.example.org/essays/the-treaty-and-the-symphony")
	diffFields(t, got, want)
}

func diffFields(t *testing.T, got, want []string) {
	t.Helper()
	for i := 0; i < len(got) && i < len(want); i++ {
		if got[i] != want[i] {
			lo := max(0, i-8)
			t.Fatalf("pdftotext word %d is %q, want %q\n got …%s…\nwant …%s…", i, got[i], want[i],
				strings.Join(got[lo:min(len(got), i+8)], " "), strings.Join(want[lo:min(len(want), i+8)], " "))
		}
	}
	if len(got) != len(want) {
		t.Fatalf("pdftotext gives %d words, want %d; tail %q", len(got), len(want), got[min(len(got), len(want)):])
	}
}

var bboxRe = regexp.MustCompile(`<word xMin="([0-9.]+)" yMin="([0-9.]+)" xMax="([0-9.]+)" yMax="([0-9.]+)">([^<]*)</word>`)

// TestMargins checks with pdftotext's word boxes that every word of the
// body lies inside the text block: justification and the cutting of long
// words never push text into the margin.
func TestMargins(t *testing.T) {
	e := sampleEssay(3836)
	e.Blocks = append(e.Blocks, ibid.Block{Type: ibid.Paragraph, Text: "Before " + strings.Repeat("abcdefghij", 200) + " after."})
	b := export(t, siteOpts, e)
	out := pdftotext(t, b, append([]string{"-bbox"}, bodyArea...)...)
	words := bboxRe.FindAllStringSubmatch(out, -1)
	if len(words) < 3800 {
		t.Fatalf("only %d word boxes", len(words))
	}
	left, right := a4.left, a4.w-a4.right
	flush := 0
	for _, w := range words {
		x0, _ := strconv.ParseFloat(w[1], 64)
		x1, _ := strconv.ParseFloat(w[3], 64)
		if x0 < left-0.5 || x1 > right+0.5 {
			t.Errorf("word %q spans x %.1f–%.1f, outside the text block %.1f–%.1f", w[5], x0, x1, left, right)
		}
		if x1 > right-0.5 {
			flush++
		}
	}
	// Justified paragraphs end most of their lines at the right margin:
	// the essay has some 320 lines, 45 paragraphs, quotes and lists.
	if flush < 200 {
		t.Errorf("only %d words end at the right margin; is the text justified?", flush)
	}
	// The 2,000-letter word is cut across lines, not lost.
	if txt := strings.Join(strings.Fields(pdftotext(t, b, bodyArea...)), ""); !strings.Contains(txt, strings.Repeat("abcdefghij", 200)) {
		t.Error("the long word does not survive")
	}
}

func TestCiteEntries(t *testing.T) {
	opt := siteOpts
	opt.Cite = func(e *ibid.Essay) []CiteEntry {
		return []CiteEntry{
			{Style: "APA", Text: "Novák, A. (2020, September 17). <i>" + e.Title + "</i>. ibid library. https://essays.example.org/essays/x"},
			{Style: "MLA", Text: "Novák, Ana. “" + e.Title + ".” <i>ibid library</i>, 17 Sept. 2020."},
		}
	}
	e := sampleEssay(200)
	b := export(t, opt, e)
	save(t, "cite.pdf", b)
	txt := strings.Join(strings.Fields(pdftotext(t, b, bodyArea...)), " ")
	i := strings.Index(txt, "Cite this essay")
	if i < 0 {
		t.Fatalf("no cite box in %q", txt)
	}
	want := "Cite this essay APA Novák, A. (2020, September 17). The Treaty and the Symphony: Molotov, Dvořák and the Long Shadow of 1939. ibid library. https://essays.example.org/essays/x MLA Novák, Ana. “The Treaty and the Symphony: Molotov, Dvořák and the Long Shadow of 1939.” ibid library, 17 Sept. 2020."
	if txt[i:] != want {
		t.Errorf("cite box reads\n%q\nwant\n%q", txt[i:], want)
	}
}

// TestUserFonts sets the essay in DejaVu Serif, when Debian's
// fonts-dejavu-core is installed: a face that has polytonic Greek itself.
func TestUserFonts(t *testing.T) {
	fs := SystemSerif()
	if fs == (Fonts{}) {
		t.Skip("DejaVu Serif is not installed (fonts-dejavu-core)")
	}
	x := newExporter(t, Options{Fonts: fs})
	for _, r := range "Ἀθῆναι Молотов" {
		if k, _ := (&doc{x: x}).pick(regular, r); k != regular {
			t.Errorf("%q is not drawn by the text face", r)
		}
	}
	e := sampleEssay(1200)
	var buf bytes.Buffer
	if err := x.Export(&buf, e); err != nil {
		t.Fatal(err)
	}
	save(t, "dejavu.pdf", buf.Bytes())
	// fpdf names embedded fonts "utf8" + the family, in lower case.
	if !bytes.Contains(buf.Bytes(), []byte("/BaseFont /utf8dejavuserif")) {
		t.Error("the PDF does not embed DejaVu Serif")
	}
	if bytes.Contains(buf.Bytes(), []byte("/BaseFont /utf8go")) {
		t.Error("the PDF still embeds a Go font")
	}
}

// TestConcurrent exports from one Exporter in parallel, as the web server
// does; run with -race it checks that documents share nothing mutable.
func TestConcurrent(t *testing.T) {
	x := newExporter(t, Options{Fallback: SystemFallbacks()})
	e := sampleEssay(800)
	want := export(t, Options{Fallback: SystemFallbacks()}, e)
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			var buf bytes.Buffer
			err := x.Export(&buf, e)
			if err == nil && !bytes.Equal(buf.Bytes(), want) {
				err = fmt.Errorf("a concurrent export differs")
			}
			errs <- err
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

// TestNoHoles checks that a line left short by a long address that follows
// is set ragged, not stretched into three words with holes between them.
func TestNoHoles(t *testing.T) {
	url := "https://example.org/" + strings.Repeat("archive/", 8) + "letters-1892-1895"
	e := &ibid.Essay{Title: "Holes", Blocks: []ibid.Block{{Type: ibid.Paragraph, Text: "A link to " + url + " and some more words after it so that the paragraph goes on."}}}
	out := pdftotext(t, export(t, Options{}, e), append([]string{"-bbox"}, bodyArea...)...)
	for _, w := range bboxRe.FindAllStringSubmatch(out, -1) {
		if w[5] == "to" {
			if x1, _ := strconv.ParseFloat(w[3], 64); x1 > a4.w-a4.right-100 {
				t.Errorf(`"to" ends at x %.1f: the short line was stretched`, x1)
			}
			return
		}
	}
	t.Fatal(`no word "to" in the PDF`)
}

// TestPDFSyntax puts the characters that PDF strings escape, and a few
// that need a fallback font or none, into text and reads them back.
func TestPDFSyntax(t *testing.T) {
	s := `Parens (a) ((b)) ) ( backslash \ \\ \n percent 100% brackets [x] {y} <z> #1 & ‘single’ “double” – — … € № ½ ß Æ ĳ ŉ Ω ж ё`
	e := &ibid.Essay{Title: "Syntax", Blocks: []ibid.Block{{Type: ibid.Paragraph, Text: s}}}
	got := strings.Join(strings.Fields(pdftotext(t, export(t, Options{Fallback: SystemFallbacks()}, e), bodyArea...)), " ")
	if !strings.Contains(got, s) {
		t.Errorf("pdftotext gives\n%s\nwant it to contain\n%s", got, s)
	}
}
