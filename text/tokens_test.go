package text

import (
	"math/rand"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// reference returns the tokens of s by uniseg alone, over the whole text.
func reference(s string) []Token {
	var toks []Token
	unisegWords(s, 0, func(w string, off, n int) {
		toks = append(toks, Token{Text: w, Offset: off, Length: n})
	})
	return toks
}

func sameTokens(t *testing.T, s string) {
	t.Helper()
	got, want := Tokens(s), reference(s)
	if !slices.Equal(got, want) {
		t.Fatalf("Tokens(%q)\n got  %+v\n want %+v", s, got, want)
	}
	if n := Words(s); n != len(want) {
		t.Fatalf("Words(%q) = %d, want %d", s, n, len(want))
	}
}

func TestTokensFastPath(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"Hello, world!", []string{"Hello", "world"}},
		{"can't won’t ‘tis", []string{"can't", "won’t", "tis"}},
		{"3.14 1,000,000 10:30 a:b e.g. i.e.", []string{"3.14", "1,000,000", "10", "30", "a:b", "e.g", "i.e"}},
		{"a.1 1.a a,b 1;2 1:2", []string{"a", "1", "1", "a", "a", "b", "1;2", "1", "2"}},
		{"snake_case _x __ x_ a1 1a", []string{"snake_case", "_x", "x_", "a1", "1a"}},
		{"state-of-the-art", []string{"state", "of", "the", "art"}},
		{"Émile Zoła, «naïve» — “café” …", []string{"Émile", "Zoła", "naïve", "café"}},
		{"end.\r\nNext\n\nline", []string{"end", "Next", "line"}},
		{"a..b a''b 'quoted'", []string{"a", "b", "a", "b", "quoted"}},
		// lines the fast path does not know go to uniseg
		{"Молотов и Риббентроп\nplain line", []string{"Молотов", "и", "Риббентроп", "plain", "line"}},
		{"cafe\u0301 au lait", []string{"cafe\u0301", "au", "lait"}},
		{"co\u00adop", []string{"co\u00adop"}},
	}
	for _, tt := range tests {
		var got []string
		for _, tk := range Tokens(tt.in) {
			got = append(got, tk.Text)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("Tokens(%q) = %q, want %q", tt.in, got, tt.want)
		}
		sameTokens(t, tt.in)
	}
}

// TestFastPathMatchesUniseg puts every character the fast path knows
// between representatives of every class, and every short string of
// representatives, through both paths.
func TestFastPathMatchesUniseg(t *testing.T) {
	var known []rune
	for r := rune(0); r < 0x3000; r++ {
		if r < utf8.RuneSelf || latinClass(r) != wbUnknown {
			known = append(known, r)
		}
	}
	if len(known) < 128+180 {
		t.Fatalf("only %d known characters", len(known))
	}
	reps := []string{"a", "Z", "é", "1", ":", ".", "'", "’", ",", ";", "_", " ", "-", "\n", "\r", "\t", "—", "я"}
	for _, r := range known {
		c := string(r)
		for _, x := range reps {
			for _, y := range reps {
				for _, s := range []string{x + c + y, c + x + y, x + y + c, x + c + c + y} {
					sameTokens(t, s)
				}
			}
		}
	}
	var rec func(prefix string, depth int)
	rec = func(prefix string, depth int) {
		sameTokens(t, prefix)
		if depth == 0 {
			return
		}
		for _, x := range reps {
			rec(prefix+x, depth-1)
		}
	}
	rec("", 4)
}

func BenchmarkTokens(b *testing.B) {
	para := "The committee’s report, published in 1998, found that 3.5 million people—roughly a tenth—couldn't read. "
	for _, tc := range []struct{ name, s string }{
		{"latin", strings.Repeat(para, 400)},
		{"cyrillic", strings.Repeat("Молотов и Риббентроп подписали пакт. ", 400)},
	} {
		b.Run(tc.name, func(b *testing.B) {
			b.SetBytes(int64(len(tc.s)))
			for b.Loop() {
				Tokens(tc.s)
			}
		})
		b.Run(tc.name+"/uniseg", func(b *testing.B) {
			b.SetBytes(int64(len(tc.s)))
			for b.Loop() {
				reference(tc.s)
			}
		})
	}
}

// TestWordsCount checks that Words counts what Tokens returns, on random
// texts of the characters both of the segmentation's paths meet: letters,
// digits, the characters that join them (: . , ' ’ _), Latin letters, a
// CJK one, an emoji, spaces and line feeds.
func TestWordsCount(t *testing.T) {
	chars := []string{"a", "B", "1", "9", ":", ".", ",", "'", "’", "_", "é", "ß", "日", "😀", " ", " ", "\n", "-", "\u00a0", "\u0301"}
	r := rand.New(rand.NewSource(41))
	for range 50000 {
		var b strings.Builder
		for range r.Intn(30) {
			b.WriteString(chars[r.Intn(len(chars))])
		}
		s := b.String()
		if got, want := Words(s), len(Tokens(s)); got != want {
			t.Fatalf("Words(%q) = %d, want %d (Tokens)", s, got, want)
		}
	}
}
