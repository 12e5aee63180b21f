package extract

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ibid-dev/ibid"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// withGoPDF makes the PDF extractor use the pure-Go reader for one test.
func withGoPDF(t testing.TB) {
	old := lookPdftotext
	lookPdftotext = func() (string, bool) { return "", false }
	t.Cleanup(func() { lookPdftotext = old })
}

// needPdftotext skips a test when poppler's pdftotext is not installed.
func needPdftotext(t testing.TB) {
	if _, ok := lookPdftotext(); !ok {
		t.Skip("pdftotext (poppler-utils) is not on PATH")
	}
}

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestGolden extracts one fixture per format and compares the Document,
// as indented JSON, with testdata/golden/NAME.json.
func TestGolden(t *testing.T) {
	tests := []struct {
		golden string
		file   string // the name passed to Read; its extension picks the format
		data   func(t *testing.T) []byte
		setup  func(t *testing.T)
	}{
		{"txt", "essay.txt", func(t *testing.T) []byte { return readFixture(t, "essay.txt") }, nil},
		{"txt_cp1252", "cafe-culture.txt", func(t *testing.T) []byte { return readFixture(t, "cp1252.txt") }, nil},
		{"md", "essay.md", func(t *testing.T) []byte { return readFixture(t, "essay.md") }, nil},
		{"html", "essay.html", func(t *testing.T) []byte { return readFixture(t, "essay.html") }, nil},
		{"docx", "nile.docx", func(t *testing.T) []byte { return testDOCX(t) }, nil},
		{"pdf_go", "silk-roads.pdf", func(t *testing.T) []byte { return testPDF(t) }, withGoPDFT},
		{"pdf_pdftotext", "silk-roads.pdf", func(t *testing.T) []byte { return testPDF(t) }, needPdftotextT},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			if tt.setup != nil {
				tt.setup(t)
			}
			doc, err := Read(tt.file, tt.data(t), Options{})
			if err != nil {
				t.Fatalf("Read(%s): %v", tt.file, err)
			}
			got, err := json.MarshalIndent(doc, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			path := filepath.Join("testdata", "golden", tt.golden+".json")
			if *update {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from %s (go test -update rewrites it):\n%s", tt.file, path, got)
			}
		})
	}
}

func withGoPDFT(t *testing.T)     { withGoPDF(t) }
func needPdftotextT(t *testing.T) { needPdftotext(t) }

// TestPDFPathsAgree checks that pdftotext and the Go reader rebuild the
// same document from the test PDF.
func TestPDFPathsAgree(t *testing.T) {
	needPdftotext(t)
	data := testPDF(t)
	viaTool, err := Read("a.pdf", data, Options{})
	if err != nil {
		t.Fatal(err)
	}
	withGoPDF(t)
	viaGo, err := Read("a.pdf", data, Options{})
	if err != nil {
		t.Fatal(err)
	}
	a, _ := json.Marshal(viaTool)
	b, _ := json.Marshal(viaGo)
	if !bytes.Equal(a, b) {
		t.Errorf("pdftotext and Go reader disagree:\n%s\n%s", a, b)
	}
}

// TestBadInput checks that each kind of bad file gets its error code and
// its one-line message.
func TestBadInput(t *testing.T) {
	bigDoc := wordDocument(strings.Repeat(wp("", 0, 0, "All work and no play."), 40000))
	deep := wordDocument(strings.Repeat("<w:sdt>", 300) + wp("", 0, 0, "deep") + strings.Repeat("</w:sdt>", 300))
	var manyParts []part
	for i := 0; i <= maxZipEntries; i++ {
		manyParts = append(manyParts, part{name: "media/" + strings.Repeat("x", i%7) + string(rune('a'+i%26)) + itoa(i), body: ""})
	}
	manyParts = append(manyParts, part{"word/document.xml", wordDocument(wp("", 0, 0, "text"))})
	binary := make([]byte, 512)
	for i := range binary {
		binary[i] = byte(i * 7)
	}
	controls := bytes.Repeat([]byte("ab\x01\x02\x03\x04\x05\x06"), 64)
	small := Options{MaxUnpacked: 1 << 20}

	tests := []struct {
		name    string
		file    string
		data    func(t *testing.T) []byte
		opt     Options
		goPDF   bool
		code    string
		message string // a message ending in "…" is a prefix
	}{
		{"empty txt", "a.txt", lit(""), Options{}, false, ibid.EINVALID, "empty file"},
		{"empty md", "a.md", lit(""), Options{}, false, ibid.EINVALID, "empty file"},
		{"empty pdf", "a.pdf", lit(""), Options{}, false, ibid.EINVALID, "empty file"},
		{"blank txt", "a.txt", lit(" \n\t\r\n  \n"), Options{}, false, ibid.EINVALID, "no text found"},
		{"binary txt", "a.txt", lit(string(binary)), Options{}, false, ibid.EINVALID, "binary data, not text"},
		{"control characters", "a.txt", lit(string(controls)), Options{}, false, ibid.EINVALID, "binary data, not text"},
		{"binary md", "a.md", lit("\x00\x01PNG"), Options{}, false, ibid.EINVALID, "binary data, not text"},
		{"unsupported", "notes.xyz", lit("hello"), Options{}, false, ibid.EINVALID, "unsupported file type .xyz (supported: .txt, .md, .markdown, .html, .htm, .docx, .pdf)"},
		{"control characters in the extension", "a.x\ny", lit("hello"), Options{}, false, ibid.EINVALID, "unsupported file type .x?y (supported: …"},
		{"no extension", "README", lit("hello"), Options{}, false, ibid.EINVALID, `file "README" has no extension (supported: …`},
		{"too large", "a.txt", lit(strings.Repeat("x", 2048)), Options{MaxBytes: 1024}, false, ibid.ETOOLARGE, "file is 2 KB; the limit is 1 KB"},
		{"markdown quotes too deep", "a.md", lit(strings.Repeat(">", 300) + " x"), Options{}, false, ibid.EINVALID, "Markdown is nested deeper than 256 levels"},
		{"markdown lists too deep", "a.md", func(t *testing.T) []byte {
			var b strings.Builder
			for i := range 300 {
				b.WriteString(strings.Repeat(" ", 2*i) + "- item\n")
			}
			return []byte(b.String())
		}, Options{}, false, ibid.EINVALID, "Markdown is nested deeper than 256 levels"},
		{"html scripts only", "a.html", lit("<html><head><script>alert(1)</script><style>p{}</style></head><body><script>x()</script><nav>Home</nav></body></html>"), Options{}, false, ibid.EINVALID, "no text found"},
		{"html too deep", "a.html", lit(strings.Repeat("<div>", 400) + "deep"), Options{}, false, ibid.EINVALID, "HTML is nested deeper than 256 levels"},
		{"0-byte docx", "a.docx", lit(""), Options{}, false, ibid.EINVALID, "not a Word document (zip header missing)"},
		{"text as docx", "a.docx", lit("Just some text."), Options{}, false, ibid.EINVALID, "not a Word document (zip header missing)"},
		{"corrupt docx", "a.docx", lit("PK\x03\x04\x14\x00\x00\x00garbage garbage garbage"), Options{}, false, ibid.EINVALID, "not a Word document (corrupt zip archive)"},
		{"truncated docx", "a.docx", func(t *testing.T) []byte { d := testDOCX(t); return d[:len(d)/2] }, Options{}, false, ibid.EINVALID, "not a Word document (corrupt zip archive)"},
		{"zip without document", "a.docx", func(t *testing.T) []byte { return buildZip(t, part{"word/styles.xml", testStyles}) }, Options{}, false, ibid.EINVALID, "not a Word document (word/document.xml missing)"},
		{"malformed document.xml", "a.docx", func(t *testing.T) []byte {
			return buildZip(t, part{"word/document.xml", "<w:document><w:body><w:p>"})
		}, Options{}, false, ibid.EINVALID, "not a Word document (corrupt word/document.xml)"},
		{"zip bomb", "a.docx", func(t *testing.T) []byte { return buildZip(t, part{"word/document.xml", bigDoc}) }, small, false, ibid.ETOOLARGE, "Word document unpacks to more than 1 MB"},
		{"zip bomb with lying sizes", "a.docx", func(t *testing.T) []byte { return lyingZip(t, "word/document.xml", bigDoc, 1000) }, small, false, ibid.EINVALID, "not a Word document (corrupt zip archive)"},
		{"deeply nested xml", "a.docx", func(t *testing.T) []byte { return buildZip(t, part{"word/document.xml", deep}) }, Options{}, false, ibid.EINVALID, "Word document XML is nested deeper than 256 levels"},
		{"deeply nested styles", "a.docx", func(t *testing.T) []byte {
			return buildZip(t, part{"word/document.xml", wordDocument(wp("", 0, 0, "x"))}, part{"word/styles.xml", strings.Repeat("<a>", 50) + strings.Repeat("</a>", 50)})
		}, Options{MaxXMLDepth: 20}, false, ibid.EINVALID, "Word document XML is nested deeper than 20 levels"},
		{"too many zip entries", "a.docx", func(t *testing.T) []byte { return buildZip(t, manyParts...) }, Options{}, false, ibid.ETOOLARGE, "Word document has more than 10,000 parts"},
		{"empty docx body", "a.docx", func(t *testing.T) []byte {
			return buildZip(t, part{"word/document.xml", wordDocument(wp("", 0, 0, " "))})
		}, Options{}, false, ibid.EINVALID, "no text found"},
		{"pdf header missing", "a.pdf", lit("GIF89a not a pdf at all"), Options{}, false, ibid.EINVALID, "not a readable PDF: the %PDF header is missing"},
		{"pdf scanned (go)", "a.pdf", func(t *testing.T) []byte { return buildPDF(t, nil, nil) }, Options{}, true, ibid.EINVALID, "PDF has no text layer (scanned image?)"},
		{"pdf broken (go)", "a.pdf", lit("%PDF-1.4\n1 0 obj garbage\n%%EOF\n"), Options{}, true, ibid.EINVALID, "not a readable PDF: …"},
		{"pdf truncated (go)", "a.pdf", func(t *testing.T) []byte { d := testPDF(t); return d[:len(d)/3] }, Options{}, true, ibid.EINVALID, "not a readable PDF: …"},
		{"pdf panicking content (go)", "a.pdf", func(t *testing.T) []byte { return rawContentPDF(t, "BT /F1 Tf (x) Tj ET") }, Options{}, true, ibid.EINVALID, "not a readable PDF: …"},
		{"pdf content bomb (go)", "a.pdf", func(t *testing.T) []byte {
			return flateContentPDF(t, strings.Repeat("BT /F1 12 Tf 72 700 Td (aaaaaaaa) Tj ET\n", 1<<15))
		}, Options{MaxUnpacked: 1 << 20}, true, ibid.ETOOLARGE, "PDF content unpacks to more than 1 MB"},
		{"pdf scanned (pdftotext)", "a.pdf", func(t *testing.T) []byte { return buildPDF(t, nil, nil) }, Options{}, false, ibid.EINVALID, "PDF has no text layer (scanned image?)"},
		{"pdf broken (pdftotext)", "a.pdf", lit("%PDF-1.4\n1 0 obj garbage\n%%EOF\n"), Options{}, false, ibid.EINVALID, "not a readable PDF: …"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.goPDF {
				withGoPDF(t)
			} else if strings.HasSuffix(tt.name, "(pdftotext)") {
				needPdftotext(t)
			}
			doc, err := Read(tt.file, tt.data(t), tt.opt)
			if err == nil {
				t.Fatalf("Read(%s) = %+v, want an error", tt.file, doc)
			}
			var e *ibid.Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v (%T) is not an *ibid.Error", err, err)
			}
			if e.Code != tt.code {
				t.Errorf("code = %q, want %q (%v)", e.Code, tt.code, err)
			}
			if prefix, ok := strings.CutSuffix(tt.message, "…"); ok {
				if !strings.HasPrefix(e.Message, prefix) || len(e.Message) == len(prefix) {
					t.Errorf("message = %q, want %q followed by a reason", e.Message, prefix)
				}
			} else if e.Message != tt.message {
				t.Errorf("message = %q, want %q", e.Message, tt.message)
			}
			if strings.ContainsAny(e.Message, "\n\r") {
				t.Errorf("message %q is not one line", e.Message)
			}
		})
	}
}

func lit(s string) func(*testing.T) []byte { return func(*testing.T) []byte { return []byte(s) } }

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var b []byte
	for ; i > 0; i /= 10 {
		b = append([]byte{byte('0' + i%10)}, b...)
	}
	return string(b)
}

// TestHTMLNeverLeaksCode checks that scripts, handlers, javascript: URLs
// and page furniture do not reach the document.
func TestHTMLNeverLeaksCode(t *testing.T) {
	doc, err := Read("essay.html", readFixture(t, "essay.html"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	out, _ := json.Marshal(doc)
	for _, bad := range []string{"javascript", "alert", "steal", "onclick", "tracking", "color: red",
		"newsletter", "Home", "Next essay", "Hidden", "Also hidden", "enable JavaScript", "search",
		"vector text", "template text", "Example Essays", "By Jan Example"} {
		if bytes.Contains(out, []byte(bad)) {
			t.Errorf("output contains %q: %s", bad, out)
		}
	}
	for _, good := range []string{"a woodcut", "Cheap pamphlets", "in small formats."} {
		if !bytes.Contains(out, []byte(good)) {
			t.Errorf("output lacks %q", good)
		}
	}
}

// TestHTMLRoot checks the choice of the part of a page that is the essay.
func TestHTMLRoot(t *testing.T) {
	tests := []struct {
		name, page, want string
	}{
		{"article wins", `<body><p>Outside.</p><main><p>In main.</p><article><p>In article.</p></article></main></body>`, "In article."},
		{"main without article", `<body><p>Outside.</p><main><p>In main.</p></main></body>`, "In main."},
		{"role main", `<body><div>Outside.</div><div role="main"><p>In main.</p></div></body>`, "In main."},
		{"body", `<body><p>One.</p><div>Two <span>three</span></div></body>`, "One.\n\nTwo three"},
		{"fragment without body", `<p>Loose text.</p>`, "Loose text."},
		{"table rows", `<table><tr><td>a</td><td>b</td></tr><tr><th>c</th></tr></table>`, "a b\n\nc"},
		{"display none", `<p style="display: none">gone</p><p>kept</p>`, "kept"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := Read("page.html", []byte(tt.page), Options{})
			if err != nil {
				t.Fatal(err)
			}
			if got := doc.Text(); got != tt.want {
				t.Errorf("text = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestTitle(t *testing.T) {
	tests := []struct {
		name, file, data, title, text string
	}{
		{"from file name", "soviet-policy_1917.txt", "Most of the essay is this sentence.", "Soviet policy 1917", "Most of the essay is this sentence."},
		{"file name in a folder", "/essays/the.long_march.md", "Text.", "The long march", "Text."},
		{"leading markdown h1 removed", "a.md", "# The Title\n\nBody text.\n\n## Part\n\nMore.", "The Title", "Body text.\n\nPart\n\nMore."},
		{"front matter title drops the repeated h1", "a.md", "---\ntitle: Same\n---\n# Same\n\nBody.", "Same", "Body."},
		{"front matter title keeps another h1", "a.md", "---\ntitle: Meta\n---\n# Other\n\nBody.", "Meta", "Other\n\nBody."},
		{"h2 after a paragraph is no title", "a.md", "Intro.\n\n## Part\n\nBody.", "A", "Intro.\n\nPart\n\nBody."},
		{"txt first line", "x.txt", "A Title Line\n\nThe body of the essay.", "A Title Line", "The body of the essay."},
		{"a stock section name is no title", "the-essay.txt", "Introduction\n\nThe body of the essay.", "The essay", "Introduction\n\nThe body of the essay."},
		{"html og:title beats title", "a.html", `<head><title>T | Site</title><meta property="og:title" content="OG"></head><p>Body.</p>`, "OG", "Body."},
		{"html first h1", "a.html", `<body><h1>Heading One</h1><p>Body.</p></body>`, "Heading One", "Body."},
		{"html h1 inside a dropped header", "a.html", `<header><h1>Head</h1></header><p>Body.</p>`, "Head", "Body."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := Read(tt.file, []byte(tt.data), Options{})
			if err != nil {
				t.Fatal(err)
			}
			if doc.Title != tt.title {
				t.Errorf("title = %q, want %q", doc.Title, tt.title)
			}
			if got := doc.Text(); got != tt.text {
				t.Errorf("text = %q, want %q", got, tt.text)
			}
		})
	}
}

// TestDOCXTitleStyle checks that the Title-style paragraph wins over a
// stale core.xml title and does not push the real sections down a level.
func TestDOCXTitleStyle(t *testing.T) {
	data := buildZip(t,
		part{"word/document.xml", wordDocument(wp("Title", 0, 0, "Real Title") + wp("Heading1", 0, 0, "Section") + wp("", 0, 0, "Body."))},
		part{"word/styles.xml", testStyles},
		part{"docProps/core.xml", strings.Replace(testCore, "Water Rights in the Nile Basin", "Template", 1)})
	doc, err := Read("a.docx", data, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if doc.Title != "Real Title" {
		t.Errorf("title = %q", doc.Title)
	}
	want := []ibid.Block{{Type: ibid.Heading, Level: 1, Text: "Section"}, {Type: ibid.Paragraph, Text: "Body."}}
	a, _ := json.Marshal(doc.Blocks)
	b, _ := json.Marshal(want)
	if !bytes.Equal(a, b) {
		t.Errorf("blocks %s, want %s", a, b)
	}
}

func TestHeadingLevels(t *testing.T) {
	tests := []struct {
		name, file, data string
		want             []int
	}{
		{"md h2 h3 become 1 2", "a.md", "Intro.\n\n## A\n\n### B\n\n## C", []int{1, 2, 1}},
		{"md deep levels fold into 3", "a.md", "Intro.\n\n# A\n\n## B\n\n#### C\n\n###### D", []int{1, 2, 3, 3}},
		{"html h4-h6 as 3", "a.html", "<p>Intro.</p><h2>A</h2><h3>B</h3><h5>C</h5><h6>D</h6>", []int{1, 2, 3, 3}},
		{"txt dotted numbers", "a.txt", "Intro text here.\n\n1 Causes\n\nText.\n\n1.2 Economic\n\nText.\n\n1.2.3 Prices\n\nText.", []int{1, 2, 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := Read(tt.file, []byte(tt.data), Options{})
			if err != nil {
				t.Fatal(err)
			}
			var got []int
			for _, b := range doc.Blocks {
				if b.Type == ibid.Heading {
					got = append(got, b.Level)
				}
			}
			if !equalInts(got, tt.want) {
				t.Errorf("levels = %v, want %v", got, tt.want)
			}
		})
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestFrontMatter(t *testing.T) {
	tests := []struct {
		name, fm string
		want     ibid.Document
	}{
		{"dash lists and licence", "title: T\nauthor: 'A. Writer'\ntopics:\n  - war\n  - peace\nlicence: CC0\ndate: 2020-02-29T10:00:00+01:00",
			ibid.Document{Title: "T", Author: "A. Writer", Topics: []string{"war", "peace"}, License: "CC0", Published: time.Date(2020, 2, 29, 9, 0, 0, 0, time.UTC)}},
		{"tags alias and bare list", "title: \"Quoted: title\"\ntags: a, b, a\nlicense: MIT\nsubject: History",
			ibid.Document{Title: "Quoted: title", Topics: []string{"a", "b"}, License: "MIT", Subject: "History"}},
		{"bad date ignored", "title: T\ndate: someday", ibid.Document{Title: "T"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := Read("a.md", []byte("---\n"+tt.fm+"\n---\nBody text."), Options{})
			if err != nil {
				t.Fatal(err)
			}
			got := *doc
			got.Blocks, got.Format = nil, ""
			a, _ := json.Marshal(got)
			b, _ := json.Marshal(tt.want)
			if !bytes.Equal(a, b) {
				t.Errorf("got  %s\nwant %s", a, b)
			}
			if doc.Text() != "Body text." {
				t.Errorf("body = %q", doc.Text())
			}
		})
	}
	// An unclosed "---" is a thematic break, not front matter.
	doc, err := Read("a.md", []byte("---\ntitle: no\n"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if doc.Title != "A" || doc.Text() != "title: no" {
		t.Errorf("unclosed front matter: title %q, text %q", doc.Title, doc.Text())
	}
}

// TestMarkdownPathological checks that input on which goldmark's inline
// parser is superlinear is read as plain text instead, text kept, and
// that ordinary Markdown is not.
func TestMarkdownPathological(t *testing.T) {
	flood := strings.Repeat("[a](", 20000)
	if c := mdCost(flood); c <= mdMaxCost {
		t.Fatalf("mdCost(flood) = %d, not over %d", c, int64(mdMaxCost))
	}
	doc, err := Read("a.md", []byte(flood), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if doc.Text() != flood {
		t.Errorf("flood text changed: %.40q…", doc.Text())
	}
	md := string(readFixture(t, "essay.md"))
	if c := mdCost(strings.Repeat(md+"\n\n", 5000)); c > mdMaxCost/10 {
		t.Errorf("5,000 copies of the fixture cost %d, too close to the limit %d", c, int64(mdMaxCost))
	}
}

func TestTextStructure(t *testing.T) {
	tests := []struct {
		name, data string
		want       []ibid.Block
	}{
		{"crlf and cr", "First line\r\nsecond line.\r\rNext para.\rstill next.",
			[]ibid.Block{{Type: ibid.Paragraph, Text: "First line second line."}, {Type: ibid.Paragraph, Text: "Next para. still next."}}},
		{"bom stripped", "\ufeffHello there, world.", []ibid.Block{{Type: ibid.Paragraph, Text: "Hello there, world."}}},
		{"intro line then list", "Three things:\n- one\n- two\n  continued\n* three",
			[]ibid.Block{{Type: ibid.Paragraph, Text: "Three things:"}, {Type: ibid.List, Items: []string{"one", "two continued", "three"}}}},
		{"list split by blank lines", "Intro text, not a title.\n\n1) a\n\n2) b\n\na) c",
			[]ibid.Block{{Type: ibid.Paragraph, Text: "Intro text, not a title."}, {Type: ibid.List, Ordered: true, Items: []string{"a", "b", "c"}}}},
		{"numbered heading among paragraphs", "Some text here.\n\n1. Introduction\n\nMore text.",
			[]ibid.Block{{Type: ibid.Paragraph, Text: "Some text here."}, {Type: ibid.Heading, Level: 1, Text: "1. Introduction"}, {Type: ibid.Paragraph, Text: "More text."}}},
		{"numbered line next to items is an item", "Intro, see:\n\n1. First Point\n\n2. second point",
			[]ibid.Block{{Type: ibid.Paragraph, Text: "Intro, see:"}, {Type: ibid.List, Ordered: true, Items: []string{"First Point", "second point"}}}},
		{"not markers", "-5 degrees was cold.\n1917. A year.\nAnd so on.",
			[]ibid.Block{{Type: ibid.Paragraph, Text: "-5 degrees was cold. 1917. A year. And so on."}}},
		{"quote lines", "Said:\n\n> one\n>> two", []ibid.Block{{Type: ibid.Paragraph, Text: "Said:"}, {Type: ibid.Quote, Text: "one two"}}},
		{"rules dropped", "Text here.\n\n* * *\n\n-----\n\nMore.", []ibid.Block{{Type: ibid.Paragraph, Text: "Text here."}, {Type: ibid.Paragraph, Text: "More."}}},
		{"form feed splits", "A page ends here.\fNext page.", []ibid.Block{{Type: ibid.Paragraph, Text: "A page ends here."}, {Type: ibid.Paragraph, Text: "Next page."}}},
		{"utf-16", "\xff\xfeH\x00i\x00 \x00t\x00h\x00e\x00r\x00e\x00.\x00", []ibid.Block{{Type: ibid.Paragraph, Text: "Hi there."}}},
		{"nbsp and tabs normalised", "Tab\there\u00a0and  there.", []ibid.Block{{Type: ibid.Paragraph, Text: "Tab here and there."}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := Read("Untitled.txt", []byte(tt.data), Options{})
			if err != nil {
				t.Fatal(err)
			}
			a, _ := json.Marshal(doc.Blocks)
			b, _ := json.Marshal(tt.want)
			if !bytes.Equal(a, b) {
				t.Errorf("blocks\n got %s\nwant %s", a, b)
			}
		})
	}
}

func TestTitleLike(t *testing.T) {
	tests := []struct {
		s    string
		want bool
	}{
		{"Introduction", true},
		{"Conclusion", true},
		{"1917–1921: Revolution and Civil War", true},
		{"II. The War Years", true},
		{"2.1 Collective Security", true},
		{"Was Stalin Inevitable?", true},
		{"This line ends with a period.", false},
		{"this starts in lower case", false},
		{"Ends with a colon:", false},
		{"He left. She stayed", false},
		{"1917", false},
		{strings.Repeat("Long ", 20), false},
		{"", false},
	}
	for _, tt := range tests {
		if got := titleLike(tt.s); got != tt.want {
			t.Errorf("titleLike(%q) = %v, want %v", tt.s, got, tt.want)
		}
	}
}

func TestPDFText(t *testing.T) {
	tests := []struct {
		name, in string
		want     []ibid.Block
	}{
		{"hyphen mended before lower case", "An exam-\nple of it.", []ibid.Block{{Type: ibid.Paragraph, Text: "An example of it."}}},
		{"a compound printed whole elsewhere keeps its hyphen", "A long-term plan.\n\nIt was a long-\nterm plan, an exam-\nple.", []ibid.Block{{Type: ibid.Paragraph, Text: "A long-term plan."}, {Type: ibid.Paragraph, Text: "It was a long-term plan, an example."}}},
		{"hyphen kept before a capital", "The Franco-\nPrussian war.", []ibid.Block{{Type: ibid.Paragraph, Text: "The Franco-Prussian war."}}},
		{"paragraph runs across pages", "It ran on\n\n12\n\fand on.", []ibid.Block{{Type: ibid.Paragraph, Text: "It ran on and on."}}},
		{"sentence end breaks at pages", "It ended.\n\fPage two starts.", []ibid.Block{{Type: ibid.Paragraph, Text: "It ended."}, {Type: ibid.Paragraph, Text: "Page two starts."}}},
		{"page numbers dropped", "Text one.\n\n- 3 -\n\nPage 4 of 9\n\nText two.", []ibid.Block{{Type: ibid.Paragraph, Text: "Text one."}, {Type: ibid.Paragraph, Text: "Text two."}}},
		{"page numbers N / M dropped", "Text one.\n\n3 / 10\n\n4/10\n\nText two.", []ibid.Block{{Type: ibid.Paragraph, Text: "Text one."}, {Type: ibid.Paragraph, Text: "Text two."}}},
		{"paragraph runs on to a capital", "The pact of 1939 was\nsigned by\n\fGermany and Russia.", []ibid.Block{{Type: ibid.Paragraph, Text: "The pact of 1939 was signed by Germany and Russia."}}},
		{"a heading ends a page", "Long text ends here.\n\nThe Next Section\n\fIt begins.", []ibid.Block{{Type: ibid.Paragraph, Text: "Long text ends here."}, {Type: ibid.Heading, Level: 1, Text: "The Next Section"}, {Type: ibid.Paragraph, Text: "It begins."}}},
		{"a number wrapped onto a line of its own is text", "It was signed in May\n1814\nafter the war.", []ibid.Block{{Type: ibid.Paragraph, Text: "It was signed in May 1814 after the war."}}},
		{"a wrapped line starting with a number", "It leaves\n13. She sends it.", []ibid.Block{{Type: ibid.Paragraph, Text: "It leaves 13. She sends it."}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, _ := json.Marshal(textBlocks(tt.in, true))
			b, _ := json.Marshal(tt.want)
			if !bytes.Equal(a, b) {
				t.Errorf("got  %s\nwant %s", a, b)
			}
		})
	}
}

func TestParseDates(t *testing.T) {
	tests := []struct {
		in   string
		pdf  bool
		want time.Time
	}{
		{"2024-03-15", false, time.Date(2024, 3, 15, 0, 0, 0, 0, time.UTC)},
		{"2024-03-15T10:00:00Z", false, time.Date(2024, 3, 15, 10, 0, 0, 0, time.UTC)},
		{"2021-07-04T12:00:00+02", false, time.Date(2021, 7, 4, 10, 0, 0, 0, time.UTC)},
		{"'2024-01-02'", false, time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC)},
		{"yesterday", false, time.Time{}},
		{"D:20210704120000+02'00'", true, time.Date(2021, 7, 4, 10, 0, 0, 0, time.UTC)},
		{"D:2019", true, time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"D:20191", true, time.Time{}},
		{"", true, time.Time{}},
	}
	for _, tt := range tests {
		got := parseDate(tt.in)
		if tt.pdf {
			got = parsePDFDate(tt.in)
		}
		if !got.Equal(tt.want) {
			t.Errorf("parse(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestHumanSize(t *testing.T) {
	tests := []struct {
		n    int64
		want string
	}{
		{1, "1 byte"}, {300, "300 bytes"}, {2048, "2 KB"}, {50 << 20, "50 MB"},
		{76755763, "73.2 MB"}, {3 << 30, "3 GB"},
	}
	for _, tt := range tests {
		if got := humanSize(tt.n); got != tt.want {
			t.Errorf("humanSize(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
}

func TestFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "soviet-policy_1917.txt")
	if err := os.WriteFile(path, []byte("The whole essay, in one line."), 0o644); err != nil {
		t.Fatal(err)
	}
	doc, err := File(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if doc.Title != "Soviet policy 1917" || doc.Format != "txt" {
		t.Errorf("got title %q format %q", doc.Title, doc.Format)
	}
	// Too large: refused from the size alone.
	if _, err := File(path, Options{MaxBytes: 10}); ibid.ErrorCode(err) != ibid.ETOOLARGE || ibid.ErrorMessage(err) != "file is 29 bytes; the limit is 10 bytes" {
		t.Errorf("small limit: %v", err)
	}
	if _, err := File(filepath.Join(dir, "missing.txt"), Options{}); ibid.ErrorCode(err) != ibid.ENOTFOUND {
		t.Errorf("missing file: %v", err)
	}
	sub := filepath.Join(dir, "folder.txt")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := File(sub, Options{}); ibid.ErrorMessage(err) != "folder.txt is a directory" {
		t.Errorf("directory: %v", err)
	}
}

func TestFormats(t *testing.T) {
	want := []string{".txt", ".md", ".markdown", ".html", ".htm", ".docx", ".pdf"}
	got := Formats()
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("Formats() = %v, want %v", got, want)
	}
	for _, ext := range got {
		if !Supported("essay" + strings.ToUpper(ext)) {
			t.Errorf("Supported(%s) = false", ext)
		}
	}
	got[0] = "changed"
	if Formats()[0] != ".txt" {
		t.Error("Formats shares its slice with callers")
	}
}

// TestPDFWithoutInfo checks both PDF paths on a file without an Info
// title: the title comes from the file name, the text is kept.
func TestPDFWithoutInfo(t *testing.T) {
	data := buildPDF(t, nil, []testLine{{12, 700, "Hello there, this is the text."}})
	for _, path := range []string{"go", "pdftotext"} {
		t.Run(path, func(t *testing.T) {
			if path == "go" {
				withGoPDF(t)
			} else {
				needPdftotext(t)
			}
			doc, err := Read("no-info.pdf", data, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if doc.Title != "No info" || doc.Text() != "Hello there, this is the text." {
				t.Errorf("title %q, text %q", doc.Title, doc.Text())
			}
		})
	}
}

// TestPDFLeavesNoTemporaryFile: a PDF sent for checking is private, so
// neither we nor pdftotext may write it to disk on the way to its text.
// The temporary folder is pointed at a file, where nothing can be created:
// extraction must succeed all the same.
func TestPDFLeavesNoTemporaryFile(t *testing.T) {
	needPdftotext(t)
	notDir := filepath.Join(t.TempDir(), "not-a-folder")
	if err := os.WriteFile(notDir, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("TMPDIR", notDir)
	if _, err := Read("essay.pdf", testPDF(t), Options{}); err != nil {
		t.Fatalf("with no temporary folder: %v", err)
	}
}

// TestPDFTimeout: a PDF that takes longer than Options.Timeout is given up
// with an error that says so, by either reader.
func TestPDFTimeout(t *testing.T) {
	for _, reader := range []string{"pdftotext", "go"} {
		t.Run(reader, func(t *testing.T) {
			if reader == "go" {
				withGoPDF(t)
			} else {
				needPdftotext(t)
			}
			_, err := Read("essay.pdf", testPDF(t), Options{Timeout: time.Nanosecond})
			var e *ibid.Error
			if !errors.As(err, &e) || e.Code != ibid.EINVALID || !strings.Contains(e.Message, "took longer than 1ns") {
				t.Fatalf("err = %v, want an EINVALID error about the time taken", err)
			}
		})
	}
}
