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

// TestSearchPastRankCap: a query matching more essays than are ranked still
// reports the exact total, puts the essay whose title matches first (it is
// past the first rankCap matches in the index's order), pages through every
// match, and filters before the cap; a query under the cap is ranked in full.
func TestSearchPastRankCap(t *testing.T) {
	old := rankCap
	rankCap = 5
	defer func() { rankCap = old }()
	db, err := Open(filepath.Join(t.TempDir(), "ibid.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for i := range 30 {
		title, subject := fmt.Sprintf("Essay %d", i), "History"
		if i == 25 {
			title = "The River"
		}
		if i >= 20 {
			subject = "Geography"
		}
		e := storetest.NewEssay(title, subject, nil, fmt.Sprintf("A river runs past mill number %d.", i))
		if err := db.CreateEssay(t.Context(), e); err != nil {
			t.Fatal(err)
		}
	}
	res, total, err := db.Search(t.Context(), ibid.SearchQuery{Query: "river", Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if total != 30 || len(res) != 10 || res[0].Essay.Title != "The River" || res[0].Score <= res[1].Score {
		t.Fatalf("total %d, %d results, first %q; want 30, 10, \"The River\"", total, len(res), res[0].Essay.Title)
	}
	seen := map[string]bool{}
	for off := 0; off < 40; off += 10 {
		page, n, err := db.Search(t.Context(), ibid.SearchQuery{Query: "river", Limit: 10, Offset: off})
		if err != nil || n != 30 {
			t.Fatalf("offset %d: total %d, %v", off, n, err)
		}
		for _, r := range page {
			seen[r.Essay.Title] = true
		}
	}
	if len(seen) != 30 {
		t.Errorf("paging found %d distinct essays, want 30", len(seen))
	}
	geo, total, err := db.Search(t.Context(), ibid.SearchQuery{Query: "river", Subject: "Geography", Limit: 20})
	if err != nil || total != 10 || len(geo) != 10 || geo[0].Essay.Title != "The River" {
		t.Fatalf("Geography: total %d, %d results, %v", total, len(geo), err)
	}
	for _, r := range geo {
		if r.Essay.Subject != "Geography" || r.Snippet == "" {
			t.Errorf("Geography search: %q of %q, snippet %q", r.Essay.Title, r.Essay.Subject, r.Snippet)
		}
	}
	// Under the cap the ranking is bm25's over every match.
	rankCap = 1000
	full, _, err := db.Search(t.Context(), ibid.SearchQuery{Query: "river", Limit: 30})
	if err != nil || len(full) != 30 || full[0].Essay.Title != "The River" {
		t.Fatalf("uncapped: %d results, %v", len(full), err)
	}
}

// TestPrefixSnippets checks that the snippets of a search whose last word
// is a prefix, made from the essay's own words that begin with it, mark
// what FTS5's snippet of the prefix query itself marks.
func TestPrefixSnippets(t *testing.T) {
	db, err := Open(filepath.Join(t.TempDir(), "ibid.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	essays := []struct{ title, body string }{
		{"Harbour towns", "The harbour was quiet. Harbours of the north kept their boats; the harbourmaster counted them. A gull watched."},
		{"Cafés of Vienna", "A café in Vienna serves coffee all day. The Cafés near the ring are older than the opera. Coffee was cheap."},
		{"Harbour lights", "Nothing in this text begins as the title does, only lamps and ships and the sea at night."},
		{"Hope", "They were hoping for rain all summer, and the farmers kept hoping until the autumn came."},
	}
	for _, e := range essays {
		if err := db.CreateEssay(ctx, storetest.NewEssay(e.title, "Travel", nil, e.body)); err != nil {
			t.Fatal(err)
		}
	}
	snip := `SELECT snippet(essays_fts, 1, '` + ibid.SnippetMark + `', '` + ibid.SnippetEnd + `', '…', 28) FROM essays_fts WHERE essays_fts MATCH ? AND rowid = ?`
	for _, c := range []struct {
		q    string
		hits int // results expected
	}{
		{"harbo", 2},
		{"the harbour", 2},
		{"caf", 1},
		{"cafe", 1},
		{"Cafés", 1},
		{"coffee vien", 1},
		{"hope", 1}, // only "hoping", whose stem is "hope": FTS5's own prefix query
		{"lights", 1},
	} {
		res, total, err := db.Search(ctx, ibid.SearchQuery{Query: c.q})
		if err != nil {
			t.Fatal(err)
		}
		if total != c.hits || len(res) != c.hits {
			t.Errorf("%q: %d results of %d, want %d", c.q, len(res), total, c.hits)
		}
		for _, r := range res {
			var want string
			if err := db.r.QueryRowContext(ctx, snip, ftsQuery(c.q), r.Essay.ID).Scan(&want); err != nil {
				t.Fatal(err)
			}
			if r.Snippet != want {
				t.Errorf("%q in %q: snippet\n%s\nwant FTS5's\n%s", c.q, r.Essay.Title, r.Snippet, want)
			}
		}
	}
}

func TestWordsWithPrefix(t *testing.T) {
	for _, c := range []struct {
		s, prefix string
		want      []string
	}{
		{"Harbour harbours HARBOUR harbourmaster harbinger", "harbo", []string{"Harbour", "harbours", "harbourmaster"}},
		{"Café, cafés; CAFE and cafeteria", "cafe", []string{"Café", "cafés", "cafeteria"}},
		{"naïve naive", "naiv", []string{"naïve"}},
		{"ha ha", "har", nil},
		{strings.Repeat("mar ", 2) + "mara marb marc mard mare marf marg marh mari marj mark marl marm marn", "mar", []string{"mar", "mara", "marb", "marc", "mard", "mare", "marf", "marg", "marh", "mari", "marj", "mark"}},
	} {
		got := wordsWithPrefix(c.s, foldFTS(c.prefix), map[string]bool{}, nil)
		if strings.Join(got, " ") != strings.Join(c.want, " ") {
			t.Errorf("wordsWithPrefix(%q, %q) = %q, want %q", c.s, c.prefix, got, c.want)
		}
	}
}
