package text

import (
	"math/rand"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

func TestWords(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{"", 0},
		{"   \n\t", 0},
		{"one", 1},
		{"Hello, world!", 2},
		{"It's a state-of-the-art test.", 7}, // "It's" one word; hyphens split
		{"1917–1941 was long", 4},
		{"Молотов и Риббентроп", 3},
		{"Ἀθῆναι καὶ Σπάρτη", 3},
		{"3.5 million — roughly", 3},
		{"• bullet item", 2},
		{"e-mail me at a@b.com", 6},
	}
	for _, tt := range tests {
		if got := Words(tt.in); got != tt.want {
			t.Errorf("Words(%q) = %d, want %d", tt.in, got, tt.want)
		}
		if got := len(Tokens(tt.in)); got != tt.want {
			t.Errorf("len(Tokens(%q)) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

func TestTokensOffsetsAreRunes(t *testing.T) {
	s := "Émile — «Zola» wrote"
	toks := Tokens(s)
	r := []rune(s)
	if len(toks) != 3 {
		t.Fatalf("got %d tokens, want 3: %+v", len(toks), toks)
	}
	for _, tk := range toks {
		if got := string(r[tk.Offset : tk.Offset+tk.Length]); got != tk.Text {
			t.Errorf("token %q at %d+%d reads %q", tk.Text, tk.Offset, tk.Length, got)
		}
	}
}

func TestPages(t *testing.T) {
	tests := []struct{ words, per, want int }{
		{0, 500, 0},
		{1, 500, 1},
		{500, 500, 1},
		{501, 500, 2},
		{3836, 500, 8},
		{3836, 0, 8},
		{3836, 250, 16},
	}
	for _, tt := range tests {
		if got := Pages(tt.words, tt.per); got != tt.want {
			t.Errorf("Pages(%d, %d) = %d, want %d", tt.words, tt.per, got, tt.want)
		}
	}
}

func TestWordsForPagesRoundTrips(t *testing.T) {
	for p := 1; p < 20; p++ {
		lo, hi := WordsForPages(p, 500)
		if Pages(lo, 500) != p || Pages(hi, 500) != p || Pages(lo-1, 500) == p || Pages(hi+1, 500) == p {
			t.Errorf("WordsForPages(%d) = %d..%d is not exactly the words of %d pages", p, lo, hi, p)
		}
	}
}

func TestReadingMinutes(t *testing.T) {
	tests := []struct{ words, want int }{{0, 0}, {10, 1}, {238, 1}, {3836, 16}, {4000, 17}}
	for _, tt := range tests {
		if got := ReadingMinutes(tt.words); got != tt.want {
			t.Errorf("ReadingMinutes(%d) = %d, want %d", tt.words, got, tt.want)
		}
	}
}

func TestNormalize(t *testing.T) {
	tests := []struct{ in, want string }{
		{"  a \n b\u00a0c\t", "a b c"},
		{"Cafe\u0301", "Café"},
		{"x\x00y", "xy"},
		{"", ""},
		{"plain words", "plain words"},
		{"two  spaces", "two spaces"},
		{" lead", "lead"},
		{"trail ", "trail"},
		{"tab\tand\r\nline\v\f", "tab and line"},
		{"bell\x07 del\x7f", "bell del"},
		{"a \x01 b", "a b"},
		{"\x01 a", "a"},
		{"   ", ""},
	}
	for _, tt := range tests {
		if got := Normalize(tt.in); got != tt.want {
			t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestNormalizeASCII checks the ASCII paths of Normalize against the
// general one on every short string of an alphabet of ASCII's kinds of
// character: letters, spaces, white space, other control characters.
func TestNormalizeASCII(t *testing.T) {
	ascii := []string{"a", ".", " ", "\t", "\n", "\r", "\v", "\f", "\x00", "\x1f", "\x7f"}
	checkNormalize(t, ascii, 5)
}

// asciiNormalReference is asciiNormal as first written, byte by byte.
func asciiNormalReference(s string) (normal, ascii bool) {
	normal = len(s) == 0 || s[0] != ' ' && s[len(s)-1] != ' '
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= utf8.RuneSelf:
			return false, false
		case c < 0x20 || c == 0x7F:
			normal = false
		case c == ' ' && i+1 < len(s) && s[i+1] == ' ':
			normal = false
		}
	}
	return normal, true
}

// TestASCIINormalWords checks asciiNormal, which reads eight bytes at a
// time, against the byte-by-byte reference on random strings of up to 40
// bytes (several words, a tail) of letters and spaces with now and then a
// byte of each kind that makes text not normal or not ASCII, at every
// place: the boundaries of the eight-byte words included.
func TestASCIINormalWords(t *testing.T) {
	common := []byte("abcde ")
	rare := []byte{'\t', '\n', 0x00, 0x1F, 0x20, 0x21, 0x7E, 0x7F, 0x80, 0xC3, 0xFF, '~', 'A', '_'}
	r := rand.New(rand.NewSource(5))
	for range 300000 {
		b := make([]byte, r.Intn(41))
		for i := range b {
			if r.Intn(30) == 0 {
				b[i] = rare[r.Intn(len(rare))]
			} else {
				b[i] = common[r.Intn(len(common))]
			}
		}
		s := string(b)
		gn, ga := asciiNormal(s)
		wn, wa := asciiNormalReference(s)
		if gn != wn || ga != wa {
			t.Fatalf("asciiNormal(%q) = %v, %v; reference %v, %v", s, gn, ga, wn, wa)
		}
	}
}

// TestNFCInert checks what unicodeNormal's one pass relies on: every
// character nfcInert accepts, and every printable ASCII one, is in NFC on
// its own and never combines with the character before it, so that any
// text of them is in NFC; and none is white space or a control. Then it
// compares unicodeNormal with the general check on random texts of such
// characters mixed with ones that are not.
func TestNFCInert(t *testing.T) {
	for r := rune(0x20); r <= 0x10FFFF; r++ {
		if !(r < 0x7F || nfcInert(r)) {
			continue
		}
		p := norm.NFC.PropertiesString(string(r))
		if !norm.NFC.IsNormalString(string(r)) || !p.BoundaryBefore() || p.CCC() != 0 {
			t.Errorf("%U: not inert under NFC", r)
		}
		if r > 0x7F && (unicode.IsSpace(r) || unicode.IsControl(r) || r == '\u00a0' || r == '\u200b' || r == '\ufeff') {
			t.Errorf("%U: nfcInert accepts white space or a control", r)
		}
	}
	chars := []string{"a", "A", " ", "  ", ".", "’", "“", "—", "é", "ß", "Ω", "ǅ", "ʼ", "˜", "€", "™", "…", "‰",
		"e\u0301", "\u0301", "\u0300", "\u00a0", "\u200b", "\ufeff", "\u2028", "\u212b", "\u2000", "\u0085",
		"\u0080", "\xff", "\t", "\x7f", "ｔ", "日", "\U0001F600", "\u0344", "\u0958"}
	r := rand.New(rand.NewSource(9))
	for range 200000 {
		var b strings.Builder
		for range r.Intn(9) {
			if r.Intn(6) == 0 {
				b.WriteString(chars[r.Intn(len(chars))])
			} else {
				b.WriteString(chars[r.Intn(18)]) // the normal ones
			}
		}
		s := b.String()
		if got, want := unicodeNormal(s), unicodeNormalGeneral(s); got != want {
			t.Fatalf("unicodeNormal(%q) = %v, general check %v", s, got, want)
		}
	}
}

// TestNormalizeUnicode checks the shortcut for text that is normal already
// against the general path, with the characters that make text not
// normal: non-ASCII spaces, invisible ones, a combining accent (NFC), a
// C1 control, an invalid byte.
func TestNormalizeUnicode(t *testing.T) {
	chars := []string{"a", " ", "\n", "é", "e", "\u0301", "\u00a0", "\u200b", "\ufeff", "\u2003", "\u0085", "\xff", "’"}
	checkNormalize(t, chars, 4)
}

// checkNormalize compares Normalize with normalizeUnicode on every string
// of up to n of chars.
func checkNormalize(t *testing.T, chars []string, n int) {
	t.Helper()
	var walk func(prefix string, depth int)
	walk = func(s string, depth int) {
		if got, want := Normalize(s), normalizeUnicode(s); got != want {
			t.Fatalf("Normalize(%q) = %q, want %q (general path)", s, got, want)
		}
		if depth == n {
			return
		}
		for _, c := range chars {
			walk(s+c, depth+1)
		}
	}
	walk("", 0)
}

func TestSlugify(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Soviet Foreign Policy, 1917–1941", "soviet-foreign-policy-1917-1941"},
		{"Économie politique", "economie-politique"},
		{"Europe's Long Peace", "europes-long-peace"},
		{"  --  ", ""},
		{"Молотов", ""},
		{strings.Repeat("word ", 40), strings.TrimRight(strings.Repeat("word-", 16), "-")},
	}
	for _, tt := range tests {
		if got := Slugify(tt.in); got != tt.want {
			t.Errorf("Slugify(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// FuzzTokens checks that the fast path of Tokens and Words gives exactly
// the tokens of uniseg, that tokens are well formed, and that Normalize's
// shortcuts agree with its general path.
func FuzzTokens(f *testing.F) {
	for _, s := range []string{
		"", "Hello, world", "Молотов и Риббентроп", "\xff\xfe bad", "a\u0301b",
		"It's a state-of-the-art test.",
		"3.5 million — roughly 1,000 of them; see p. 12:30",
		"Émile — «Zola» wrote\r\n\nSecond paragraph, ‘quoted’ and don’t.",
		"a_b __init__ x.y.z 1.2.3 a:b:c",
		"Молотов и Риббентроп\nplain\n",
		"e\u0301\u200d\U0001F600 \U0001F1EB\U0001F1F7 \xff",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sameTokens(t, s)
		// Normalize's shortcuts (eight bytes at a time, NFC-inert text)
		// give what its general path gives.
		if got, want := Normalize(s), normalizeUnicode(s); got != want {
			t.Fatalf("Normalize(%q) = %q, want %q", s, got, want)
		}
		toks := Tokens(s)
		r := []rune(s)
		last := -1
		for _, tk := range toks {
			if tk.Offset <= last || tk.Offset+tk.Length > len(r) || tk.Length <= 0 {
				t.Fatalf("bad token %+v in %q", tk, s)
			}
			last = tk.Offset
		}
	})
}

func TestKeywords(t *testing.T) {
	s := "The treaty of Rapallo. The treaty was signed; Rapallo's treaty mattered, and Germany signed it with Russia. Russia's state-of-the-art diplomacy."
	got := strings.Join(Keywords(s, 4), " ")
	if want := "treaty signed diplomacy germany"; got != want {
		t.Errorf("Keywords = %q, want %q", got, want)
	}
	if len(Keywords("", 3)) != 0 {
		t.Error("keywords of nothing")
	}
}
