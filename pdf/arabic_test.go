package pdf

import "testing"

func TestShapeArabic(t *testing.T) {
	all := func(rune) bool { return true }
	for _, c := range []struct {
		in, want string
		drawable func(rune) bool
	}{
		// meem initial, reh final; hah initial (reh does not join
		// forward), beh medial, alef final.
		{"مرحبا", "\uFEE3\uFEAE\uFEA3\uFE92\uFE8E", all},
		{"لا", "\uFEFB", all},                                // lam-alef, isolated
		{"بلا", "\uFE91\uFEFC", all},                         // beh initial, lam-alef final
		{"ب", "\uFE8F", all},                                 // isolated
		{"بَب", "\uFE91\u064E\uFE90", all},                   // a mark between letters does not break the join
		{"ءب", "ء\uFE8F", all},                               // hamza joins nothing
		{"پژ", "\uFB58\uFB8B", all},                          // Persian peh initial, jeh final
		{"abc", "abc", all},                                  // not Arabic
		{"مرحبا", "مرحبا", func(rune) bool { return false }}, // no font has the forms
	} {
		rs := []rune(c.in)
		got, styles := shapeArabic(rs, make([]int, len(rs)), c.drawable)
		if string(got) != c.want || len(styles) != len(got) {
			t.Errorf("shapeArabic(%q) = %q (%d styles), want %q", c.in, string(got), len(styles), c.want)
		}
	}
}

func TestActualText(t *testing.T) {
	if got, want := actualText("aé😀"), "/Span <</ActualText <FEFF006100E9D83DDE00>>> BDC"; got != want {
		t.Errorf("actualText = %s, want %s", got, want)
	}
}
