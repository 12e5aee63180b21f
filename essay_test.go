package ibid

import (
	"fmt"
	"testing"
)

func TestBlockShape(t *testing.T) {
	for _, tc := range []struct {
		name   string
		blocks []Block
		shape  string // "" when the blocks cannot be kept as a shape
	}{
		{"none", nil, ""},
		{"essay", []Block{
			{Type: Heading, Level: 1, Text: "Introduction"},
			{Type: Paragraph, Text: "The treaty was signed."},
			{Type: List, Ordered: true, Items: []string{"Rapallo, 1922", "Munich, 1938"}},
			{Type: Quote, Text: "“Peace in our time.”"},
			{Type: List, Items: []string{"one"}},
			{Type: Heading, Level: 3, Text: "Notes"},
		}, "h1 p o2 q l1 h3"},
		{"empty texts and items", []Block{
			{Type: Paragraph, Text: ""},
			{Type: List, Items: []string{"a", "", "b"}},
			{Type: List},
			{Type: Paragraph, Text: "end"},
		}, "p l3 l0 p"},
		{"line break in a paragraph", []Block{{Type: Paragraph, Text: "a\nb"}, {Type: Paragraph, Text: "c"}}, "-"},
		{"blank line in a paragraph", []Block{{Type: Paragraph, Text: "a\n\nb"}}, "-"},
		{"line break in an item", []Block{{Type: List, Items: []string{"a\nb"}}}, "-"},
		{"items on a paragraph", []Block{{Type: Paragraph, Text: "a", Items: []string{"x"}}}, "-"},
		{"ordered paragraph", []Block{{Type: Paragraph, Text: "a", Ordered: true}}, "-"},
		{"level on a quote", []Block{{Type: Quote, Text: "a", Level: 2}}, "-"},
		{"unknown type", []Block{{Type: "table", Text: "a"}}, "-"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			shape, ok := BlockShape(tc.blocks)
			if tc.shape == "-" {
				if ok {
					t.Fatalf("BlockShape = %q, want none", shape)
				}
			} else if !ok || shape != tc.shape {
				t.Fatalf("BlockShape = %q, %v; want %q", shape, ok, tc.shape)
			}
			// Whatever the shape, what a store keeps gives the blocks back.
			text := CanonicalText(tc.blocks)
			data, err := MarshalBlocks(tc.blocks, text)
			if err != nil {
				t.Fatal(err)
			}
			if ok != (data[0] == '"') {
				t.Errorf("MarshalBlocks = %s; shape %v", data, ok)
			}
			back, err := UnmarshalBlocks(data, text)
			if err != nil {
				t.Fatalf("UnmarshalBlocks(%s): %v", data, err)
			}
			if len(tc.blocks) == 0 && len(back) == 0 {
				return
			}
			if fmt.Sprintf("%+v", back) != fmt.Sprintf("%+v", tc.blocks) {
				t.Errorf("round trip\n got %+v\nwant %+v", back, tc.blocks)
			}
		})
	}
}

// A shape is kept only beside the text it was made from: blocks whose text
// is not the given one are kept whole.
func TestMarshalBlocksOtherText(t *testing.T) {
	blocks := []Block{{Type: Paragraph, Text: "a"}, {Type: Paragraph, Text: "b"}}
	data, err := MarshalBlocks(blocks, "a b")
	if err != nil || data[0] != '[' {
		t.Fatalf("MarshalBlocks = %s, %v; want the blocks whole", data, err)
	}
}

func TestBlocksFromShapeErrors(t *testing.T) {
	for _, tc := range []struct{ shape, text string }{
		{"p p", "only one"},
		{"p", "one\n\ntwo"},
		{"hx", "a"},
		{"l-1", "a"},
		{"l99999999999", "a"},
		{"p7", "a"},
		{"z", "a"},
		{"l3", "a\nb"},
	} {
		if b, err := BlocksFromShape(tc.shape, tc.text); err == nil {
			t.Errorf("BlocksFromShape(%q, %q) = %+v, want an error", tc.shape, tc.text, b)
		}
	}
}

// FuzzBlocksFromShape: any shape and text give blocks or an error, never a
// panic; blocks given back spell the text.
func FuzzBlocksFromShape(f *testing.F) {
	f.Add("h1 p o2", "Title\n\nText.\n\na\nb")
	f.Add("l3 p", "a\n\nb\n\nc")
	f.Fuzz(func(t *testing.T, shape, text string) {
		b, err := BlocksFromShape(shape, text)
		if err == nil && CanonicalText(b) != text {
			t.Fatalf("blocks %+v spell %q, not %q", b, CanonicalText(b), text)
		}
	})
}
