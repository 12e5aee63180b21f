package synth

import (
	"bytes"
	"strings"
	"testing"
)

func TestDeterministicAndSized(t *testing.T) {
	a, b := New(7), New(7)
	for i := range 5 {
		ea, eb := a.Essay(i, 800), b.Essay(i, 800)
		if !bytes.Equal(ea, eb) {
			t.Fatal("same seed, different essays")
		}
		body := string(ea[bytes.Index(ea, []byte("\n---\n"))+5:])
		if n := len(strings.Fields(body)); n < 800 || n > 1100 {
			t.Errorf("essay %d has %d fields, want about 800", i, n)
		}
	}
	if bytes.Equal(New(1).Essay(0, 100), New(2).Essay(0, 100)) {
		t.Error("different seeds, same essay")
	}
}

func TestReword(t *testing.T) {
	g := New(3)
	src := string(g.Essay(0, 1000))
	for _, rate := range []float64{0, 0.3, 0.7} {
		out := New(4).Reword(src, rate)
		a, b := strings.Fields(src), strings.Fields(out)
		if len(a) != len(b) {
			t.Fatalf("rate %v: %d words became %d", rate, len(a), len(b))
		}
		changed := 0
		for i := range a {
			if a[i] != b[i] {
				changed++
			}
		}
		// About 55 % of the fields are content words of four letters or
		// more (front matter and headings aside).
		share := float64(changed) / float64(len(a))
		if want := rate * 0.55; share < want-0.08 || share > want+0.08 {
			t.Errorf("rate %v: %.2f of the words changed, want about %.2f", rate, share, want)
		}
		if !strings.HasPrefix(out, src[:strings.Index(src, "\n---\n")]) {
			t.Errorf("rate %v: front matter changed", rate)
		}
	}
}
