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
