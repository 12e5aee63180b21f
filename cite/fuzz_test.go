package cite

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/ibid-dev/ibid"
)

// FuzzAuthors feeds author fields as importers find them in outside files
// (seeds in testdata/fuzz/FuzzAuthors): no panic, no empty name, and every
// name's words come from the field.
func FuzzAuthors(f *testing.F) {
	for _, s := range []string{"Jane Doe", "Doe, Jane; Smith, J. & A. B. van der Berg Jr.", ",", " and ", "King, , Jr."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, field string) {
		for _, n := range Authors(field) {
			if n.Family == "" && n.Given == "" && n.Literal == "" {
				t.Fatalf("Authors(%q): an empty name in %+v", field, Authors(field))
			}
			for _, part := range []string{n.Family, n.Given, n.Suffix} {
				for _, w := range strings.Fields(part) {
					if !strings.Contains(field, w) {
						t.Fatalf("Authors(%q): %q is not in the field", field, w)
					}
				}
			}
		}
	})
}

// FuzzBibTeX checks that no title or author field can unbalance a BibTeX
// entry's braces or leave the entry's lines, and that RIS stays one value
// per line.
func FuzzBibTeX(f *testing.F) {
	f.Add("Braces {like} these", "Jane Doe")
	f.Add(`\}{`, "A {B} C")
	f.Fuzz(func(t *testing.T, title, author string) {
		e := &ibid.Essay{Slug: "x", Title: title, Author: author}
		var b bytes.Buffer
		if err := (BibTeX{testOpt}).Export(&b, e); err != nil {
			t.Fatal(err)
		}
		s := b.String()
		depth := 0
		for i := 0; i < len(s); i++ {
			switch s[i] {
			case '\\':
				i++
			case '{':
				depth++
			case '}':
				depth--
			}
			if depth < 0 {
				t.Fatalf("unbalanced braces:\n%s", s)
			}
		}
		if depth != 0 {
			t.Fatalf("%d braces open:\n%s", depth, s)
		}
		for _, line := range strings.Split(strings.TrimSuffix(s, "\n"), "\n")[1:] {
			if line != "}" && !strings.HasPrefix(line, "  ") {
				t.Fatalf("a field leaves its line: %q in\n%s", line, s)
			}
		}
		b.Reset()
		if err := (RIS{testOpt}).Export(&b, e); err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(strings.TrimSuffix(b.String(), "\r\n"), "\r\n") {
			if len(line) < 6 || line[2:6] != "  - " || strings.ContainsAny(line, "\r\n") {
				t.Fatalf("bad RIS line %q", line)
			}
		}
		if utf8.ValidString(title) && utf8.ValidString(author) && !utf8.Valid(b.Bytes()) {
			t.Fatalf("RIS is not UTF-8")
		}
	})
}
