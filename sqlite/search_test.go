package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ibid-dev/ibid"
	"github.com/ibid-dev/ibid/storetest"
)

func TestFTSQuery(t *testing.T) {
	var many []string
	for i := range 40 {
		many = append(many, fmt.Sprintf("w%02d", i))
	}
	for _, c := range []struct{ q, want string }{
		{"revol", `"revol"*`},
		{"treaty of rapallo", `"treaty" AND "of" AND "rapallo"*`},
		{`"collective security" -munich`, `("collective" + "security") NOT "munich"`},
		// Repeats count once, whatever their case; a repeated last word
		// is still the prefix being typed.
		{strings.Repeat("a ", 250), `"a"`},
		{"Peace peace PEACE", `"PEACE"*`},
		{"treaty peace treaty", `"peace" AND "treaty"*`},
		{`"war and peace" "War and Peace" -x -x`, `("war" + "and" + "peace") NOT "x"`},
		// At most ibid.MaxSearchTerms terms, the first ones.
		{strings.Join(many, " "), `"w00" AND "w01" AND "w02" AND "w03" AND "w04" AND "w05" AND "w06" AND "w07" AND "w08" AND "w09" AND "w10" AND "w11" AND "w12" AND "w13" AND "w14" AND "w15"*`},
		{"-only -excluded", ""},
	} {
		if got := ftsQuery(c.q); got != c.want {
			t.Errorf("ftsQuery(%.40q) = %s, want %s", c.q, got, c.want)
		}
	}
}

// TestRepeatedTermsSearchCheaply is the regression test of a search that
// stalled the site: "a" typed 250 times (under the 500-byte limit) against
// essays full of "a" took minutes, since FTS5's snippet costs the square of
// the query's terms and was computed for every match, not just the page.
// The deadline is a hundred times what the search now takes.
func TestRepeatedTermsSearchCheaply(t *testing.T) {
	db, err := Open(filepath.Join(t.TempDir(), "ibid.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	words := strings.Fields(strings.Repeat("a quiet harbour keeps its boats a while ", 100))
	for i := range 100 {
		e := storetest.NewEssay(fmt.Sprintf("Harbour %d", i), "Travel", nil, strings.Join(words[i%7:], " "))
		if err := db.CreateEssay(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	for _, q := range []string{strings.Repeat("a ", 250), strings.Repeat("a harbour ", 125)} {
		ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		res, total, err := db.Search(ctx, ibid.SearchQuery{Query: q, Limit: 100})
		cancel()
		if err != nil {
			t.Fatalf("Search(%.20q…): %v", q, err)
		}
		if total != 100 || len(res) != 100 {
			t.Errorf("Search(%.20q…): %d results of %d, want 100", q, len(res), total)
		}
		if !strings.Contains(res[0].Snippet, ibid.SnippetMark+"a"+ibid.SnippetEnd) {
			t.Errorf("snippet without its match: %q", res[0].Snippet)
		}
	}
}
