package pdf

import (
	"bytes"
	"compress/zlib"
	"io"
	"regexp"
	"slices"
	"strings"
	"testing"

	"golang.org/x/image/font/sfnt"

	"github.com/ibid-dev/ibid"
)

// TestWithCmap rebuilds the character map of every test font for a sample
// of its runes: fpdf's reading of the new map gives each rune the glyph it
// gives in the whole font, leaves out the others, and sfnt still parses
// the font and agrees.
func TestWithCmap(t *testing.T) {
	for name, ttf := range testFonts(t) {
		whole, ok := readFpdfCmap(ttf)
		if !ok {
			t.Errorf("%s: no character map fpdf reads", name)
			continue
		}
		var runes []rune
		for r := rune(0); r < 0xFFFF; r += 7 {
			runes = append(runes, r)
		}
		runes = append(runes, 'a', 'b', 'c', 'é', '–', '\uFFFD', 'a') // runs of glyphs, and a repeat
		orig := slices.Clone(ttf)
		sub := withCmap(ttf, runes)
		if !bytes.Equal(ttf, orig) {
			t.Fatalf("%s: withCmap changed the font it was given", name)
		}
		c, ok := readFpdfCmap(sub)
		if !ok {
			t.Fatalf("%s: no character map fpdf reads in the copy", name)
		}
		fnt, err := sfnt.Parse(sub)
		if err != nil {
			t.Fatalf("%s: sfnt cannot parse the copy: %v", name, err)
		}
		var buf sfnt.Buffer
		in := map[rune]bool{}
		for _, r := range runes {
			in[r] = true
		}
		diff := 0
		for r := rune(1); r < 0xFFFF; r++ {
			wg, wm := whole.glyph(r)
			g, m := c.glyph(r)
			want := wg
			if !in[r] || !wm {
				want, wm = 0, false
			}
			sg, _ := fnt.GlyphIndex(&buf, r)
			if g != want || m != wm || uint16(sg) != want {
				if diff++; diff <= 5 {
					t.Errorf("%s: %U: copy maps to %d (in map %v), sfnt %d; want %d (%v)", name, r, g, m, sg, want, wm)
				}
			}
		}
	}
}

// normalized is a PDF with its streams inflated, the names fpdf derives
// from each font's contents (and the order of the font dictionary, sorted
// by them) made uniform, and the lengths and offsets that follow from them
// dropped.
func normalized(t *testing.T, b []byte) string {
	t.Helper()
	var out strings.Builder
	for {
		i := bytes.Index(b, []byte("stream\n"))
		if i < 0 {
			out.Write(b)
			break
		}
		j := bytes.Index(b[i:], []byte("\nendstream"))
		if j < 0 {
			t.Fatal("a stream without its end")
		}
		out.Write(b[:i])
		data := b[i+len("stream\n") : i+j]
		if r, err := zlib.NewReader(bytes.NewReader(data)); err == nil {
			if raw, err := io.ReadAll(r); err == nil {
				data = raw
			}
		}
		out.WriteString("stream\n")
		out.Write(data)
		out.WriteString("\nendstream")
		b = b[i+j+len("\nendstream"):]
	}
	s := regexp.MustCompile(`/F[0-9a-f]{40}`).ReplaceAllString(out.String(), "/F")
	s = regexp.MustCompile(`/Length \d+`).ReplaceAllString(s, "/Length")
	// The cross-reference table holds byte offsets, which follow from the
	// compressed lengths.
	s = regexp.MustCompile(`(?s)\nxref\n.*`).ReplaceAllString(s, "")
	return regexp.MustCompile(`/Font <<\n(/F \d+ 0 R\n)+`).ReplaceAllStringFunc(s, func(d string) string {
		lines := strings.Split(strings.TrimSuffix(d, "\n"), "\n")
		slices.Sort(lines[1:])
		return strings.Join(lines, "\n") + "\n"
	})
}

// TestCmapSubsetSameDocument exports essays with fonts cut down to the
// characters they draw and with whole fonts: the documents are the same but
// for the font names fpdf derives from each font's contents.
func TestCmapSubsetSameDocument(t *testing.T) {
	fonts := []Options{{}}
	if fs := SystemSerif(); fs != (Fonts{}) {
		fonts = append(fonts, Options{Fonts: fs, Fallback: SystemFallbacks()})
	}
	cite := func(*ibid.Essay) []CiteEntry {
		return []CiteEntry{{Style: "APA", Text: "Doe, J. (2020). <i>On citing</i> — “quoted”. Site. https://x.example/essays/on-citing"}}
	}
	essays := []*ibid.Essay{
		sampleEssay(1500),
		{Title: "Ἀθῆναι and Молотов", Author: "Zoë Brontë", Subject: "History", Topics: []string{"Greece"},
			Blocks: []ibid.Block{{Type: ibid.Paragraph, Text: "Polytonic Ἀθῆναι, Cyrillic Молотов, Hebrew שלום, e\u0301 decomposed, emoji 😀."},
				{Type: ibid.List, Items: []string{"one", "two"}, Ordered: true}}},
	}
	for _, opt := range fonts {
		opt.SiteName, opt.BaseURL, opt.Cite = "ibid library", "https://essays.example.org", cite
		for _, e := range essays {
			x := newExporter(t, opt)
			var cut, whole bytes.Buffer
			if err := x.Export(&cut, e); err != nil {
				t.Fatal(err)
			}
			x.wholeFonts = true
			if err := x.Export(&whole, e); err != nil {
				t.Fatal(err)
			}
			if bytes.Equal(cut.Bytes(), whole.Bytes()) {
				t.Errorf("%s, fonts %v: the same bytes with and without cut fonts", e.Title, opt.Fonts)
			}
			if normalized(t, cut.Bytes()) != normalized(t, whole.Bytes()) {
				t.Errorf("%s, fonts %v: the documents differ beyond font names", e.Title, opt.Fonts)
			}
		}
	}
}

// TestCmapSubsetMissed cites with a character no part of the essay has (an
// arrow): the export notices it drew a character its cut fonts may lack and
// typesets the document again with whole fonts.
func TestCmapSubsetMissed(t *testing.T) {
	opt := Options{SiteName: "ibid", Cite: func(*ibid.Essay) []CiteEntry {
		return []CiteEntry{{Style: "APA", Text: "Doe → Roe, ∑ of all (2020)."}}
	}}
	e := &ibid.Essay{Title: "Plain", Blocks: []ibid.Block{{Type: ibid.Paragraph, Text: "Latin letters."}}}
	x := newExporter(t, opt)
	d := x.newDoc(e)
	d.runes = expectedRunes(x, d, e)
	d.render()
	if !d.missed {
		t.Fatal("drawing an arrow outside the expected characters went unnoticed")
	}
	var cut, whole bytes.Buffer
	if err := x.Export(&cut, e); err != nil {
		t.Fatal(err)
	}
	x.wholeFonts = true
	if err := x.Export(&whole, e); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(cut.Bytes(), whole.Bytes()) {
		t.Error("the export with a missed character is not the whole-font export")
	}
}

func TestExpectedRunes(t *testing.T) {
	x := newExporter(t, Options{SiteName: "Bibliothèque"})
	e := &ibid.Essay{Title: "Café", Blocks: []ibid.Block{{Type: ibid.Paragraph, Text: "e\u0301 Молотов"}}}
	s := expectedRunes(x, x.newDoc(e), e)
	for _, r := range "Café Bibliothèque é\u0301Молотов•›–…\uFFFD" {
		if !s.has(r) {
			t.Errorf("%q not expected", r)
		}
	}
	if s.has('→') || s.has('ש') {
		t.Error("characters the essay does not have are expected")
	}
	if got := s.list(); !slices.IsSorted(got) || len(got) < 200 {
		t.Errorf("list: %d runes, sorted %v", len(got), slices.IsSorted(got))
	}
	ar := &ibid.Essay{Title: "Arabic", Blocks: []ibid.Block{{Type: ibid.Paragraph, Text: "سلام"}}}
	if expectedRunes(x, x.newDoc(ar), ar) != nil {
		t.Error("Arabic text gets cut fonts, though it is drawn in forms the text lacks")
	}
}
