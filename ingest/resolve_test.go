package ingest

import (
	"fmt"
	"testing"

	"github.com/ibid-dev/ibid"
	"github.com/ibid-dev/ibid/audit"
)

// TestResolve: what the screen found is named the same whether an essay
// was stored or an earlier essay of the batch when screened: equal
// similarities by essay ID, an essay named once.
func TestResolve(t *testing.T) {
	stored := []*ibid.Essay{{ID: 540, Slug: "blood"}, nil, {ID: 1394, Slug: "doc1403"}, {ID: 1394, Slug: "doc1403"}}
	tests := []struct {
		name  string
		found []audit.Similar
		want  string
	}{
		{"stored first, earlier after", []audit.Similar{{EssayID: 1394, Slug: "doc1403", Similarity: 0.7}, {Earlier: 0, Similarity: 0.7}}, "blood 0.7, doc1403 0.7"},
		{"earlier first, stored after", []audit.Similar{{Earlier: 2, Similarity: 0.7}, {EssayID: 540, Slug: "blood", Similarity: 0.7}}, "blood 0.7, doc1403 0.7"},
		{"more similar first", []audit.Similar{{Earlier: 0, Similarity: 0.6}, {EssayID: 1394, Slug: "doc1403", Similarity: 0.9}}, "doc1403 0.9, blood 0.6"},
		{"earlier essay not stored", []audit.Similar{{Earlier: 1, Similarity: 0.9}, {Earlier: 0, Similarity: 0.6}}, "blood 0.6"},
		{"a duplicate naming the stored essay again", []audit.Similar{{Earlier: 3, Similarity: 0.8}, {EssayID: 1394, Slug: "doc1403", Similarity: 0.8}, {Earlier: 2, Similarity: 0.8}}, "doc1403 0.8"},
	}
	for _, tt := range tests {
		got := ""
		for i, s := range resolve(tt.found, stored) {
			if i > 0 {
				got += ", "
			}
			got += fmt.Sprintf("%s %v", s.Slug, s.Similarity)
		}
		if got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}
