package pdf

import (
	"bytes"
	"strings"
	"testing"

	"github.com/ibid-dev/ibid"
)

func para(s string) ibid.Block { return ibid.Block{Type: ibid.Paragraph, Text: s} }

// TestBadInput typesets essays no one should write but someone will: each
// must give a readable PDF, without a panic.
func TestBadInput(t *testing.T) {
	long := strings.Repeat("Pneumonoultramicroscopic", 84) // 2,016 letters
	cases := []struct {
		name  string
		e     *ibid.Essay
		pages int // minimum page count
	}{
		{"empty body", &ibid.Essay{Title: "Nothing to say"}, 1},
		{"empty everything", &ibid.Essay{}, 1},
		{"long word", &ibid.Essay{Title: long, Blocks: []ibid.Block{
			{Type: ibid.Heading, Level: 1, Text: long},
			para("A word of two thousand letters: " + long + " and on."),
			{Type: ibid.List, Items: []string{long, "short"}},
			{Type: ibid.Quote, Text: long},
		}}, 2},
		{"right to left", &ibid.Essay{Title: "مقالة عن الكتابة", Author: "דוד כהן", Blocks: []ibid.Block{
			{Type: ibid.Heading, Level: 1, Text: "الفصل الأول"},
			para("هذه فقرة باللغة العربية، مع كلمة English في الوسط ورقم 1939."),
			para("זוהי פסקה בעברית עם מילה English באמצע."),
			{Type: ibid.List, Ordered: true, Items: []string{"البند الأول", "הפריט השני"}},
		}}, 1},
		{"control characters", &ibid.Essay{Title: "Bell\x07 and\x00 null", Blocks: []ibid.Block{
			para("Escape \x1b[31mred\x1b[0m, delete \x7f, next line \u0085, bidi override \u202egnirts\u202c, zero width\u200b\ufeff, soft hy\u00adphen, tab\there."),
			{Type: ibid.Heading, Level: 2, Text: "\x00\x01\x02"},
		}}, 1},
		{"invalid UTF-8 and astral runes", &ibid.Essay{Title: "\xff\xfe bytes", Blocks: []ibid.Block{
			para("Emoji 😀, fraktur 𝔘, U+10000 \U00010000, U+30000 \U00030000, private \uE000, replacement \uFFFD."),
		}}, 1},
		{"odd blocks", &ibid.Essay{Title: "Odd", Topics: []string{"", "  "}, Blocks: []ibid.Block{
			{Type: ibid.Heading, Level: 0, Text: "Level zero"},
			{Type: ibid.Heading, Level: 9, Text: "Level nine"},
			{Type: ibid.Heading, Level: 3, Text: ""},
			{Type: "table", Text: "Unknown type"},
			{Type: ibid.List},
			{Type: ibid.List, Items: []string{"", "   ", "x"}},
			para("   "),
			{Type: ibid.Quote},
		}}, 1},
		{"headings only", &ibid.Essay{Title: "Outline", Blocks: func() []ibid.Block {
			var bs []ibid.Block
			for i := 0; i < 120; i++ {
				bs = append(bs, ibid.Block{Type: ibid.Heading, Level: 1 + i%3, Text: "Heading"})
			}
			return bs
		}()}, 3},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, fb := range [][]string{nil, SystemFallbacks()} {
				b := export(t, Options{SiteName: "ibid", BaseURL: "http://x", Fallback: fb}, c.e)
				save(t, strings.ReplaceAll(c.name, " ", "-")+".pdf", b)
				if n := open(t, b).NumPage(); n < c.pages {
					t.Errorf("%d pages, want at least %d", n, c.pages)
				}
			}
		})
	}
}

// TestRightToLeft checks that right-to-left text, reordered for display
// and, for Arabic, set in joined forms, reads back in logical order with
// its original letters: Hebrew, Arabic with harakat and lam-alef, Persian.
func TestRightToLeft(t *testing.T) {
	fb := SystemFallbacks()
	if len(fb) == 0 {
		t.Skip("no fallback font installed (fonts-dejavu-core): Hebrew and Arabic would print as boxes")
	}
	e := &ibid.Essay{Title: "RTL", Blocks: []ibid.Block{para("שלום עולם"), para("مرحبا بالعالم"), para("السَّلَامُ عَلَيْكُمْ لا إله"), para("کتاب پژوهش")}}
	b := export(t, Options{Fallback: fb}, e)
	save(t, "rtl.pdf", b)
	txt := pdftotext(t, b, bodyArea...)
	for _, w := range []string{"שלום", "עולם", "مرحبا", "بالعالم", "السَّلَامُ", "عَلَيْكُمْ", "لا", "إله", "کتاب", "پژوهش"} {
		if !strings.Contains(txt, w) {
			t.Errorf("pdftotext lost %q: %q", w, txt)
		}
	}
}

func TestLongEssay(t *testing.T) {
	if testing.Short() {
		t.Skip("a 200-page essay")
	}
	e := sampleEssay(100_000)
	b := export(t, Options{}, e)
	n := open(t, b).NumPage()
	if n < 170 || n > 240 {
		t.Errorf("a 100,000-word essay has %d pages, want about 200", n)
	}
	t.Logf("100,000 words: %d pages, %d bytes", n, len(b))
}

func TestErrors(t *testing.T) {
	x := newExporter(t, Options{})
	if err := x.Export(&bytes.Buffer{}, nil); ibid.ErrorCode(err) != ibid.EINVALID {
		t.Errorf("nil essay: %v, want EINVALID", err)
	}
	huge := &ibid.Essay{Title: "Huge", Blocks: []ibid.Block{para(strings.Repeat("word ", MaxRunes))}}
	if err := x.Export(&bytes.Buffer{}, huge); ibid.ErrorCode(err) != ibid.ETOOLARGE {
		t.Errorf("huge essay: %v, want ETOOLARGE", err)
	}
}

// FuzzExport typesets arbitrary text in every kind of block.
func FuzzExport(f *testing.F) {
	for _, s := range []string{"", "plain words", "\x00\xff\u202e", strings.Repeat("x", 3000), "שלום 😀 Ἀθῆναι"} {
		f.Add(s, s)
	}
	x, err := New(Options{Now: fixedNow, Fallback: SystemFallbacks()})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, title, body string) {
		e := &ibid.Essay{Title: title, Author: body, Topics: []string{body}, Blocks: []ibid.Block{
			{Type: ibid.Heading, Level: len(body) % 5, Text: body},
			para(body),
			{Type: ibid.List, Ordered: len(title)%2 == 0, Items: []string{body, title}},
			{Type: ibid.Quote, Text: body},
		}}
		var buf bytes.Buffer
		if err := x.Export(&buf, e); err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(buf.Bytes(), []byte("%PDF-")) {
			t.Fatal("not a PDF")
		}
	})
}

// FuzzLayout runs the typesetter's own steps (cleaning, shaping, measuring,
// line breaking, bidi reordering) without fpdf, so that it explores far more
// inputs per second than FuzzExport: no panic, no line wider than the
// measure, no word lost by reordering.
func FuzzLayout(f *testing.F) {
	for _, s := range []string{"plain words", "مرحبا بالعالم English 1939.", "שלום (עולם)", strings.Repeat("x", 500), "\u064e\u0644\u0627", "a\x00b\u202ec"} {
		f.Add(s)
	}
	x, err := New(Options{Fallback: SystemFallbacks()})
	if err != nil {
		f.Fatal(err)
	}
	const width = 150.0
	f.Fuzz(func(t *testing.T, s string) {
		d := &doc{x: x}
		ws := d.words([]run{{s, regular}, {s, bold}}, bodySize)
		lines := d.breakLines(ws, width, bodySize)
		n := 0
		for _, ln := range lines {
			if ln.w > width+0.01 && len(ln.words) > 1 {
				t.Fatalf("a line of %d words is %.2f wide, more than %.0f", len(ln.words), ln.w, width)
			}
			for _, w := range ln.words {
				if w.w > width+0.01 {
					t.Fatalf("word %q is %.2f wide, more than %.0f", wordText(w), w.w, width)
				}
			}
			v := visual(ln, baseRTL(ws))
			if len(v.words) != len(ln.words) {
				t.Fatalf("reordering changed the number of words")
			}
			n += len(ln.words)
		}
		if n < len(ws) {
			t.Fatalf("%d words, %d placed", len(ws), n)
		}
	})
}

// TestCitePanics: a cite function that panics (it runs on a goroutine of
// its own, outside Export's recover) leaves the plain cite box, not a crash.
func TestCitePanics(t *testing.T) {
	opt := Options{SiteName: "ibid", Cite: func(*ibid.Essay) []CiteEntry { panic("broken style") }}
	b := export(t, opt, &ibid.Essay{Title: "Plain", Author: "Jane Doe", Blocks: []ibid.Block{{Type: ibid.Paragraph, Text: "Text."}}})
	if txt := pdftotext(t, b); !strings.Contains(txt, "Jane Doe") || !strings.Contains(txt, "Site ibid") {
		t.Errorf("no plain cite box after a panicking cite function:\n%s", txt)
	}
}
