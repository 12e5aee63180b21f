package pdf

import (
	"encoding/binary"
	"math/bits"
	"slices"

	"golang.org/x/text/unicode/norm"

	"github.com/ibid-dev/ibid"
)

// fpdf parses the whole character map of every font a document uses, twice
// (when the font is added and again when it is subset for output), filling
// maps with every character the font covers: ~3,400 for DejaVu Serif, a
// sixth of an export's time. A document draws a few hundred. withCmap gives
// fpdf a copy of the font whose character map holds just those, mapped to
// the glyphs fpdf would have found for them, so that the glyphs, widths and
// subset it writes are the ones it wrote from the whole font.

// fpdfCmap is the character map fpdf reads from a font: the first format 4
// subtable of platform 3 encoding 1 or of platform 0, in directory order.
type fpdfCmap struct {
	ttf   []byte
	table uint32 // offset of the cmap table in ttf
	sub   uint32 // offset of the subtable in ttf
	end   uint32 // the subtable's end (fpdf's "rim")
	segs  uint32
	// sorted is true when the segments are in order and do not overlap,
	// so that a binary search finds the one segment of a rune.
	sorted bool
}

func be16(b []byte, i uint32) uint32 { return uint32(binary.BigEndian.Uint16(b[i:])) }
func be32(b []byte, i uint32) uint32 { return binary.BigEndian.Uint32(b[i:]) }

// tableRecord returns the offset in ttf of the table directory record of
// tag, or 0 if the font has none or its directory is damaged.
func tableRecord(ttf []byte, tag string) uint32 {
	n := uint32(len(ttf))
	if n < 12 {
		return 0
	}
	for i, tables := uint32(0), be16(ttf, 4); i < tables; i++ {
		rec := 12 + 16*i
		if rec+16 > n {
			return 0
		}
		if string(ttf[rec:rec+4]) == tag {
			off, length := be32(ttf, rec+8), be32(ttf, rec+12)
			if off > n || length > n-off {
				return 0
			}
			return rec
		}
	}
	return 0
}

// readFpdfCmap finds the subtable fpdf reads; ok is false when there is
// none or it does not fit in the file.
func readFpdfCmap(ttf []byte) (c fpdfCmap, ok bool) {
	rec := tableRecord(ttf, "cmap")
	if rec == 0 {
		return c, false
	}
	n := uint32(len(ttf))
	c.ttf, c.table = ttf, be32(ttf, rec+8)
	tlen := be32(ttf, rec+12)
	if tlen < 4 {
		return c, false
	}
	for i, subs := uint32(0), be16(ttf, c.table+2); i < subs; i++ {
		r := c.table + 4 + 8*i
		if r+8 > c.table+tlen {
			return c, false
		}
		pid, eid, off := be16(ttf, r), be16(ttf, r+2), be32(ttf, r+4)
		if !(pid == 3 && eid == 1 || pid == 0) || c.table+off+14 > n {
			continue
		}
		if be16(ttf, c.table+off) != 4 {
			continue
		}
		c.sub = c.table + off
		c.end = c.sub + be16(ttf, c.sub+2)
		c.segs = be16(ttf, c.sub+6) / 2
		if c.end > n || c.sub+16+8*c.segs > n {
			return c, false
		}
		c.sorted = true
		ends, starts := c.sub+14, c.sub+16+2*c.segs
		for k := uint32(0); k < c.segs; k++ {
			if be16(ttf, starts+2*k) > be16(ttf, ends+2*k) || k > 0 && be16(ttf, starts+2*k) <= be16(ttf, ends+2*k-2) {
				c.sorted = false
			}
		}
		return c, true
	}
	return c, false
}

// glyph returns the glyph fpdf maps r to, and whether r falls in one of the
// subtable's segments at all (fpdf records such a rune even when its glyph
// is 0). Where segments overlap, fpdf keeps the last one's glyph.
func (c fpdfCmap) glyph(r rune) (g uint16, mapped bool) {
	ends := c.sub + 14
	starts := ends + 2*c.segs + 2
	deltas := starts + 2*c.segs
	offsets := deltas + 2*c.segs
	ch := uint32(r)
	lo, hi := uint32(0), c.segs
	if c.sorted {
		// Only the first segment that ends at or after ch can hold it.
		for lo < hi {
			if m := lo + (hi-lo)/2; be16(c.ttf, ends+2*m) < ch {
				lo = m + 1
			} else {
				hi = m
			}
		}
		hi = min(lo+1, c.segs)
	}
	for n := lo; n < hi; n++ {
		start, end := be16(c.ttf, starts+2*n), be16(c.ttf, ends+2*n)
		if ch < start || ch > end {
			continue
		}
		delta, ro := be16(c.ttf, deltas+2*n), be16(c.ttf, offsets+2*n)
		mapped = true
		if ro == 0 {
			g = uint16(ch + delta)
			continue
		}
		pos := (ch-start)*2 + ro + offsets + 2*n
		if pos >= c.end || pos+2 > uint32(len(c.ttf)) {
			g = 0
			continue
		}
		if g = uint16(be16(c.ttf, pos)); g != 0 {
			g += uint16(delta)
		}
	}
	return g, mapped
}

// withCmap returns a copy of ttf whose character map holds only runes (in
// the Basic Multilingual Plane), each mapped as fpdf maps it in ttf, or ttf
// itself when fpdf would not read its character map. The copy keeps every
// other table where it was and appends the new map after them.
func withCmap(ttf []byte, runes []rune) []byte {
	c, ok := readFpdfCmap(ttf)
	if !ok {
		return ttf
	}
	type entry struct {
		r rune
		g uint16
	}
	var es []entry
	rs := slices.Clone(runes)
	slices.Sort(rs)
	for i, r := range rs {
		if r < 0 || r >= 0xFFFF || i > 0 && r == rs[i-1] {
			continue
		}
		if g, mapped := c.glyph(r); mapped {
			es = append(es, entry{r, g})
		}
	}
	// Segments of consecutive runes whose glyphs follow each other, so
	// one delta serves each; then the final 0xFFFF segment the format
	// requires.
	type seg struct {
		start, end rune
		delta      uint16
	}
	var segs []seg
	for _, e := range es {
		d := e.g - uint16(e.r)
		if k := len(segs) - 1; k >= 0 && segs[k].end == e.r-1 && segs[k].delta == d {
			segs[k].end = e.r
			continue
		}
		segs = append(segs, seg{e.r, e.r, d})
	}
	segs = append(segs, seg{0xFFFF, 0xFFFF, 1})
	n := len(segs)
	sub := make([]byte, 16+8*n)
	put := func(i int, v uint16) { binary.BigEndian.PutUint16(sub[i:], v) }
	put(0, 4)
	put(2, uint16(len(sub)))
	put(6, uint16(2*n))
	sr := 1
	for sr*2 <= n {
		sr *= 2
	}
	put(8, uint16(2*sr))
	es2 := 0
	for 1<<(es2+1) <= sr {
		es2++
	}
	put(10, uint16(es2))
	put(12, uint16(2*n-2*sr))
	for i, s := range segs {
		put(14+2*i, uint16(s.end))
		put(16+2*n+2*i, uint16(s.start))
		put(16+4*n+2*i, s.delta)
		// idRangeOffset stays 0: every glyph is rune + delta.
	}
	table := make([]byte, 12, 12+len(sub))
	binary.BigEndian.PutUint16(table[2:], 1) // one subtable
	binary.BigEndian.PutUint16(table[4:], 3) // Windows
	binary.BigEndian.PutUint16(table[6:], 1) // Unicode BMP
	binary.BigEndian.PutUint32(table[8:], 12)
	table = append(table, sub...)

	at := (len(ttf) + 3) &^ 3
	out := make([]byte, at, at+len(table)+3)
	copy(out, ttf)
	out = append(out, table...)
	rec := tableRecord(out, "cmap")
	binary.BigEndian.PutUint32(out[rec+4:], checksum(table))
	binary.BigEndian.PutUint32(out[rec+8:], uint32(at))
	binary.BigEndian.PutUint32(out[rec+12:], uint32(len(table)))
	return out
}

// checksum is a TrueType table checksum.
func checksum(b []byte) uint32 {
	var sum uint32
	for i := 0; i < len(b); i += 4 {
		var w [4]byte
		copy(w[:], b[i:])
		sum += binary.BigEndian.Uint32(w[:])
	}
	return sum
}

// runeSet is a set of Basic Multilingual Plane runes.
type runeSet [0x10000 / 64]uint64

func (s *runeSet) add(r rune) {
	if r >= 0 && r < 0x10000 {
		s[r/64] |= 1 << (r % 64)
	}
}

// addString adds the runes of t and of its NFC form, and reports false,
// leaving s incomplete, if t has Arabic script.
func (s *runeSet) addString(t string) bool {
	ascii := true
	for _, r := range t {
		if r >= 0x80 {
			ascii = false
			if r >= 0x0600 && r <= 0x08FF {
				return false
			}
		}
		s.add(r)
	}
	if !ascii && !norm.NFC.IsNormalString(t) {
		for _, r := range norm.NFC.String(t) {
			s.add(r)
		}
	}
	return true
}

func (s *runeSet) has(r rune) bool { return r >= 0 && r < 0x10000 && s[r/64]&(1<<(r%64)) != 0 }

// list returns the runes of s in order.
func (s *runeSet) list() []rune {
	var out []rune
	for i, w := range s {
		for ; w != 0; w &= w - 1 {
			out = append(out, rune(i*64+bits.TrailingZeros64(w)))
		}
	}
	return out
}

// expectedRunes is what a document of e will most likely draw: every
// character of the essay and of the site's name and address, the meta line,
// all of ASCII, Latin-1, general punctuation (dashes, quotes, the ellipsis of a
// shortened running header) and U+FFFD, which stands for characters beyond
// the Basic Multilingual Plane. The cite box's entries are not known yet
// (they are rendered meanwhile on another goroutine), but are made of the
// same. It returns nil, whole fonts, for text in Arabic script, whose
// letters are drawn as presentation forms that appear nowhere in the text.
func expectedRunes(x *Exporter, d *doc, e *ibid.Essay) *runeSet {
	s := new(runeSet)
	// All of ASCII, control characters too: fpdf puts the first 57
	// characters of each font in its subset whether drawn or not.
	for r := rune(0); r < 0x7F; r++ {
		s.add(r)
	}
	for r := rune(0xA0); r <= 0xFF; r++ {
		s.add(r)
	}
	for r := rune(0x2010); r <= 0x203A; r++ {
		s.add(r)
	}
	s.add('\uFFFD')
	s.add('•')
	s.add('›')
	texts := []string{d.title, e.Author, e.Subject, d.url, x.opt.SiteName, metaLine(e)}
	texts = append(texts, e.Topics...)
	for _, b := range e.Blocks {
		texts = append(texts, b.Text)
		texts = append(texts, b.Items...)
	}
	for _, t := range texts {
		if !s.addString(t) {
			return nil
		}
	}
	return s
}
