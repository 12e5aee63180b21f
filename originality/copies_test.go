package originality

import (
	"os"
	"strings"
	"testing"
)

// Paragraphs copied from far apart in a long source are copies, each with
// its own source passage, not a summary of the whole source.
func TestCopiedParagraphsAreNotASummary(t *testing.T) {
	data, err := os.ReadFile("../demo/essays/soviet-foreign-policy-1917-1941.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(data)
	var paras []string
	for _, p := range strings.Split(doc[strings.Index(doc, "\n---\n")+5:], "\n\n") {
		if len(strings.Fields(p)) > 60 && !strings.HasPrefix(p, "- ") {
			paras = append(paras, strings.TrimSpace(p))
		}
	}
	if len(paras) < 12 {
		t.Fatalf("generated source has only %d paragraphs", len(paras))
	}
	src := strings.Join(paras, "\n\n")
	// The first copy lightly spun, the second verbatim.
	spun := strings.NewReplacer("government", "administration", "signed", "concluded").Replace(paras[3])
	sub := "An opening of my own that the source does not contain at all.\n\n" + spun + "\n\n" + paras[10]
	als := Align(sub, src, Options{})
	if len(als) == 0 {
		t.Fatal("no alignment for two copied paragraphs")
	}
	for _, a := range als {
		if a.Source.Length > 2*a.Submitted.Length {
			t.Errorf("passage %+v: its source side is much longer than what was copied", a)
		}
	}
}
