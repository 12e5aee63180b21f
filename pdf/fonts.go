package pdf

import (
	"fmt"
	"math"
	"os"
	"strings"
	"unicode"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/gobolditalic"
	"golang.org/x/image/font/gofont/goitalic"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"

	"github.com/ibid-dev/ibid"
)

// Fonts names the TrueType files of the text face, one per style. Empty
// Bold, Italic or BoldItalic fall back to Regular (no faux styles are drawn).
// A zero Fonts means the Go fonts from golang.org/x/image/font/gofont, which
// cover Latin, monotonic Greek and Cyrillic.
type Fonts struct {
	Regular, Bold, Italic, BoldItalic string
}

// Font styles, indexes into Exporter.main.
const (
	regular = iota
	bold
	italic
	boldItalic
)

// fpdfStyle is the style string fpdf expects for each of our styles.
var fpdfStyle = [4]string{"", "B", "I", "BI"}

// face is one parsed TrueType font: its bytes, which fpdf embeds (subset)
// in every document, and the advance widths of the runes it covers, which we
// use to break lines without asking fpdf.
type face struct {
	name   string
	family string // the font's family name without spaces, for the PDF's font names
	ttf    []byte
	// widths holds the advance of every Basic Multilingual Plane rune in
	// thousandths of an em, rounded exactly as fpdf rounds them so that our
	// line widths and fpdf's justification agree; 0 means no glyph.
	widths  []uint16
	missing int // advance of the .notdef glyph, drawn for uncovered runes
}

// has reports whether the face draws r.
func (f *face) has(r rune) bool { return r >= 0 && int(r) < len(f.widths) && f.widths[r] != 0 }

// advance returns r's advance in thousandths of an em.
func (f *face) advance(r rune) int {
	if f.has(r) {
		return int(f.widths[r])
	}
	return f.missing
}

// parseFace reads the metrics of a TrueType font. It is called once per font
// in New, never per document.
func parseFace(name string, ttf []byte) (*face, error) {
	fnt, err := sfnt.Parse(ttf)
	if err != nil {
		return nil, &ibid.Error{Code: ibid.EINVALID, Message: fmt.Sprintf("font %s is not a TrueType font", name), Err: err}
	}
	upem := int(fnt.UnitsPerEm())
	if upem <= 0 {
		return nil, ibid.Errorf(ibid.EINVALID, "font %s has no units per em", name)
	}
	scale := 1000 / float64(upem)
	var buf sfnt.Buffer
	// Asking for the advance at a size of one em in font units gives the
	// unscaled advance (times 64, the 26.6 fixed-point factor).
	ppem := fixed.Int26_6(upem << 6)
	adv := func(g sfnt.GlyphIndex) int {
		a, err := fnt.GlyphAdvance(&buf, g, ppem, font.HintingNone)
		if err != nil {
			return 0
		}
		return int(math.Round(scale * float64(a) / 64))
	}
	fc := &face{name: name, family: familyName(fnt), ttf: ttf, widths: make([]uint16, 0x10000), missing: adv(0)}
	cache := make(map[sfnt.GlyphIndex]uint16)
	for r := rune(1); r < 0x10000; r++ {
		if r >= 0xD800 && r <= 0xDFFF {
			continue // surrogates are not runes
		}
		g, err := fnt.GlyphIndex(&buf, r)
		if err != nil || g == 0 {
			continue
		}
		w, ok := cache[g]
		if !ok {
			a := adv(g)
			if a <= 0 || a >= 0xFFFF {
				// fpdf stores zero advances (combining marks) as 65535
				// and then counts them as zero; one unit keeps "has"
				// true and is invisible at text sizes.
				a = 1
			}
			w = uint16(a)
			cache[g] = w
		}
		fc.widths[r] = w
	}
	return fc, nil
}

// familyName is the font's family name with only ASCII letters and digits
// kept, or "Text" when it has none.
func familyName(f *sfnt.Font) string {
	n, err := f.Name(nil, sfnt.NameIDFamily)
	if err != nil {
		return "Text"
	}
	var b strings.Builder
	for _, r := range n {
		if r < 0x80 && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 {
		return "Text"
	}
	return b.String()
}

// loadFaces returns the four styles of the text face.
func loadFaces(fs Fonts) ([4]*face, error) {
	var out [4]*face
	if fs == (Fonts{}) {
		for i, ttf := range [4][]byte{goregular.TTF, gobold.TTF, goitalic.TTF, gobolditalic.TTF} {
			f, err := parseFace("Go "+fpdfStyle[i], ttf)
			if err != nil {
				return out, err
			}
			out[i] = f
		}
		return out, nil
	}
	if fs.Regular == "" {
		return out, ibid.Errorf(ibid.EINVALID, "pdf fonts: a regular font file is required when any font is set")
	}
	paths := [4]string{fs.Regular, fs.Bold, fs.Italic, fs.BoldItalic}
	for i, p := range paths {
		if p == "" {
			out[i] = out[regular]
			continue
		}
		f, err := readFace(p)
		if err != nil {
			return out, err
		}
		out[i] = f
	}
	return out, nil
}

func readFace(path string) (*face, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, &ibid.Error{Code: ibid.EINVALID, Message: fmt.Sprintf("cannot read font %s", path), Err: err}
	}
	return parseFace(path, b)
}

// systemFallbacks are fonts Debian installs (fonts-dejavu-core) that draw
// what the Go fonts lack: polytonic Greek, Hebrew, Arabic, and many symbols.
var systemFallbacks = []string{
	"/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf",
	"/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
}

// dejaVuSerif is Debian's DejaVu Serif (fonts-dejavu-core and
// fonts-dejavu-extra), a book face with polytonic Greek and Cyrillic.
var dejaVuSerif = Fonts{
	Regular:    "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf",
	Bold:       "/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf",
	Italic:     "/usr/share/fonts/truetype/dejavu/DejaVuSerif-Italic.ttf",
	BoldItalic: "/usr/share/fonts/truetype/dejavu/DejaVuSerif-BoldItalic.ttf",
}

// SystemSerif returns DejaVu Serif for Options.Fonts when this machine has
// it, in all four styles, and zero Fonts (the Go fonts) otherwise: a serif
// face that suits long reading, chosen only when it is complete.
func SystemSerif() Fonts {
	for _, p := range []string{dejaVuSerif.Regular, dejaVuSerif.Bold, dejaVuSerif.Italic, dejaVuSerif.BoldItalic} {
		if st, err := os.Stat(p); err != nil || !st.Mode().IsRegular() {
			return Fonts{}
		}
	}
	return dejaVuSerif
}

// SystemFallbacks returns the fallback fonts installed on this machine
// (DejaVu Serif and DejaVu Sans from Debian's fonts-dejavu-core), for
// Options.Fallback. It returns nil when none is installed.
func SystemFallbacks() []string {
	var out []string
	for _, p := range systemFallbacks {
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
			out = append(out, p)
		}
	}
	return out
}
