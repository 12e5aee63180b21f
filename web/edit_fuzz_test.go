package web

import (
	"fmt"
	"net/url"
	"testing"

	"github.com/ibid-dev/ibid"
	"github.com/ibid-dev/ibid/text"
)

// FuzzSafeNext: whatever a sign-in link carries as next, the redirect stays
// on this site.
func FuzzSafeNext(f *testing.F) {
	for _, s := range []string{"/", "/essays?page=2", "//evil.example", "/\\evil.example", "https://evil.example",
		"/\t/evil.example", "/%2F/evil.example", "javascript:alert(1)", "/login?next=/x", "/@evil.example"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, next string) {
		got := safeNext(next)
		if got != "/" && got != next {
			t.Fatalf("safeNext(%q) = %q: neither the input nor /", next, got)
		}
		if len(got) > 1 && (got[1] == '/' || got[1] == '\\') {
			t.Fatalf("safeNext(%q) = %q: protocol-relative", next, got)
		}
		// What a browser resolves against this site must stay on it.
		base, _ := url.Parse("https://ibid.example/essays/x")
		ref, err := url.Parse(got)
		if err != nil {
			t.Fatalf("safeNext(%q) = %q does not parse: %v", next, got, err)
		}
		if u := base.ResolveReference(ref); u.Host != "ibid.example" || u.Scheme != "https" {
			t.Fatalf("safeNext(%q) = %q leads to %s", next, got, u)
		}
		for _, c := range got {
			if c < 0x20 || c == 0x7f || c == '\\' {
				t.Fatalf("safeNext(%q) = %q keeps %U", next, got, c)
			}
		}
	})
}

// FuzzBlocksMarkdown: the edit form's Markdown reads back as the blocks it
// was written from, whatever their text, so that saving an untouched form
// never changes an essay.
func FuzzBlocksMarkdown(f *testing.F) {
	f.Add("Heading", "A paragraph with *stars* and <b>tags</b>.", "# not a heading", "1. item", false)
	f.Add("1922", "&amp; &#38; &lt;", "- dash", "back\\slash `code`", true)
	f.Add("A [link](x)", "> quote", "+ plus", "~~~", false)
	f.Fuzz(func(t *testing.T, heading, para, item1, item2 string, ordered bool) {
		norm := func(s string) string { return text.Normalize(s) }
		blocks := []ibid.Block{
			{Type: ibid.Heading, Level: 1, Text: norm(heading)},
			{Type: ibid.Paragraph, Text: norm(para)},
			{Type: ibid.List, Ordered: ordered, Items: []string{norm(item1), norm(item2)}},
			{Type: ibid.Quote, Text: norm(para)},
		}
		// Only blocks an essay can hold: none empty.
		for _, b := range blocks {
			for _, s := range append([]string{b.Text}, b.Items...) {
				if s == "" {
					return
				}
			}
		}
		title := "Title"
		doc, err := markdownDocument(blocksMarkdown(blocks), &title, 0)
		if err != nil {
			return // refused (e.g. binary-looking text): not changed
		}
		if got, want := fmt.Sprintf("%+v", doc.Blocks), fmt.Sprintf("%+v", blocks); got != want {
			t.Fatalf("round trip of\n%s\n got %s\nwant %s", blocksMarkdown(blocks), got, want)
		}
	})
}
