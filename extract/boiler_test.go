package extract

import (
	"fmt"
	"math"
	"math/rand"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/ibid-dev/ibid"
	"github.com/ibid-dev/ibid/text"
)

// essayShape is what an import must get right: the title, the headings in
// order, the number of list items, and the words.
type essayShape struct {
	title    string
	headings []string
	items    int
	words    int
}

func shapeOf(doc *ibid.Document) essayShape {
	s := essayShape{title: doc.Title, words: text.Words(doc.Text())}
	for _, b := range doc.Blocks {
		switch b.Type {
		case ibid.Heading:
			s.headings = append(s.headings, b.Text)
		case ibid.List:
			s.items += len(b.Items)
		}
	}
	return s
}

// TestSavedPages imports web pages we made around demo essays, as HTML, as
// the text Chromium gives for them (document.body.innerText, what "Select
// all, Copy" keeps) and as a text browser's dump: menus, calls to action, cite, share
// and newsletter boxes, related lists, comments and footers must go, and
// what stays must be the essay as its Markdown source has it.
func TestSavedPages(t *testing.T) {
	tests := []struct {
		page  string
		essay string // the demo essay the page carries
		// meta lists the fields the page shows (in a byline, meta line
		// or <meta>), which must match the essay's front matter.
		meta []string
	}{
		{"samplesite.html", "congress-of-vienna-balance-of-power", nil},
		{"samplesite.txt", "congress-of-vienna-balance-of-power", []string{"subject", "date"}},
		{"blog.html", "printing-press-and-the-reformation", []string{"author", "date", "subject"}},
		{"blog.txt", "printing-press-and-the-reformation", []string{"author", "date"}},
		// Its metadata is JSON-LD only.
		{"magazine.html", "remote-work-and-the-changing-city-centre", []string{"author", "date", "subject", "topics"}},
		{"oldschool.html", "stoicism-as-practical-ethics", []string{"author"}},
		{"studycorner.html", "why-bees-matter-to-farming", nil},
		{"studycorner.txt", "why-bees-matter-to-farming", []string{"subject"}},
		// The same pages dumped by a text browser (w3m -dump -cols 80):
		// wrapped lines, "•" menus, "[ ]" form fields, the table of
		// contents as a list.
		{"w3m-samplesite.txt", "congress-of-vienna-balance-of-power", []string{"subject", "date"}},
		{"w3m-blog.txt", "printing-press-and-the-reformation", []string{"author", "date"}},
		{"w3m-magazine.txt", "remote-work-and-the-changing-city-centre", []string{"author", "date"}},
		{"w3m-studycorner.txt", "why-bees-matter-to-farming", []string{"subject"}},
	}
	for _, tt := range tests {
		t.Run(tt.page, func(t *testing.T) {
			want, err := File(filepath.Join("..", "demo", "essays", tt.essay+".md"), Options{})
			if err != nil {
				t.Fatal(err)
			}
			got, err := File(filepath.Join("testdata", "pages", tt.page), Options{})
			if err != nil {
				t.Fatal(err)
			}
			g, w := shapeOf(got), shapeOf(want)
			if g.title != w.title {
				t.Errorf("title %q, want %q", g.title, w.title)
			}
			if strings.Join(g.headings, " | ") != strings.Join(w.headings, " | ") {
				t.Errorf("headings\n%q\nwant\n%q", g.headings, w.headings)
			}
			if g.items != w.items {
				t.Errorf("%d list items, want %d", g.items, w.items)
			}
			// Within 1 % of the essay's own count.
			if math.Abs(float64(g.words-w.words)) > 0.01*float64(w.words) {
				t.Errorf("%d words, want %d (±1 %%)", g.words, w.words)
			}
			t.Logf("%d words kept, the essay has %d", g.words, w.words)
			for _, f := range tt.meta {
				var gv, wv string
				switch f {
				case "author":
					gv, wv = got.Author, want.Author
				case "subject":
					gv, wv = got.Subject, want.Subject
				case "date":
					gv, wv = got.Published.Format("2006-01-02"), want.Published.Format("2006-01-02")
				case "topics":
					gv, wv = strings.Join(got.Topics, ", "), strings.Join(want.Topics, ", ")
				}
				if gv != wv {
					t.Errorf("%s %q, want %q", f, gv, wv)
				}
			}
			body := got.Text()
			for _, junk := range []string{"Place Order", "Cite this", "©", "Subscribe", "cookies", "Related", "Download", "Reply", "Share"} {
				if strings.Contains(body, junk) {
					t.Errorf("body keeps %q", junk)
				}
			}
		})
	}
}

// TestOrdinaryTextKept checks that the boilerplate filter leaves ordinary
// essays alone: every demo essay, as plain text with its title, imports
// with all its words and headings, whether wrapped or one line per
// paragraph.
func TestOrdinaryTextKept(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join("..", "demo", "essays", "*.md"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no demo essays: %v", err)
	}
	for _, p := range paths {
		want, err := File(p, Options{})
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		b.WriteString(want.Title + "\n\n")
		for _, bl := range want.Blocks {
			switch bl.Type {
			case ibid.List:
				for _, it := range bl.Items {
					b.WriteString("- " + it + "\n")
				}
			case ibid.Quote:
				b.WriteString("> " + bl.Text + "\n")
			default:
				b.WriteString(bl.Text + "\n")
			}
			b.WriteString("\n")
		}
		got, err := Text(filepath.Base(p)+".txt", []byte(b.String()), Options{})
		if err != nil {
			t.Fatal(err)
		}
		g, w := shapeOf(got), shapeOf(want)
		if g.title != w.title || g.words != w.words || g.items != w.items || strings.Join(g.headings, "|") != strings.Join(w.headings, "|") {
			t.Errorf("%s: got %+v\nwant %+v", filepath.Base(p), g, w)
		}
	}
}

func TestFurniture(t *testing.T) {
	tests := []struct {
		s    string
		want bool
	}{
		{"Place Order", true},
		{"*No hidden charges", true},
		{"We will write a unique paper on this topic for you!", true},
		{"Watch out! This text is available online and is used for guidance and inspiration.", true},
		{"Cite this Essay", true},
		{"3 comments", true},
		{"Reply", true},
		{"© 2026 Example Ltd. All rights reserved.", true},
		{"We use cookies to improve your experience. By continuing to browse you agree to our use of cookies.", true},
		{"Related essays", true},
		{"[ ]Subscribe", true},
		// Essay sentences with the same words are not furniture.
		{"The order of events matters more than their number.", false},
		{"Readers who want more can read Hume's Treatise, which is longer and harder but rewards the effort.", false},
		{"Introduction", false},
		{"Conclusion", false},
		{"Share prices fell by a third in a single week.", false},
		{"The Congress of Vienna and the Balance of Power", false},
	}
	for _, tt := range tests {
		if got := furniture(tt.s); got != tt.want {
			t.Errorf("furniture(%q) = %v, want %v", tt.s, got, tt.want)
		}
	}
}

func TestChromeMeta(t *testing.T) {
	tests := []struct {
		line                  string
		author, subject, date string
		isMeta                bool
	}{
		{"By Annika Vogt · 28 May 2020 · 4 min read", "Annika Vogt", "", "2020-05-28", true},
		{"Subject: History Pages: 3 Words: 1276 Published: 17 February 2021", "", "History", "2021-02-17", true},
		{"Chloé Durand | 20 March 2025 | 1,077 words", "Chloé Durand", "", "2025-03-20", true},
		{"Category: Biology · Words: 706 · Pages: 2", "", "Biology", "", true},
		{"written by Jane van der Berg", "Jane van der Berg", "", "", true},
		{"By the end of the war, the old order had gone.", "", "", "", false},
		{"The price rose by 12 pages of regulation a year.", "", "", "", false},
	}
	for _, tt := range tests {
		if got := metaLine(tt.line); got != tt.isMeta {
			t.Errorf("metaLine(%q) = %v, want %v", tt.line, got, tt.isMeta)
		}
		if !tt.isMeta {
			continue
		}
		var doc ibid.Document
		chromeMeta(&doc, tt.line)
		date := ""
		if !doc.Published.IsZero() {
			date = doc.Published.Format("2006-01-02")
		}
		if doc.Author != tt.author || doc.Subject != tt.subject || date != tt.date {
			t.Errorf("chromeMeta(%q) = %q, %q, %q; want %q, %q, %q", tt.line, doc.Author, doc.Subject, date, tt.author, tt.subject, tt.date)
		}
	}
}

// TestPDFLayout imports PDFs that word processors make, with running
// headers and "Page N of M" footers: the essay must come back whole, as
// its Markdown source has it. libreoffice-vienna.pdf is LibreOffice's
// export (soffice --headless --convert-to pdf) of libreoffice-vienna.fodt,
// a demo essay in a page style with a running header and footer;
// libreoffice-vienna-2col the same set in two columns; chromium-*.pdf are
// test pages of TestSavedPages printed by Chromium.
func TestPDFLayout(t *testing.T) {
	needPdftotext(t)
	tests := []struct {
		pdf, essay string
		author     bool // the PDF names the author
	}{
		{"libreoffice-vienna.pdf", "congress-of-vienna-balance-of-power", true},
		// The same in two columns: paragraphs run on from one column to
		// the next, and poppler reads the last page's columns out of
		// order.
		{"libreoffice-vienna-2col.pdf", "congress-of-vienna-balance-of-power", true},
		// Saved web pages printed by Chromium (--print-to-pdf): the
		// date, page title, file address and "1/3" in the margins, and
		// all the page's furniture as text.
		{"chromium-samplesite.pdf", "congress-of-vienna-balance-of-power", false},
		{"chromium-blog.pdf", "printing-press-and-the-reformation", true},
	}
	for _, tt := range tests {
		t.Run(tt.pdf, func(t *testing.T) {
			want, err := File(filepath.Join("..", "demo", "essays", tt.essay+".md"), Options{})
			if err != nil {
				t.Fatal(err)
			}
			got, err := File(filepath.Join("testdata", "pages", tt.pdf), Options{})
			if err != nil {
				t.Fatal(err)
			}
			g, w := shapeOf(got), shapeOf(want)
			if !tt.author {
				want.Author = ""
			}
			if g.title != w.title || got.Author != want.Author {
				t.Errorf("%q by %q, want %q by %q", g.title, got.Author, w.title, want.Author)
			}
			if strings.Join(g.headings, " | ") != strings.Join(w.headings, " | ") {
				t.Errorf("headings\n%q\nwant\n%q", g.headings, w.headings)
			}
			if g.items != w.items {
				t.Errorf("%d list items, want %d", g.items, w.items)
			}
			if math.Abs(float64(g.words-w.words)) > 0.005*float64(w.words) {
				t.Errorf("%d words, want %d (±0.5 %%)", g.words, w.words)
			}
			t.Logf("%d words, the essay has %d", g.words, w.words)
			// Every paragraph comes back whole: none is cut at a page
			// break.
			if n, m := len(got.Blocks), len(want.Blocks); n != m {
				t.Errorf("%d blocks, want %d", n, m)
			}
			for _, junk := range []string{"Page ", "Engström —", "file:", "Order", "Cite", "1/"} {
				if strings.Contains(got.Text(), junk) {
					t.Errorf("the import keeps %q", junk)
				}
			}
		})
	}
}

// TestPlainDOCX imports Word files as people make them, without heading
// styles: bees-notes.docx is LibreOffice's conversion of bees-notes.txt
// (soffice --headless --convert-to docx), city-centre.docx its conversion
// of city-centre.fodt, whose title is bold, larger and centred, whose
// author and date are centred italic lines and whose headings are bold
// paragraphs (direct formatting only).
func TestPlainDOCX(t *testing.T) {
	tests := []struct {
		file, essay string
		date        bool // the document prints the essay's date
	}{
		{"bees-notes.docx", "why-bees-matter-to-farming", false},
		{"bees-notes.txt", "why-bees-matter-to-farming", false},
		{"city-centre.docx", "remote-work-and-the-changing-city-centre", true},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			want, err := File(filepath.Join("..", "demo", "essays", tt.essay+".md"), Options{})
			if err != nil {
				t.Fatal(err)
			}
			got, err := File(filepath.Join("testdata", "pages", tt.file), Options{})
			if err != nil {
				t.Fatal(err)
			}
			g, w := shapeOf(got), shapeOf(want)
			if g.title != w.title || got.Author != want.Author {
				t.Errorf("%q by %q, want %q by %q", g.title, got.Author, w.title, want.Author)
			}
			if tt.date && !got.Published.Equal(want.Published) {
				t.Errorf("published %v, want %v", got.Published, want.Published)
			}
			if strings.Join(g.headings, " | ") != strings.Join(w.headings, " | ") {
				t.Errorf("headings\n%q\nwant\n%q", g.headings, w.headings)
			}
			if g.items != w.items || g.words != w.words || len(got.Blocks) != len(want.Blocks) {
				t.Errorf("%d items, %d words, %d blocks; want %d, %d, %d", g.items, g.words, len(got.Blocks), w.items, w.words, len(want.Blocks))
			}
		})
	}
}

// TestDOCXLooks builds documents whose structure shows only in their
// formatting.
func TestDOCXLooks(t *testing.T) {
	// p writes a paragraph: jc "center" or "", size in half-points (0 for
	// the default), runs split on "|", a run starting with "*" bold, one
	// starting with "<u>" underlined.
	p := func(jc string, size int, text string) string {
		var b strings.Builder
		b.WriteString("<w:p>")
		if jc != "" {
			b.WriteString(`<w:pPr><w:jc w:val="` + jc + `"/></w:pPr>`)
		}
		for _, r := range strings.Split(text, "|") {
			b.WriteString("<w:r><w:rPr>")
			if strings.HasPrefix(r, "*") {
				b.WriteString("<w:b/>")
				r = r[1:]
			}
			if strings.HasPrefix(r, "<u>") {
				b.WriteString(`<w:u w:val="single"/>`)
				r = r[3:]
			}
			if size > 0 {
				fmt.Fprintf(&b, `<w:sz w:val="%d"/>`, size)
			}
			b.WriteString(`</w:rPr><w:t xml:space="preserve">` + r + "</w:t></w:r>")
		}
		b.WriteString("</w:p>")
		return b.String()
	}
	long := "The harbour was rebuilt after the war, and the town grew around it as the trade in grain and timber came back to the coast."
	tests := []struct {
		name, body string
		title      string
		author     string
		outline    string // headings as "level:text", then list items as "•"
	}{
		{"bold centred title, bold headings",
			p("center", 0, "*A Town and Its Harbour") + p("", 0, "By Jane Doe") + p("", 0, "*Before the War") + p("", 0, long) + p("", 0, "*After the War") + p("", 0, long),
			"A Town and Its Harbour", "Jane Doe", "1:Before the War 1:After the War "},
		{"sizes give levels",
			p("", 36, "A Town and Its Harbour") + p("", 28, "Before the War") + p("", 22, long) + p("", 25, "The Grain Trade") + p("", 22, long) + p("", 28, "After the War") + p("", 22, long),
			"A Town and Its Harbour", "", "1:Before the War 2:The Grain Trade 1:After the War "},
		{"bold words inside a paragraph are not a heading",
			p("", 0, "*A Town and Its Harbour") + p("", 0, "The *harbour| was rebuilt") + p("", 0, long),
			"A Town and Its Harbour", "", ""},
		{"no formatting: read as plain text",
			p("", 0, "A Town and Its Harbour") + p("", 0, long) + p("", 0, "After the War") + p("", 0, long) + p("", 0, "- grain") + p("", 0, "- timber"),
			"A Town and Its Harbour", "", "1:After the War ••"},
		{"underlined and capitalised headings",
			p("center", 0, "*A Town and Its Harbour") + p("", 0, long) + p("", 0, "<u>Before the War") + p("", 0, long) + p("", 0, "AFTER THE WAR") + p("", 0, long),
			"A Town and Its Harbour", "", "1:Before the War 1:AFTER THE WAR "},
		{"a centred plain first line is the title",
			p("center", 0, "A Town and Its Harbour") + p("", 0, long) + p("", 0, "*After the War") + p("", 0, long),
			"A Town and Its Harbour", "", "1:After the War "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := buildZip(t,
				part{"[Content_Types].xml", `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`},
				part{"word/document.xml", wordDocument(tt.body)},
			)
			doc, err := DOCX("looks.docx", data, Options{})
			if err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			for _, bl := range doc.Blocks {
				switch bl.Type {
				case ibid.Heading:
					fmt.Fprintf(&b, "%d:%s ", bl.Level, bl.Text)
				case ibid.List:
					b.WriteString(strings.Repeat("•", len(bl.Items)))
				}
			}
			if doc.Title != tt.title || doc.Author != tt.author || b.String() != tt.outline {
				t.Errorf("title %q, author %q, outline %q; want %q, %q, %q", doc.Title, doc.Author, b.String(), tt.title, tt.author, tt.outline)
			}
		})
	}
}

func TestJSONLD(t *testing.T) {
	tests := []struct {
		src                            string
		title, author, subject, topics string
		date                           string
	}{
		{`{"@type":"Article","headline":"H","author":{"@type":"Person","name":"A B"},"datePublished":"2024-05-01","articleSection":"History","keywords":"x, y"}`,
			"H", "A B", "History", "x|y", "2024-05-01"},
		{`{"@context":"https://schema.org","@graph":[{"@type":"WebSite","name":"Site"},{"@type":["BlogPosting"],"name":"N","author":[{"name":"C"},{"name":"D"}],"keywords":["p","q"],"articleSection":["Art","Music"]}]}`,
			"N", "C, D", "Art", "p|q", ""},
		{`[{"@type":"Organization","name":"Org"}]`, "", "", "", "", ""},
		{`{not json`, "", "", "", "", ""},
	}
	for _, tt := range tests {
		d := jsonLDArticle(tt.src)
		date := ""
		if !d.Published.IsZero() {
			date = d.Published.Format("2006-01-02")
		}
		if d.Title != tt.title || d.Author != tt.author || d.Subject != tt.subject || strings.Join(d.Topics, "|") != tt.topics || date != tt.date {
			t.Errorf("%s:\n got %q %q %q %q %q", tt.src, d.Title, d.Author, d.Subject, d.Topics, date)
		}
	}
}

// TestLeadKept checks that what stands between an ordinary essay's title
// and its first paragraph stays when none of it is page furniture: a
// subtitle, an epigraph and its source.
func TestLeadKept(t *testing.T) {
	src := "Tides and Harbours\n\nA Town Rebuilt\n\n“The sea gives and the sea takes.”\n\n— A Fisherman's Saying\n\nIntroduction\n\n" +
		"The harbour was rebuilt after the war, and the town grew around it as the trade in grain and timber came back.\n"
	doc, err := Text("tides.txt", []byte(src), Options{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, b := range doc.Blocks {
		got = append(got, b.Text)
	}
	want := []string{"A Town Rebuilt", "“The sea gives and the sea takes.”", "— A Fisherman's Saying", "Introduction"}
	if doc.Title != "Tides and Harbours" || len(got) != 5 || strings.Join(got[:4], "|") != strings.Join(want, "|") {
		t.Errorf("title %q, blocks %q", doc.Title, got)
	}
}

// TestStopWordsShort checks what stopDensity relies on: every stop
// word is lower-case ASCII letters and apostrophes, at most maxStopLen long.
func TestStopWordsShort(t *testing.T) {
	for w := range stopWords {
		if len(w) > maxStopLen {
			t.Errorf("stop word %q is longer than maxStopLen (%d)", w, maxStopLen)
		}
		for i := 0; i < len(w); i++ {
			if c := w[i]; !(c >= 'a' && c <= 'z' || c == '\'') {
				t.Errorf("stop word %q has %q: stopDensity would not find it", w, c)
			}
		}
	}
}

// stopDensityReference is stopDensity as first written: lower-case the
// text, cut it into words, look each up.
func stopDensityReference(s string) (words int, share float64) {
	stops := 0
	for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && r != '\'' && r != '’'
	}) {
		words++
		if stopWords[w] {
			stops++
		}
	}
	if words == 0 {
		return 0, 0
	}
	return words, float64(stops) / float64(words)
}

// TestStopDensityUnicode checks stopDensity's scan against the reference
// on texts of stop words, capitals, non-ASCII letters that lower-case to
// ASCII (the Kelvin sign, dotted İ), accents, apostrophes and other signs.
func TestStopDensityUnicode(t *testing.T) {
	parts := []string{"the", "The", "THE", "of", "\u212Aing", "İt", "İS", "although", "ALTHOUGH", "althoughs",
		"café", "Über", "don't", "don’t", "’", "'", " ", ", ", "—", "1917", "\u2160", "naïve", "ｔｈｅ", "\xff"}
	r := rand.New(rand.NewSource(3))
	for range 20000 {
		var b strings.Builder
		for range 1 + r.Intn(12) {
			b.WriteString(parts[r.Intn(len(parts))])
			if r.Intn(3) == 0 {
				b.WriteByte(' ')
			}
		}
		s := b.String()
		gw, gs := stopDensity(s)
		ww, ws := stopDensityReference(s)
		if gw != ww || gs != ws {
			t.Fatalf("stopDensity(%q) = %d, %v; reference %d, %v", s, gw, gs, ww, ws)
		}
	}
}

// TestStopDensityASCII checks stopDensity (keys packed in a uint64, no
// map) against the reference on texts of stop words in any case, words one
// letter off a stop word, words longer than any, apostrophes, digits and
// signs, and that every stop word's key is found.
func TestStopDensityASCII(t *testing.T) {
	for w := range stopWords {
		if !isStopKey(stopKey(w)) || !isStopKey(stopKey(strings.ToUpper(w))) {
			t.Errorf("stop word %q not found by its key", w)
		}
	}
	parts := []string{"the", "The", "THE", "tHe", "th", "thee", "of", "OF", "although", "Although", "althoughs",
		"don't", "i", "I", "a", "an", "anD", "whom", "whomever", "it's", "'", "''", "x", "yet", "yeti", "mighty",
		"1917", "-", ",", ".", "\t", "\n", "@", "`", "{", "[", "_"}
	r := rand.New(rand.NewSource(4))
	for range 20000 {
		var b strings.Builder
		for range 1 + r.Intn(16) {
			b.WriteString(parts[r.Intn(len(parts))])
			if r.Intn(3) > 0 {
				b.WriteByte(' ')
			}
		}
		s := b.String()
		gw, gs := stopDensity(s)
		ww, ws := stopDensityReference(s)
		if gw != ww || gs != ws {
			t.Fatalf("stopDensity(%q) = %d, %v; reference %d, %v", s, gw, gs, ww, ws)
		}
	}
}

// furnitureReference is furniture without its shortcut for ASCII blocks.
func furnitureReference(s string) bool {
	n := countWords(s, maxFurnitureWords+1)
	if n == 0 || n > maxFurnitureWords {
		return false
	}
	low := foldQuotes(s)
	if n <= 5 {
		k := strings.Trim(formWidgets.Replace(low), " .:!?*•·|>»›-–—[]_")
		if furnitureWords[k] || reNComments().MatchString(k) || strings.HasPrefix(low, "©") || strings.HasPrefix(low, "(c) ") {
			return true
		}
	}
	if strings.HasPrefix(low, "tags:") && n <= 20 {
		return true
	}
	if strings.Contains(low, "©") || strings.Contains(low, "copyright") && n <= 20 {
		return true
	}
	return hasPhrase(low)
}

// TestFurnitureShortcut checks furniture against the reference on random
// blocks of 1 to 50 words made of furniture phrases (as they are, upper-
// cased, capitalised, cut short or glued to a letter before them), the
// words that begin them, ordinary words, signs and non-ASCII ones, among
// them the two (İ, the Kelvin sign) whose lower case is ASCII.
func TestFurnitureShortcut(t *testing.T) {
	// What the shortcut relies on: no other non-ASCII rune lower-cases
	// to ASCII, and the folded quotes are the only other runes foldRune
	// maps to ASCII.
	for r := rune(utf8.RuneSelf); r <= unicode.MaxRune; r++ {
		if l := foldRune(r); l < utf8.RuneSelf && r != '\u0130' && r != '\u212A' && !strings.ContainsRune("’‘“”", r) {
			t.Fatalf("%U folds to ASCII %q: furniture's shortcut must not take it", r, l)
		}
	}
	var parts []string
	for _, p := range furniturePhrases {
		parts = append(parts, p, strings.ToUpper(p), strings.ToUpper(p[:1])+p[1:], p[:len(p)/2], "x"+p)
	}
	parts = append(parts, "tags:", "Tags: history", "copyright", "COPYRIGHT 2020", "xcopyrightx", "©", "% off", "%",
		"İn your inbox", "vİsitor number", "COPYRİGHT", "Don‘t waste time", "DON’T WASTE TIME", "\u212Aids", "Ⓐ", "ſign up", "Ｃopyright",
		"field", "Treaty", "1917", "lake", "zebra", "quiet", "ivory", "jolly", "kid's", "mild", "ultra", "yak", "Éclat",
		"ıdle", "—", ",", ".", "’")
	const ordinary = 18 // the last ones
	r := rand.New(rand.NewSource(23))
	for range 30000 {
		var b strings.Builder
		for range 1 + r.Intn(30) {
			if r.Intn(4) == 0 {
				b.WriteString(parts[r.Intn(len(parts))])
			} else {
				b.WriteString(parts[len(parts)-ordinary+r.Intn(ordinary)])
			}
			if r.Intn(5) > 0 {
				b.WriteByte(' ')
			}
		}
		s := b.String()
		if got, want := furniture(s), furnitureReference(s); got != want {
			t.Fatalf("furniture(%q) = %v, reference %v", s, got, want)
		}
	}
}

// TestProseItems checks that prose judges a list item by item as the
// first version judged its items joined by spaces, on random lists of
// stop words, other words and signs, many near the twelve-word and the
// one-fifth bounds.
func TestProseItems(t *testing.T) {
	words := []string{"the", "of", "It", "war", "treaty", "Moscow", "1917", "—", "-", "don’t", "'s", "a,", "b.c", "x"}
	r := rand.New(rand.NewSource(29))
	for range 20000 {
		items := make([]string, 1+r.Intn(5))
		for k := range items {
			var b strings.Builder
			for j := range r.Intn(7) {
				if j > 0 {
					b.WriteByte(' ')
				}
				b.WriteString(words[r.Intn(len(words))])
			}
			items[k] = b.String()
		}
		for _, bl := range []ibid.Block{{Type: ibid.List, Items: items}, {Type: ibid.Paragraph, Text: strings.Join(items, " ")}} {
			joined := blockText(bl)
			_, share := stopDensity(joined)
			want := countWords(joined, 12) >= 12 && share >= 0.2
			if got := prose(bl); got != want {
				t.Fatalf("prose(%+v) = %v, want %v", bl, got, want)
			}
		}
	}
}

// TestContentsListEarlyExit checks contentsList, which gives up once a
// third of the items have missed, against counting every item, on random
// lists of headings that come after the list, before it, and other lines.
func TestContentsListEarlyExit(t *testing.T) {
	headings := map[string]int{"introduction": 9, "causes": 10, "the war’s end": 11, "before": 1}
	items := []string{"Introduction", "CAUSES", "The War’s End", "Before", "Other", "other line", "Causes of war"}
	r := rand.New(rand.NewSource(31))
	for range 20000 {
		b := ibid.Block{Type: ibid.List, Items: make([]string, 1+r.Intn(9))}
		for k := range b.Items {
			b.Items[k] = items[r.Intn(len(items))]
		}
		hits := 0
		for _, it := range b.Items {
			if j, ok := headings[foldQuotes(it)]; ok && j > 5 {
				hits++
			}
		}
		want := hits >= 2 && hits*3 >= len(b.Items)*2
		if got := contentsList(b, 5, headings); got != want {
			t.Fatalf("contentsList(%q) = %v, want %v", b.Items, got, want)
		}
	}
}

// TestCountWordsFields checks countWords, which takes ASCII by table,
// against strings.Fields (which titleLike and breadcrumb used) on random
// texts of words and every kind of white space, ASCII and not, and
// invalid bytes, with limits below and above the count.
func TestCountWordsFields(t *testing.T) {
	parts := []string{"a", "Word", "é", "—", " ", "  ", "\t", "\n", "\v", "\f", "\r", "\u0085", "\u00a0", "\u2003", "\u3000",
		"\u200b", "\x1c", "\xff", "\xc3"}
	r := rand.New(rand.NewSource(37))
	for range 20000 {
		var b strings.Builder
		for range r.Intn(20) {
			b.WriteString(parts[r.Intn(len(parts))])
		}
		s := b.String()
		want := len(strings.Fields(s))
		for _, limit := range []int{1, 2, 5, 13, 15, 1 << 30} {
			if got := countWords(s, limit); got != min(want, limit) && !(want == 0 && got == 0) {
				t.Fatalf("countWords(%q, %d) = %d, want %d", s, limit, got, min(want, limit))
			}
		}
	}
}

// TestLooseDateForms checks looseDate on the forms pages print, in any
// case, and on lines that are not dates (which its shortcuts skip).
func TestLooseDateForms(t *testing.T) {
	day := time.Date(2021, 2, 17, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Time
	}{
		{"17 February 2021", day}, {"FEBRUARY 17, 2021", day}, {"feb 17 2021", day}, {"Feb. 17, 2021", day},
		{"Published on 17 Feb 2021.", day}, {"2021-02-17", day}, {"17/02/2021", day},
		{"February 2021", time.Date(2021, 2, 1, 0, 0, 0, 0, time.UTC)},
		{"1,077 words", time.Time{}}, {"Chapter 12", time.Time{}}, {"12 angry men", time.Time{}}, {"2021", time.Time{}},
	}
	for _, tt := range tests {
		if got := looseDate(tt.in); !got.Equal(tt.want) {
			t.Errorf("looseDate(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
