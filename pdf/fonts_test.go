package pdf

import (
	"io"
	"math"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/gobolditalic"
	"golang.org/x/image/font/gofont/goitalic"
	"golang.org/x/image/font/gofont/gomono"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"

	"github.com/ibid-dev/ibid"
)

// testFonts are the Go fonts and the TrueType files of this machine's
// DejaVu, Liberation and LibreOffice fonts, when installed.
func testFonts(t *testing.T) map[string][]byte {
	fonts := map[string][]byte{
		"goregular": goregular.TTF, "gobold": gobold.TTF, "goitalic": goitalic.TTF,
		"gobolditalic": gobolditalic.TTF, "gomono": gomono.TTF,
	}
	for _, pat := range []string{"/usr/share/fonts/truetype/dejavu/*.ttf", "/usr/share/fonts/truetype/liberation*/*.ttf", "/usr/share/fonts/truetype/libreoffice/*.ttf"} {
		paths, _ := filepath.Glob(pat)
		for _, p := range paths {
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			fonts[p] = b
		}
	}
	return fonts
}

// TestWalkCmapMatchesSfnt checks the cmap walk against sfnt's own lookup of
// every rune of the Basic Multilingual Plane.
func TestWalkCmapMatchesSfnt(t *testing.T) {
	for name, ttf := range testFonts(t) {
		fnt, err := sfnt.Parse(ttf)
		if err != nil {
			t.Fatal(err)
		}
		got := make([]sfnt.GlyphIndex, 0x10000)
		calls := 0
		if !walkCmap(ttf, func(r rune, g sfnt.GlyphIndex) {
			calls++
			if r <= 0 || r > 0xFFFF {
				t.Fatalf("%s: walkCmap gave rune %U", name, r)
			}
			got[r] = g
		}) {
			t.Errorf("%s: walkCmap cannot read its cmap", name)
			continue
		}
		var buf sfnt.Buffer
		mapped, diff := 0, 0
		for r := rune(1); r < 0x10000; r++ {
			want, err := fnt.GlyphIndex(&buf, r)
			if err != nil {
				want = 0
			}
			if want != 0 {
				mapped++
			}
			if got[r] != want {
				if diff++; diff <= 5 {
					t.Errorf("%s: %U: walkCmap glyph %d, sfnt %d", name, r, got[r], want)
				}
			}
		}
		if mapped < 500 || calls < mapped {
			t.Errorf("%s: %d runes mapped by sfnt, %d calls from walkCmap", name, mapped, calls)
		}
	}
}

func TestWalkCmapRejects(t *testing.T) {
	for name, b := range map[string][]byte{
		"empty":      nil,
		"short":      []byte("\x00\x01\x00\x00"),
		"collection": append([]byte("ttcf"), make([]byte, 64)...),
		"no cmap":    append([]byte{0, 1, 0, 0, 0, 0}, make([]byte, 64)...),
		"truncated":  goregular.TTF[:400],
	} {
		if walkCmap(b, func(rune, sfnt.GlyphIndex) {}) {
			t.Errorf("%s: walkCmap read a cmap", name)
		}
	}
}

// TestParseFaceWidths compares the widths parseFace records with the
// advances sfnt gives rune by rune, rounded as fpdf rounds them.
func TestParseFaceWidths(t *testing.T) {
	for name, ttf := range testFonts(t) {
		fc, err := parseFace(name, ttf)
		if err != nil {
			t.Fatal(err)
		}
		fnt, _ := sfnt.Parse(ttf)
		upem := int(fnt.UnitsPerEm())
		var buf sfnt.Buffer
		diff := 0
		for r := rune(1); r < 0x10000; r++ {
			var want int
			if g, err := fnt.GlyphIndex(&buf, r); err == nil && g != 0 && (r < 0xD800 || r > 0xDFFF) {
				a, err := fnt.GlyphAdvance(&buf, g, fixed.Int26_6(upem<<6), font.HintingNone)
				want = int(math.Round(1000 / float64(upem) * float64(a) / 64))
				if err != nil || want <= 0 || want >= 0xFFFF {
					want = 1
				}
			}
			if fc.width(r) != want {
				if diff++; diff <= 5 {
					t.Errorf("%s: %U: width %d, want %d", name, r, fc.width(r), want)
				}
			}
		}
	}
}

// TestFacesMeasuredOnUse checks that New leaves the widths of every face
// to be measured when first needed, that an essay in Latin script measures
// its text face and no fallback, and that a fallback naming the text face's
// own file shares its face.
func TestFacesMeasuredOnUse(t *testing.T) {
	fs := SystemSerif()
	if fs == (Fonts{}) || len(SystemFallbacks()) == 0 {
		t.Skip("DejaVu is not installed")
	}
	x := newExporter(t, Options{Fonts: fs, Fallback: SystemFallbacks()})
	for _, f := range append(x.main[:], x.fallback...) {
		if f.widths != nil {
			t.Errorf("%s measured by New", f.name)
		}
	}
	if x.fallback[0] != x.main[regular] {
		t.Errorf("fallback %s does not share the text face %s", x.fallback[0].name, x.main[regular].name)
	}
	if err := x.Export(io.Discard, &ibid.Essay{Title: "Plain", Blocks: []ibid.Block{{Type: ibid.Paragraph, Text: "Latin letters only."}}}); err != nil {
		t.Fatal(err)
	}
	if x.main[regular].widths == nil {
		t.Error("the regular style was not measured")
	}
	if x.fallback[1].widths != nil {
		t.Errorf("fallback %s measured for Latin text", x.fallback[1].name)
	}
	if err := x.Export(io.Discard, &ibid.Essay{Title: "Hebrew", Blocks: []ibid.Block{{Type: ibid.Paragraph, Text: "שלום"}}}); err != nil {
		t.Fatal(err)
	}
	if x.fallback[1].widths == nil {
		t.Errorf("fallback %s not measured for Hebrew", x.fallback[1].name)
	}
}
