package ingest_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/ibid-dev/ibid"
	"github.com/ibid-dev/ibid/ingest"
)

// words returns n distinct-enough words in paragraphs of 100.
func words(n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			if i%100 == 0 {
				b.WriteString("\n\n")
			} else {
				b.WriteByte(' ')
			}
		}
		fmt.Fprintf(&b, "w%d", i%997)
	}
	return b.String()
}

// TestEssaySizeBounds: an essay over the word or byte bound is refused
// with ETOOLARGE, by Add (the editors' forms and the API), by Files (ibid
// import) and by Update, and nothing is stored. Before the bound, a
// 9,000,000-word essay sent to POST /api/essays was stored, and every read
// of it cost 97 MB.
func TestEssaySizeBounds(t *testing.T) {
	longWord := strings.Repeat("x", ibid.DefaultMaxEssayBytes/2)
	tests := []struct {
		name      string
		words     int // 0: the text is two very long words
		max       [2]int
		want      string // error code; "" for stored
		wantInMsg string
	}{
		{"default words bound, one over", ibid.DefaultMaxEssayWords + 1, [2]int{0, 0}, ibid.ETOOLARGE, "200,000 words"},
		{"default words bound, at it", ibid.DefaultMaxEssayWords, [2]int{0, 0}, "", ""},
		{"default bytes bound, two huge words", 0, [2]int{0, 0}, ibid.ETOOLARGE, "5 MB"},
		{"own words bound", 101, [2]int{100, 0}, ibid.ETOOLARGE, "100 words"},
		{"own bytes bound", 100, [2]int{0, 200}, ibid.ETOOLARGE, "at most 200 bytes"},
		{"no bound", 0, [2]int{-1, -1}, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := longWord + " " + longWord + "y"
			if tt.words > 0 {
				body = words(tt.words)
			}
			db := newStore(t)
			im := &ingest.Importer{Store: db, MaxWords: tt.max[0], MaxBytes: tt.max[1]}
			ctx := context.Background()

			_, err := im.Document(ctx, &ibid.Document{Title: "Long", Blocks: []ibid.Block{{Type: ibid.Paragraph, Text: body}}}, "api")
			file := write(t, t.TempDir(), "long.txt", "Long\n\n"+body)
			sum, ferr := im.Files(ctx, []string{file}, nil)
			if ferr != nil {
				t.Fatal(ferr)
			}
			_, total, _ := db.Essays(ctx, ibid.EssayFilter{Limit: 1})
			if tt.want == "" {
				if err != nil || sum.Duplicates != 1 || total != 1 {
					t.Fatalf("Add: %v; Files: %+v; %d stored, want 1", err, sum, total)
				}
				return
			}
			if ibid.ErrorCode(err) != tt.want || !strings.Contains(ibid.ErrorMessage(err), tt.wantInMsg) {
				t.Errorf("Add: %v, want %s saying %q", err, tt.want, tt.wantInMsg)
			}
			if sum.Failed != 1 || total != 0 {
				t.Errorf("Files: %+v; %d stored, want the file failed and none stored", sum, total)
			}
			// An edit that makes a stored essay too long is refused too.
			small, err := (&ingest.Importer{Store: db}).Document(ctx, &ibid.Document{Title: "Short", Blocks: []ibid.Block{{Type: ibid.Paragraph, Text: "A short essay."}}}, "api")
			if err != nil {
				t.Fatal(err)
			}
			small.Blocks = []ibid.Block{{Type: ibid.Paragraph, Text: body}}
			if err := im.Update(ctx, small); ibid.ErrorCode(err) != tt.want {
				t.Errorf("Update: %v, want %s", err, tt.want)
			}
			if e, err := db.EssayByID(ctx, small.ID); err != nil || e.Text != "A short essay." {
				t.Errorf("after a refused update the essay is %v (%v)", e, err)
			}
		})
	}
}
