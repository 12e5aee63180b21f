package pdf

import (
	"fmt"
	"math"
	"os"
	"strings"
	"sync"
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
// use to break lines without asking fpdf. The widths are measured when the
// face is first asked about a rune: a style or fallback font no document
// has needed yet costs only its file's header (a PDF export in DejaVu Serif
// uses three of its four styles and neither fallback).
type face struct {
	name    string
	family  string // the font's family name without spaces, for the PDF's font names
	ttf     []byte
	fnt     *sfnt.Font
	missing int // advance of the .notdef glyph, drawn for uncovered runes

	measured sync.Once
	// widths holds the advance of every Basic Multilingual Plane rune in
	// thousandths of an em, rounded exactly as fpdf rounds them so that our
	// line widths and fpdf's justification agree; 0 means no glyph. Read
	// it through width, has or advance, which fill it first.
	widths []uint16
}

// width returns r's advance in thousandths of an em, 0 if the face has no
// glyph for it.
func (f *face) width(r rune) int {
	f.measured.Do(f.measure)
	if r < 0 || int(r) >= len(f.widths) {
		return 0
	}
	return int(f.widths[r])
}

// has reports whether the face draws r.
func (f *face) has(r rune) bool { return f.width(r) != 0 }

// advance returns r's advance in thousandths of an em.
func (f *face) advance(r rune) int {
	if w := f.width(r); w != 0 {
		return w
	}
	return f.missing
}

// parseFace reads the header and name of a TrueType font, which New does
// once per font, never per document; its widths wait for first use.
func parseFace(name string, ttf []byte) (*face, error) {
	fnt, err := sfnt.Parse(ttf)
	if err != nil {
		return nil, &ibid.Error{Code: ibid.EINVALID, Message: fmt.Sprintf("font %s is not a TrueType font", name), Err: err}
	}
	if fnt.UnitsPerEm() <= 0 {
		return nil, ibid.Errorf(ibid.EINVALID, "font %s has no units per em", name)
	}
	fc := &face{name: name, family: familyName(fnt), ttf: ttf, fnt: fnt}
	var buf sfnt.Buffer
	fc.missing = fc.glyphAdvance(&buf, 0)
	return fc, nil
}

// glyphAdvance returns glyph g's advance in thousandths of an em, rounded as
// fpdf rounds it, or 0 if the font has no such glyph.
func (f *face) glyphAdvance(buf *sfnt.Buffer, g sfnt.GlyphIndex) int {
	upem := int(f.fnt.UnitsPerEm())
	// Asking for the advance at a size of one em in font units gives the
	// unscaled advance (times 64, the 26.6 fixed-point factor).
	a, err := f.fnt.GlyphAdvance(buf, g, fixed.Int26_6(upem<<6), font.HintingNone)
	if err != nil {
		return 0
	}
	return int(math.Round(1000 / float64(upem) * float64(a) / 64))
}

// measure fills f.widths from the font's character map and advances.
func (f *face) measure() {
	var buf sfnt.Buffer
	f.widths = make([]uint16, 0x10000)
	// Advances by glyph, computed once per glyph: 0 means not yet.
	byGlyph := make([]uint16, 0x10000)
	set := func(r rune, g sfnt.GlyphIndex) {
		if g == 0 || (r >= 0xD800 && r <= 0xDFFF) {
			return // no glyph; surrogates are not runes
		}
		w := byGlyph[g]
		if w == 0 {
			a := f.glyphAdvance(&buf, g)
			if a <= 0 || a >= 0xFFFF {
				// fpdf stores zero advances (combining marks) as 65535
				// and then counts them as zero; one unit keeps "has"
				// true and is invisible at text sizes.
				a = 1
			}
			w = uint16(a)
			byGlyph[g] = w
		}
		f.widths[r] = w
	}
	if !walkCmap(f.ttf, set) {
		// A layout walkCmap does not read (a font collection, an old
		// cmap format): ask sfnt rune by rune, which costs ~3 ms a font.
		for r := rune(1); r < 0x10000; r++ {
			if g, err := f.fnt.GlyphIndex(&buf, r); err == nil {
				set(r, g)
			}
		}
	}
}

// walkCmap calls fn(r, g) for the runes 1–U+FFFF that the font's character
// map sends to glyph g, in the subtable sfnt itself would pick, and reports
// whether it could read that subtable. It walks the map's segments once
// instead of searching them for each of 65,535 runes, which is most of what
// parsing a font cost the export command (~10 ms each for DejaVu); the runes
// and glyphs are those sfnt.Font.GlyphIndex returns (TestWalkCmapMatchesSfnt).
// Subtables of formats 4 and 12 with sorted segments are read; anything else
// returns false before calling fn.
func walkCmap(ttf []byte, fn func(r rune, g sfnt.GlyphIndex)) bool {
	u16 := func(b []byte, i uint32) uint16 { return uint16(b[i])<<8 | uint16(b[i+1]) }
	u32 := func(b []byte, i uint32) uint32 { return uint32(u16(b, i))<<16 | uint32(u16(b, i+2)) }
	n := uint32(len(ttf))
	if n < 12 {
		return false
	}
	switch u32(ttf, 0) {
	case 0x00010000, 0x74727565, 0x4F54544F: // TrueType, 'true', 'OTTO'
	default:
		return false // a collection ('ttcf') or not a font
	}
	var cm []byte
	for i, tables := uint32(0), uint32(u16(ttf, 4)); i < tables; i++ {
		rec := 12 + 16*i
		if rec+16 > n {
			return false
		}
		if u32(ttf, rec) == 0x636D6170 { // 'cmap'
			off, length := u32(ttf, rec+8), u32(ttf, rec+12)
			if off > n || length > n-off {
				return false
			}
			cm = ttf[off : off+length]
			break
		}
	}
	cl := uint32(len(cm))
	if cl < 4 {
		return false
	}
	// The widest supported encoding wins, as in sfnt's parseCmap.
	var bestWidth int
	var bestOffset uint32
	var bestFormat uint16
	for i, subs := uint32(0), uint32(u16(cm, 2)); i < subs; i++ {
		rec := 4 + 8*i
		if rec+8 > cl {
			return false
		}
		pid, psid := u16(cm, rec), u16(cm, rec+2)
		width := encodingWidth(pid, psid)
		if width <= bestWidth {
			continue
		}
		off := u32(cm, rec+4)
		if cl < 4 || off > cl-4 {
			return false
		}
		format := u16(cm, off)
		if format != 0 && format != 4 && format != 6 && format != 12 || format == 0 && (pid != 1 || psid != 0) {
			continue
		}
		bestWidth, bestOffset, bestFormat = width, off, format
	}
	switch bestFormat {
	case 4:
		off := bestOffset
		if off+14 > cl {
			return false
		}
		segs := uint32(u16(cm, off+6))
		if segs&1 != 0 || segs/2 > 20000 {
			return false
		}
		segs /= 2
		arr := off + 14
		if arr+8*segs+2 > cl {
			return false
		}
		base := arr + 8*segs + 2 // the glyph index array (sfnt's indexesBase)
		end := func(h uint32) uint32 { return uint32(u16(cm, arr+2*h)) }
		start := func(h uint32) uint32 { return uint32(u16(cm, arr+2*segs+2+2*h)) }
		for h := uint32(0); h+1 < segs; h++ {
			if start(h) > end(h) || end(h) >= start(h+1) {
				return false // unsorted: sfnt's binary search would differ
			}
		}
		for h := uint32(0); h < segs; h++ {
			delta := u16(cm, arr+4*segs+2+2*h)
			ro := uint32(u16(cm, arr+6*segs+2+2*h))
			for c := start(h); c <= end(h) && c <= 0xFFFF; c++ {
				if c == 0 {
					continue
				}
				if ro == 0 {
					fn(rune(c), sfnt.GlyphIndex(uint16(c)+delta))
					continue
				}
				// sfnt reads the glyph at this offset without adding
				// delta, and treats an offset past the table as no glyph.
				o := ro + 2*uint32(int(h)-int(segs)+int(c-start(h)))
				if o+2 > cl-base || o > cl-base {
					continue
				}
				fn(rune(c), sfnt.GlyphIndex(u16(cm, base+o)))
			}
		}
		return true
	case 12:
		off := bestOffset
		if off+16 > cl {
			return false
		}
		length := u32(cm, off+4)
		if length > cl-off {
			return false
		}
		groups := u32(cm, off+12)
		if groups > 20000 || 16+12*groups != length {
			return false
		}
		var last uint32
		for i := uint32(0); i < groups; i++ {
			g := off + 16 + 12*i
			start, end := u32(cm, g), u32(cm, g+4)
			if start > end || i > 0 && start <= last {
				return false
			}
			last = end
		}
		for i := uint32(0); i < groups; i++ {
			g := off + 16 + 12*i
			start, end, delta := u32(cm, g), u32(cm, g+4), u32(cm, g+8)
			for c := max(start, 1); c <= end && c <= 0xFFFF; c++ {
				fn(rune(c), sfnt.GlyphIndex(c-start+delta))
			}
		}
		return true
	}
	return false
}

// encodingWidth ranks a cmap subtable's platform and encoding as sfnt does:
// wider is better, 0 is unsupported.
func encodingWidth(pid, psid uint16) int {
	switch {
	case pid == 0 && psid == 3, pid == 3 && (psid == 0 || psid == 1):
		return 2
	case pid == 0 && psid == 4, pid == 3 && psid == 10:
		return 4
	case pid == 1 && psid == 0:
		return 1
	}
	return 0
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
