package cite

import (
	"reflect"
	"strings"
	"testing"

	"github.com/ibid-dev/ibid"
)

func TestSentences(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"One. Two! Three? Four", []string{"One.", "Two!", "Three?", "Four"}},
		{"Dr. King met Mr. Xu. Then he left.", []string{"Dr. King met Mr. Xu.", "Then he left."}},
		{"Written by J. S. Bach in 1720. Later.", []string{"Written by J. S. Bach in 1720.", "Later."}},
		{"Tools, e.g. Zotero, help. “Quoted,” he said. “Next.” (A note.) 1917 came.",
			[]string{"Tools, e.g. Zotero, help.", "“Quoted,” he said.", "“Next.”", "(A note.)", "1917 came."}},
		{"lower. case follows", []string{"lower. case follows"}},
		{"Wait… What?", []string{"Wait…", "What?"}},
		{"  ", nil},
	}
	for _, tt := range tests {
		if got := Sentences(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Sentences(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestAbstract(t *testing.T) {
	para := func(s ...string) []ibid.Block {
		var bs []ibid.Block
		for _, p := range s {
			bs = append(bs, ibid.Block{Type: ibid.Paragraph, Text: p})
		}
		return bs
	}
	long := strings.Repeat("word ", 30) + "end." // 154 characters
	tests := []struct {
		name   string
		blocks []ibid.Block
		limit  int
		want   string
	}{
		{"fits", para("One two. Three four."), 40, "One two. Three four."},
		{"stops before the sentence that does not fit", para("One two. Three four five six."), 15, "One two."},
		{"across paragraphs", para("First one.", "Second one. Third one."), 22, "First one. Second one."},
		{"skips headings and lists", append([]ibid.Block{{Type: ibid.Heading, Text: "Heading"}, {Type: ibid.List, Items: []string{"x"}}}, para("Body.")...), 40, "Body."},
		{"a long first sentence stays whole", para(long + " Next."), 100, long},
		{"a very long first sentence is cut at a word", para(long), 50, strings.TrimSpace(strings.Repeat("word ", 10)) + "…"},
		{"no paragraphs", nil, 40, ""},
	}
	for _, tt := range tests {
		if got := Abstract(&ibid.Essay{Blocks: tt.blocks}, tt.limit); got != tt.want {
			t.Errorf("%s: Abstract = %q, want %q", tt.name, got, tt.want)
		}
	}
}
