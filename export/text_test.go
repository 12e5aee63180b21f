package export

import (
	"strings"
	"testing"

	"github.com/rivo/uniseg"
)

func TestTextGolden(t *testing.T) {
	golden(t, "essay.txt", exportBytes(t, NewText(testOpts), loadEssay(t)))
}

// TestTextWrap checks the promises of the plain text: no line wider than
// TextWidth unless it holds a single word, and every word of the essay, in
// order.
func TestTextWrap(t *testing.T) {
	e := loadEssay(t)
	out := string(exportBytes(t, NewText(testOpts), e))
	for i, l := range strings.Split(out, "\n") {
		if w := uniseg.StringWidth(l); w > TextWidth && len(strings.Fields(strings.TrimLeft(l, "> "))) > 1 {
			t.Errorf("line %d is %d cells wide: %q", i+1, w, l)
		}
		if strings.HasSuffix(l, " ") {
			t.Errorf("line %d ends in a space: %q", i+1, l)
		}
	}
	// Lines of CJK text break between characters, so compare without
	// white space.
	got := strings.Join(strings.Fields(out), "")
	for _, w := range strings.Fields(e.Text) {
		i := strings.Index(got, w)
		if i < 0 {
			t.Fatalf("the text lacks %q, or has it out of order", w)
		}
		got = got[i+len(w):]
	}
}

func TestLines(t *testing.T) {
	long := strings.Repeat("x", 80)
	for _, c := range []struct {
		in, first, rest string
		want            []string
	}{
		{"", "", "", nil},
		{"a b", "• ", "  ", []string{"• a b"}},
		{long + " y", "> ", "> ", []string{"> " + long, "> y"}},
		{strings.Repeat("ab ", 30), "", "", []string{strings.TrimSpace(strings.Repeat("ab ", 24)), strings.TrimSpace(strings.Repeat("ab ", 6))}},
		{strings.Repeat("日本 ", 30), "", "", []string{strings.TrimSpace(strings.Repeat("日本 ", 14)), strings.TrimSpace(strings.Repeat("日本 ", 14)), "日本 日本"}},
		{"ab " + strings.Repeat("日", 40), "", "", []string{"ab " + strings.Repeat("日", 34), strings.Repeat("日", 6)}},
	} {
		got := lines(c.in, c.first, c.rest)
		if strings.Join(got, "|") != strings.Join(c.want, "|") {
			t.Errorf("lines(%.20q…) =\n%q\nwant\n%q", c.in, got, c.want)
		}
	}
}
