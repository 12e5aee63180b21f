package cite

import "testing"

// BenchmarkAll measures the cite box of one essay page: the essay in the
// seven built-in styles.
func BenchmarkAll(b *testing.B) {
	c, err := New(nil, testOpt)
	if err != nil {
		b.Fatal(err)
	}
	e := testEssay("Jane Q. Doe", published)
	for b.Loop() {
		if _, err := c.All(e); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkExport measures the three citation downloads of one essay.
func BenchmarkExport(b *testing.B) {
	e := testEssay("Jane Q. Doe and John Smith", published)
	xs := Exporters(testOpt)
	for b.Loop() {
		for _, x := range xs {
			var w discard
			if err := x.Export(&w, e); err != nil {
				b.Fatal(err)
			}
		}
	}
}

type discard struct{}

func (*discard) Write(p []byte) (int, error) { return len(p), nil }
