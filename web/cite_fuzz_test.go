package web

import (
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// FuzzCiteHTML checks that whatever a Citer returns, the cite box gets only
// our few elements, without attributes beyond our classes, balanced, and
// that cleaning twice changes nothing. Seeds are in testdata/fuzz.
func FuzzCiteHTML(f *testing.F) {
	f.Add(`Doe. <i>Title</i>. <div class="csl-left-margin">[1]</div>`)
	f.Add(`<span style="font-variant:small-caps;">x</span><script>alert(1)</script>`)
	f.Add(`<i><b>unclosed`)
	f.Fuzz(func(t *testing.T, in string) {
		out := string(citeHTML(in, "fallback"))
		var stack []string
		z := html.NewTokenizer(strings.NewReader(out))
		for {
			tt := z.Next()
			if tt == html.ErrorToken {
				break
			}
			tok := z.Token()
			switch tt {
			case html.StartTagToken:
				switch tok.Data {
				case "i", "b", "em", "strong", "sup", "sub", "span":
				default:
					t.Fatalf("citeHTML(%q) = %q: element <%s>", in, out, tok.Data)
				}
				for _, a := range tok.Attr {
					if a.Key != "class" || tok.Data != "span" {
						t.Fatalf("citeHTML(%q) = %q: attribute %s", in, out, a.Key)
					}
				}
				stack = append(stack, tok.Data)
			case html.EndTagToken:
				if len(stack) == 0 || stack[len(stack)-1] != tok.Data {
					t.Fatalf("citeHTML(%q) = %q: unbalanced </%s>", in, out, tok.Data)
				}
				stack = stack[:len(stack)-1]
			case html.SelfClosingTagToken, html.CommentToken, html.DoctypeToken:
				t.Fatalf("citeHTML(%q) = %q: %v", in, out, tt)
			}
		}
		if len(stack) > 0 {
			t.Fatalf("citeHTML(%q) = %q: %v left open", in, out, stack)
		}
		if again := string(citeHTML(out, "fallback")); out != "" && again != out {
			t.Fatalf("not stable: %q -> %q -> %q", in, out, again)
		}
	})
}
