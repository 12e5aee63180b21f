package classset

import (
	"slices"
	"strings"
	"testing"
)

// TestNew: the class is thirty answers with unique names, the same for a
// seed, different for another, and sorted into its kinds.
func TestNew(t *testing.T) {
	a, b, c := New(1), New(1), New(2)
	if len(a.Docs) != 30 || len(a.Copied) != 15 || len(a.Spun) != 5 || len(a.Own) != 13 {
		t.Fatalf("docs %d, copied %d, spun %d, own %d", len(a.Docs), len(a.Copied), len(a.Spun), len(a.Own))
	}
	names := map[string]bool{}
	for i, d := range a.Docs {
		if names[d.Name] || strings.TrimSpace(d.Text) == "" {
			t.Errorf("doc %d: %q repeated or empty", i, d.Name)
		}
		names[d.Name] = true
		if d != b.Docs[i] {
			t.Errorf("%s differs for the same seed", d.Name)
		}
	}
	if slices.Equal(a.Docs, c.Docs) {
		t.Error("two seeds give the same class")
	}
	for _, n := range append(append(a.Copied, a.Own...), a.Sharing[:]...) {
		if !names[n] {
			t.Errorf("%s is not a document", n)
		}
	}
	// Spinning changes words, and replaces some with longer phrases.
	src := Paragraphs()[0]
	if s := Spin(src, NewRand(1)); s == src || len(strings.Fields(s)) < len(strings.Fields(src)) {
		t.Errorf("spin: %q", s)
	}
}
