package export

import (
	"fmt"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/ibid-dev/ibid"
	"github.com/ibid-dev/ibid/extract"
	"github.com/ibid-dev/ibid/text"
)

func TestMarkdownGolden(t *testing.T) {
	golden(t, "essay.md", exportBytes(t, NewMarkdown(testOpts), loadEssay(t)))
}

// TestMarkdownRoundTrip imports the Markdown with the library's own
// extractor: it must give back the essay's metadata and blocks exactly.
func TestMarkdownRoundTrip(t *testing.T) {
	e := loadEssay(t)
	out := exportBytes(t, NewMarkdown(testOpts), e)
	doc, err := extract.Markdown("essay.md", out, extract.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if doc.Title != e.Title || doc.Author != e.Author || doc.Subject != e.Subject || doc.License != e.License {
		t.Errorf("metadata: got %q by %q in %q under %q", doc.Title, doc.Author, doc.Subject, doc.License)
	}
	if !doc.Published.Equal(e.Published) {
		t.Errorf("date: got %v, want %v", doc.Published, e.Published)
	}
	if fmt.Sprint(doc.Topics) != fmt.Sprint(e.Topics) {
		t.Errorf("topics: got %q, want %q", doc.Topics, e.Topics)
	}
	diffBlocks(t, doc.Blocks, blocks(e))
}

func diffBlocks(t *testing.T, got, want []ibid.Block) {
	t.Helper()
	for i := 0; i < len(got) && i < len(want); i++ {
		if fmt.Sprintf("%+v", got[i]) != fmt.Sprintf("%+v", want[i]) {
			t.Errorf("block %d:\n got %+v\nwant %+v", i, got[i], want[i])
		}
	}
	if len(got) != len(want) {
		t.Errorf("%d blocks, want %d", len(got), len(want))
	}
}

func TestEscapeLine(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"plain text", "plain text"},
		{"# hash", `\# hash`},
		{"1989. A year", `1989\. A year`},
		{"3) three", `3\) three`},
		{"12345678901. too long for a list", "12345678901. too long for a list"},
		{"- dash", `\- dash`},
		{"*stars* and _under_", `\*stars\* and \_under\_`},
		{"a <b> [c](d) `e` f\\g", "a \\<b> \\[c\\](d) \\`e\\` f\\\\g"},
		{"&amp; &#38; &#x26; AT&T & co", "&amp;amp; &amp;#38; &amp;#x26; AT&T & co"},
		{"> q", `\> q`},
	} {
		if got := escapeLine(c.in); got != c.want {
			t.Errorf("escapeLine(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// decoration reports whether s has nothing but the characters the
// extractor drops as rules and ornaments ("---", "* * *").
func decoration(s string) bool {
	return strings.Trim(s, "-–—_*=~#.•· ") == ""
}

// FuzzMarkdownRoundTrip checks the escaping: any text, as a paragraph, a
// heading, a quote and a list item, must import back unchanged.
func FuzzMarkdownRoundTrip(f *testing.F) {
	for _, s := range []string{"plain", "# h", "1. x", "*a* _b_ `c`", "<div>", "&amp;", "a\\", "[x]: y", "    code", "- - -", "Setext\n===", "||", "!\\[x]", "&#0;", "\u00a0x"} {
		f.Add(s)
	}
	x := NewMarkdown(Options{})
	f.Fuzz(func(t *testing.T, s string) {
		s = text.Normalize(s)
		// The extractor drops decoration and refuses text with many
		// U+FFFD as binary; neither is about escaping.
		if s == "" || decoration(s) || !strings.ContainsFunc(s, unicode.IsPrint) || strings.ContainsRune(s, utf8.RuneError) {
			return
		}
		e := &ibid.Essay{Title: "Fuzz", Blocks: []ibid.Block{
			{Type: ibid.Heading, Level: 1, Text: s},
			{Type: ibid.Paragraph, Text: s},
			{Type: ibid.Quote, Text: s},
			{Type: ibid.List, Items: []string{s, "next"}},
			{Type: ibid.List, Ordered: true, Items: []string{s}},
		}}
		out := exportBytes(t, x, e)
		doc, err := extract.Markdown("f.md", out, extract.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if want := blocks(e); fmt.Sprintf("%+v", doc.Blocks) != fmt.Sprintf("%+v", want) {
			t.Errorf("markdown\n%s\nimports as\n%+v\nwant\n%+v", out, doc.Blocks, want)
		}
	})
}
