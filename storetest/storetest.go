// Package storetest is the conformance suite every ibid.Store must pass. Each
// store's tests call Run with a function that opens a fresh, empty store, so
// the same behaviour is checked on SQLite and PostgreSQL alike.
package storetest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ibid-dev/ibid"
	"github.com/ibid-dev/ibid/text"
)

// Open returns a new, empty store that lives until the test ends.
type Open func(t *testing.T) ibid.Store

// Run runs every conformance test against stores made by open.
func Run(t *testing.T, open Open) {
	tests := []struct {
		name string
		fn   func(*testing.T, ibid.Store)
	}{
		{"CreateAndGet", testCreateAndGet},
		{"BlocksKept", testBlocksKept},
		{"DuplicateHash", testDuplicateHash},
		{"UniqueSlugs", testUniqueSlugs},
		{"Invalid", testInvalid},
		{"NotFound", testNotFound},
		{"Update", testUpdate},
		{"EssayHashes", testEssayHashes},
		{"Version", testVersion},
		{"Delete", testDelete},
		{"ListFilters", testListFilters},
		{"SubjectsAndTopics", testSubjectsAndTopics},
		{"Search", testSearch},
		{"SearchHostileQueries", testSearchHostile},
		{"SearchFilters", testSearchFilters},
		{"Related", testRelated},
		{"Postings", testPostings},
		{"PrintGroups", testPrintGroups},
		{"PrintIndexModel", testPrintIndexModel},
		{"ConcurrentWrites", testConcurrentWrites},
		{"BatchCreate", testBatchCreate},
		{"BatchSlugs", testBatchSlugs},
		{"ConcurrentBatches", testConcurrentBatches},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, open(t)) })
	}
	t.Run("Users", func(t *testing.T) { runUsers(t, open) })
}

// NewEssay builds a valid essay from a title and paragraphs, with counts and
// hash as the importer would compute them.
func NewEssay(title, subject string, topics []string, paras ...string) *ibid.Essay {
	var blocks []ibid.Block
	for _, p := range paras {
		blocks = append(blocks, ibid.Block{Type: ibid.Paragraph, Text: p})
	}
	e := &ibid.Essay{Title: title, Subject: subject, Topics: topics, Blocks: blocks}
	e.Text = ibid.CanonicalText(blocks)
	e.Words = text.Words(e.Text)
	sum := sha256.Sum256([]byte(title + "\x00" + e.Text))
	e.Hash = hex.EncodeToString(sum[:])
	return e
}

func mustCreate(t *testing.T, s ibid.Store, e *ibid.Essay) *ibid.Essay {
	t.Helper()
	if err := s.CreateEssay(context.Background(), e); err != nil {
		t.Fatalf("CreateEssay(%q): %v", e.Title, err)
	}
	return e
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := ibid.ErrorCode(err); got != code {
		t.Fatalf("error code = %q (%v), want %q", got, err, code)
	}
}

func testCreateAndGet(t *testing.T, s ibid.Store) {
	ctx := context.Background()
	e := NewEssay("Soviet Foreign Policy, 1917–1941", "History", []string{"Soviet Union", "Diplomacy"},
		"The Bolsheviks expected world revolution.", "Молотов signed the pact in August 1939.")
	e.Blocks = append([]ibid.Block{{Type: ibid.Heading, Level: 1, Text: "Introduction"}}, e.Blocks...)
	e.Blocks = append(e.Blocks, ibid.Block{Type: ibid.List, Ordered: true, Items: []string{"Rapallo, 1922", "Munich, 1938"}})
	e.Text = ibid.CanonicalText(e.Blocks)
	e.Words = text.Words(e.Text)
	e.Author = "Maria Keller"
	e.License = "CC BY 4.0"
	e.Source = "essays/soviet.md"
	e.Published = time.Date(2024, 3, 12, 0, 0, 0, 0, time.UTC)
	mustCreate(t, s, e)
	if e.ID == 0 || e.Slug != "soviet-foreign-policy-1917-1941" {
		t.Fatalf("after create: id %d slug %q", e.ID, e.Slug)
	}
	if e.Created.IsZero() {
		t.Error("Created not set")
	}
	for name, get := range map[string]func() (*ibid.Essay, error){
		"Essay":       func() (*ibid.Essay, error) { return s.Essay(ctx, e.Slug) },
		"EssayByID":   func() (*ibid.Essay, error) { return s.EssayByID(ctx, e.ID) },
		"EssayByHash": func() (*ibid.Essay, error) { return s.EssayByHash(ctx, e.Hash) },
	} {
		got, err := get()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got.Title != e.Title || got.Subject != e.Subject || got.Author != e.Author || got.License != e.License ||
			got.Source != e.Source || got.Text != e.Text || got.Words != e.Words || got.Hash != e.Hash ||
			!got.Published.Equal(e.Published) || got.ID != e.ID {
			t.Errorf("%s: got %+v, want %+v", name, got, e)
		}
		if fmt.Sprint(got.Topics) != fmt.Sprint(e.Topics) {
			t.Errorf("%s: topics %v, want %v", name, got.Topics, e.Topics)
		}
		if fmt.Sprintf("%+v", got.Blocks) != fmt.Sprintf("%+v", e.Blocks) {
			t.Errorf("%s: blocks\n got %+v\nwant %+v", name, got.Blocks, e.Blocks)
		}
	}
}

// testBlocksKept: blocks come back as they were stored, whether the store
// keeps their shape beside the text (ibid.MarshalBlocks) or, when the text
// cannot give them back (a line break inside a paragraph, a text that is not
// their canonical text), the blocks whole; and an update that changes only
// the structure is kept.
func testBlocksKept(t *testing.T, s ibid.Store) {
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		blocks []ibid.Block
		text   string // "" for the canonical text
	}{
		{"shape", []ibid.Block{{Type: ibid.Heading, Level: 2, Text: "Terms"}, {Type: ibid.List, Items: []string{"a", "", "b"}}, {Type: ibid.Quote, Text: "q"}}, ""},
		{"line break", []ibid.Block{{Type: ibid.Paragraph, Text: "first line\nsecond line"}, {Type: ibid.Paragraph, Text: "next"}}, ""},
		{"other text", []ibid.Block{{Type: ibid.Paragraph, Text: "one"}, {Type: ibid.Paragraph, Text: "two"}}, "one two, as an editor typed it"},
	} {
		e := &ibid.Essay{Title: "Blocks " + tc.name, Blocks: tc.blocks, Text: tc.text}
		if e.Text == "" {
			e.Text = ibid.CanonicalText(e.Blocks)
		}
		e.Words, e.Hash = text.Words(e.Text), ibid.ContentHash(e.Title+"\n"+e.Text)
		mustCreate(t, s, e)
		got, err := s.EssayByID(ctx, e.ID)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprintf("%+v", got.Blocks) != fmt.Sprintf("%+v", tc.blocks) || got.Text != e.Text {
			t.Errorf("%s: got %+v %q, want %+v %q", tc.name, got.Blocks, got.Text, tc.blocks, e.Text)
		}
	}
	// Same text, new structure: two paragraphs become a heading and a quote.
	e := NewEssay("Restructured", "History", nil, "Alpha beta.", "Gamma delta.")
	mustCreate(t, s, e)
	e.Blocks = []ibid.Block{{Type: ibid.Heading, Level: 1, Text: "Alpha beta."}, {Type: ibid.Quote, Text: "Gamma delta."}}
	if err := s.UpdateEssay(ctx, e); err != nil {
		t.Fatal(err)
	}
	got, err := s.EssayByID(ctx, e.ID)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprintf("%+v", got.Blocks) != fmt.Sprintf("%+v", e.Blocks) {
		t.Errorf("after update: %+v, want %+v", got.Blocks, e.Blocks)
	}
}

func testDuplicateHash(t *testing.T, s ibid.Store) {
	ctx := context.Background()
	a := mustCreate(t, s, NewEssay("Same", "History", nil, "Identical text."))
	b := NewEssay("Same", "History", nil, "Identical text.")
	wantCode(t, s.CreateEssay(ctx, b), ibid.ECONFLICT)
	list, total, err := s.Essays(ctx, ibid.EssayFilter{})
	if err != nil || total != 1 || len(list) != 1 || list[0].ID != a.ID {
		t.Fatalf("after duplicate: %d essays (%v), want only the first", total, err)
	}
}

func testUniqueSlugs(t *testing.T, s ibid.Store) {
	a := mustCreate(t, s, NewEssay("On Liberty", "Philosophy", nil, "First text."))
	b := mustCreate(t, s, NewEssay("On Liberty", "Philosophy", nil, "Second text."))
	c := mustCreate(t, s, NewEssay("On Liberty", "Philosophy", nil, "Third text."))
	if a.Slug != "on-liberty" || b.Slug != "on-liberty-2" || c.Slug != "on-liberty-3" {
		t.Errorf("slugs %q %q %q", a.Slug, b.Slug, c.Slug)
	}
	d := mustCreate(t, s, NewEssay("Молотов", "History", nil, "Cyrillic title."))
	if d.Slug == "" {
		t.Error("a title without ASCII letters must still get a slug")
	}
}

func testInvalid(t *testing.T, s ibid.Store) {
	ctx := context.Background()
	wantCode(t, s.CreateEssay(ctx, NewEssay("", "History", nil, "text")), ibid.EINVALID)
	wantCode(t, s.CreateEssay(ctx, NewEssay("Title", "History", nil)), ibid.EINVALID)
	e := NewEssay("Title", "History", nil, "text")
	e.Hash = ""
	wantCode(t, s.CreateEssay(ctx, e), ibid.EINVALID)
}

func testNotFound(t *testing.T, s ibid.Store) {
	ctx := context.Background()
	_, err := s.Essay(ctx, "nope")
	wantCode(t, err, ibid.ENOTFOUND)
	_, err = s.EssayByID(ctx, 12345)
	wantCode(t, err, ibid.ENOTFOUND)
	_, err = s.EssayByHash(ctx, "abc")
	wantCode(t, err, ibid.ENOTFOUND)
	wantCode(t, s.DeleteEssay(ctx, 12345), ibid.ENOTFOUND)
	e := NewEssay("Ghost", "", nil, "text")
	e.ID = 999
	wantCode(t, s.UpdateEssay(ctx, e), ibid.ENOTFOUND)
}

// testVersion checks that every kind of essay write moves the library's
// version on, and that reads leave it alone.
func testVersion(t *testing.T, s ibid.Store) {
	ctx := context.Background()
	version := func() int64 {
		t.Helper()
		v, err := s.Version(ctx)
		if err != nil {
			t.Fatalf("Version: %v", err)
		}
		return v
	}
	last := version()
	var first, second *ibid.Essay
	steps := []struct {
		name  string
		write func() error
	}{
		{"create", func() error {
			first = NewEssay("Version one", "History", []string{"Mills"}, "The first essay of the version test.")
			return s.CreateEssay(ctx, first)
		}},
		{"create another", func() error {
			second = NewEssay("Version two", "History", []string{"Mills"}, "The second essay of the version test.")
			return s.CreateEssay(ctx, second)
		}},
		{"update", func() error {
			upd := NewEssay("Version one", "History", []string{"Tides"}, "The first essay, rewritten.")
			upd.ID = first.ID
			return s.UpdateEssay(ctx, upd)
		}},
		{"batch create", func() error {
			b, ok := s.(ibid.BatchCreator)
			if !ok {
				return s.CreateEssay(ctx, NewEssay("Version three", "", nil, "The third essay."))
			}
			return errors.Join(b.CreateEssays(ctx, []*ibid.Essay{NewEssay("Version three", "", nil, "The third essay.")})...)
		}},
		{"delete", func() error { return s.DeleteEssay(ctx, first.ID) }},
	}
	for _, st := range steps {
		if err := st.write(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		v := version()
		if v == last {
			t.Errorf("after %s the version stayed at %d", st.name, v)
		}
		last = v
		// Reads, failed writes and lookups of missing essays leave it be.
		if second != nil {
			if _, err := s.Essay(ctx, second.Slug); err != nil {
				t.Fatal(err)
			}
		}
		if _, _, err := s.Essays(ctx, ibid.EssayFilter{}); err != nil {
			t.Fatal(err)
		}
		wantCode(t, s.DeleteEssay(ctx, 987654321), ibid.ENOTFOUND)
		if v := version(); v != last {
			t.Errorf("after reads following %s the version moved from %d to %d", st.name, last, v)
		}
	}
}

func testEssayHashes(t *testing.T, s ibid.Store) {
	ctx := context.Background()
	var ids []int64
	want := map[int64]string{}
	for i := range 3 {
		e := mustCreate(t, s, NewEssay(fmt.Sprintf("Hashes %d", i), "", nil, fmt.Sprintf("Paragraph number %d.", i)))
		ids = append(ids, e.ID)
		want[e.ID] = e.Hash
	}
	got, err := s.EssayHashes(ctx, append(ids, 987654321))
	if err != nil || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("EssayHashes = %v, %v; want %v (the unknown ID left out)", got, err, want)
	}
	upd := NewEssay("Hashes 0", "", nil, "A new text for the first one.")
	upd.ID = ids[0]
	if err := s.UpdateEssay(ctx, upd); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteEssay(ctx, ids[1]); err != nil {
		t.Fatal(err)
	}
	got, err = s.EssayHashes(ctx, ids)
	if err != nil || len(got) != 2 || got[ids[0]] != upd.Hash || got[ids[2]] != want[ids[2]] {
		t.Errorf("after an update and a delete: %v, %v", got, err)
	}
	if got, err := s.EssayHashes(ctx, nil); err != nil || len(got) != 0 {
		t.Errorf("no IDs: %v, %v", got, err)
	}
}

func testUpdate(t *testing.T, s ibid.Store) {
	ctx := context.Background()
	e := mustCreate(t, s, NewEssay("Bees and Farms", "Biology", []string{"Pollination"}, "Bees pollinate almonds."))
	e.Prints = []ibid.Print{{Hash: 1, Offset: 0}}
	upd := NewEssay("Bees and Farms", "Agriculture", []string{"Farming", "Insects"}, "Honeybees carry pollen between orchards.")
	upd.ID = e.ID
	upd.Prints = []ibid.Print{{Hash: 2, Offset: 4}}
	if err := s.UpdateEssay(ctx, upd); err != nil {
		t.Fatal(err)
	}
	got, err := s.Essay(ctx, e.Slug)
	if err != nil {
		t.Fatal(err)
	}
	if got.Text != upd.Text || got.Subject != "Agriculture" || fmt.Sprint(got.Topics) != "[Farming Insects]" || got.Hash != upd.Hash {
		t.Errorf("after update: %+v", got)
	}
	if res, _, _ := s.Search(ctx, ibid.SearchQuery{Query: "almonds"}); len(res) != 0 {
		t.Error("search still finds the old text")
	}
	if res, _, _ := s.Search(ctx, ibid.SearchQuery{Query: "orchards"}); len(res) != 1 {
		t.Error("search does not find the new text")
	}
	if subs, _ := s.Subjects(ctx); len(subs) != 1 || subs[0].Name != "Agriculture" {
		t.Errorf("subjects after update: %+v", subs)
	}
	ps, err := s.Postings(ctx, []uint64{1, 2})
	if err != nil || len(ps) != 1 || ps[0].Hash != 2 || ps[0].EssayID != e.ID {
		t.Errorf("postings after update: %+v %v", ps, err)
	}
}

func testDelete(t *testing.T, s ibid.Store) {
	ctx := context.Background()
	e := NewEssay("Ephemeral", "History", []string{"Transience"}, "Nothing lasts forever, not even essays.")
	e.Prints = []ibid.Print{{Hash: 77, Offset: 0}}
	mustCreate(t, s, e)
	keep := mustCreate(t, s, NewEssay("Durable", "History", []string{"Transience"}, "Some essays last."))
	if err := s.DeleteEssay(ctx, e.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Essay(ctx, e.Slug); ibid.ErrorCode(err) != ibid.ENOTFOUND {
		t.Errorf("deleted essay still readable: %v", err)
	}
	if res, _, _ := s.Search(ctx, ibid.SearchQuery{Query: "forever"}); len(res) != 0 {
		t.Error("deleted essay still found by search")
	}
	if ps, _ := s.Postings(ctx, []uint64{77}); len(ps) != 0 {
		t.Error("deleted essay's prints remain")
	}
	if tops, _ := s.Topics(ctx, ""); len(tops) != 1 || tops[0].Count != 1 {
		t.Errorf("topics after delete: %+v", tops)
	}
	// Its hash is free again: the same essay can be imported anew.
	again := NewEssay("Ephemeral", "History", nil, "Nothing lasts forever, not even essays.")
	mustCreate(t, s, again)
	if again.ID == keep.ID {
		t.Error("ids reused")
	}
}

func seedLibrary(t *testing.T, s ibid.Store) {
	t.Helper()
	long := strings.Repeat("word ", 1200)
	essays := []*ibid.Essay{
		NewEssay("The Treaty of Rapallo", "History", []string{"Soviet Union", "Diplomacy"}, "Germany and Soviet Russia agreed at Rapallo in 1922 to renounce claims. "+long),
		NewEssay("Collective Security", "History", []string{"Soviet Union", "League of Nations"}, "Litvinov argued for collective security against Hitler."),
		NewEssay("Narrative Voice in Austen", "Literature", []string{"Jane Austen", "Narrative"}, "Free indirect discourse lets the narrator borrow a character's voice."),
		NewEssay("The Petrarchan Sonnet", "Literature", []string{"Poetry"}, "An octave and a sestet divided by a turn. Rapallo is not mentioned in sonnets."),
		NewEssay("Urban Heat Islands", "Environmental Science", []string{"Cities", "Climate"}, "Asphalt and concrete store heat. "+long+long),
	}
	for i, e := range essays {
		e.Published = time.Date(2020+i, 1, 1, 0, 0, 0, 0, time.UTC)
		mustCreate(t, s, e)
	}
}

func testListFilters(t *testing.T, s ibid.Store) {
	ctx := context.Background()
	seedLibrary(t, s)
	tests := []struct {
		f     ibid.EssayFilter
		want  []string
		total int
	}{
		{ibid.EssayFilter{}, []string{"Urban Heat Islands", "The Petrarchan Sonnet", "Narrative Voice in Austen", "Collective Security", "The Treaty of Rapallo"}, 5},
		{ibid.EssayFilter{Subject: "History"}, []string{"Collective Security", "The Treaty of Rapallo"}, 2},
		{ibid.EssayFilter{Subject: "environmental-science"}, []string{"Urban Heat Islands"}, 1},
		{ibid.EssayFilter{Topic: "Soviet Union"}, []string{"Collective Security", "The Treaty of Rapallo"}, 2},
		{ibid.EssayFilter{Topic: "league-of-nations"}, []string{"Collective Security"}, 1},
		{ibid.EssayFilter{MinWords: 1000}, []string{"Urban Heat Islands", "The Treaty of Rapallo"}, 2},
		{ibid.EssayFilter{MinWords: 1000, MaxWords: 2000}, []string{"The Treaty of Rapallo"}, 1},
		{ibid.EssayFilter{MaxWords: 50}, []string{"The Petrarchan Sonnet", "Narrative Voice in Austen", "Collective Security"}, 3},
		{ibid.EssayFilter{Limit: 2}, []string{"Urban Heat Islands", "The Petrarchan Sonnet"}, 5},
		{ibid.EssayFilter{Limit: 2, Offset: 4}, []string{"The Treaty of Rapallo"}, 5},
		{ibid.EssayFilter{Subject: "Chemistry"}, nil, 0},
	}
	for _, tt := range tests {
		list, total, err := s.Essays(ctx, tt.f)
		if err != nil {
			t.Fatalf("%+v: %v", tt.f, err)
		}
		var got []string
		for _, e := range list {
			got = append(got, e.Title)
			if len(e.Topics) == 0 {
				t.Errorf("%+v: %q listed without topics", tt.f, e.Title)
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(tt.want) || total != tt.total {
			t.Errorf("%+v: got %v (total %d), want %v (total %d)", tt.f, got, total, tt.want, tt.total)
		}
	}
}

func testSubjectsAndTopics(t *testing.T, s ibid.Store) {
	ctx := context.Background()
	seedLibrary(t, s)
	subs, err := s.Subjects(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := "[{Environmental Science environmental-science 1} {History history 2} {Literature literature 2}]"
	if got := fmt.Sprint(subs); got != want {
		t.Errorf("Subjects = %s, want %s", got, want)
	}
	tops, err := s.Topics(ctx, "History")
	if err != nil {
		t.Fatal(err)
	}
	want = "[{Diplomacy diplomacy 1} {League of Nations league-of-nations 1} {Soviet Union soviet-union 2}]"
	if got := fmt.Sprint(tops); got != want {
		t.Errorf("Topics(History) = %s, want %s", got, want)
	}
	all, _ := s.Topics(ctx, "")
	if len(all) != 8 {
		t.Errorf("Topics() has %d topics, want 8: %v", len(all), all)
	}
}

func testSearch(t *testing.T, s ibid.Store) {
	ctx := context.Background()
	seedLibrary(t, s)
	res, total, err := s.Search(ctx, ibid.SearchQuery{Query: "Rapallo"})
	if err != nil {
		t.Fatal(err)
	}
	if total != 2 || len(res) != 2 {
		t.Fatalf("Rapallo: %d results (total %d), want 2", len(res), total)
	}
	if res[0].Essay.Title != "The Treaty of Rapallo" {
		t.Errorf("title match not ranked first: %q", res[0].Essay.Title)
	}
	if res[0].Score < res[1].Score {
		t.Errorf("scores not descending: %v, %v", res[0].Score, res[1].Score)
	}
	if !strings.Contains(res[0].Snippet, ibid.SnippetMark+"Rapallo"+ibid.SnippetEnd) {
		t.Errorf("snippet without marked match: %q", res[0].Snippet)
	}
	// Stemming and prefixes: "argue" finds "argued"; "litvin" finds "Litvinov".
	for _, q := range []string{"argue", "litvin", "security Hitler", `"collective security"`, "CONCRETE"} {
		if res, _, err := s.Search(ctx, ibid.SearchQuery{Query: q}); err != nil || len(res) != 1 {
			t.Errorf("Search(%q) = %d results, %v; want 1", q, len(res), err)
		}
	}
	// Exclusion and no results.
	if res, _, _ := s.Search(ctx, ibid.SearchQuery{Query: "Rapallo -sonnets"}); len(res) != 1 || res[0].Essay.Title != "The Treaty of Rapallo" {
		t.Errorf("exclusion failed: %+v", res)
	}
	if res, total, err := s.Search(ctx, ibid.SearchQuery{Query: "xylophone"}); err != nil || len(res) != 0 || total != 0 {
		t.Errorf("no-match query gave %d results, %v", len(res), err)
	}
}

func testSearchHostile(t *testing.T, s ibid.Store) {
	ctx := context.Background()
	seedLibrary(t, s)
	for _, q := range []string{`"`, `""`, `*`, `NEAR(a b)`, `AND OR NOT`, `title:rapallo`, `-`, `--rapallo`, `(`, `'; DROP TABLE essays; --`, "\x00", strings.Repeat("a ", 500), "rapallo\"s"} {
		if _, _, err := s.Search(ctx, ibid.SearchQuery{Query: q}); err != nil {
			t.Errorf("Search(%q): %v", q, err)
		}
	}
	if _, total, _ := s.Essays(ctx, ibid.EssayFilter{}); total != 5 {
		t.Error("library damaged by a query")
	}
}

func testSearchFilters(t *testing.T, s ibid.Store) {
	ctx := context.Background()
	seedLibrary(t, s)
	res, _, _ := s.Search(ctx, ibid.SearchQuery{Query: "Rapallo", Subject: "Literature"})
	if len(res) != 1 || res[0].Essay.Title != "The Petrarchan Sonnet" {
		t.Errorf("subject filter: %+v", res)
	}
	res, _, _ = s.Search(ctx, ibid.SearchQuery{Query: "Rapallo", MinWords: 1000})
	if len(res) != 1 || res[0].Essay.Title != "The Treaty of Rapallo" {
		t.Errorf("length filter: %+v", res)
	}
	res, total, _ := s.Search(ctx, ibid.SearchQuery{Query: "Rapallo", Limit: 1, Offset: 1})
	if len(res) != 1 || total != 2 || res[0].Essay.Title != "The Petrarchan Sonnet" {
		t.Errorf("paging: %+v total %d", res, total)
	}
}

func testRelated(t *testing.T, s ibid.Store) {
	ctx := context.Background()
	seedLibrary(t, s)
	e, err := s.Essay(ctx, "collective-security")
	if err != nil {
		t.Fatal(err)
	}
	rel, err := s.Related(ctx, e, 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(rel) == 0 || rel[0].Title != "The Treaty of Rapallo" {
		t.Fatalf("related to Collective Security: %v", titles(rel))
	}
	for _, r := range rel {
		if r.ID == e.ID {
			t.Error("an essay is not related to itself")
		}
	}
	if rel, _ := s.Related(ctx, e, 0); len(rel) != 0 {
		t.Error("n = 0 must give nothing")
	}
}

func titles(list []*ibid.Essay) []string {
	var out []string
	for _, e := range list {
		out = append(out, e.Title)
	}
	return out
}

func testPostings(t *testing.T, s ibid.Store) {
	ctx := context.Background()
	a := NewEssay("A", "", nil, "alpha beta gamma")
	a.Prints = []ibid.Print{{Hash: 1, Offset: 0}, {Hash: 1<<63 + 5, Offset: 6}, {Hash: 3, Offset: 11}}
	b := NewEssay("B", "", nil, "beta gamma delta")
	b.Prints = []ibid.Print{{Hash: 1<<63 + 5, Offset: 0}, {Hash: 4, Offset: 5}}
	mustCreate(t, s, a)
	mustCreate(t, s, b)
	ps, err := s.Postings(ctx, []uint64{1<<63 + 5, 4, 99})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, p := range ps {
		got[fmt.Sprintf("%d/%d", p.Hash, p.EssayID)] = true
	}
	want := []string{
		fmt.Sprintf("%d/%d", uint64(1<<63+5), a.ID),
		fmt.Sprintf("%d/%d", uint64(1<<63+5), b.ID),
		fmt.Sprintf("4/%d", b.ID),
	}
	if len(got) != len(want) || len(ps) != len(want) {
		t.Errorf("postings %v, want %v", got, want)
	}
	for _, w := range want {
		if !got[w] {
			t.Errorf("missing posting %s in %v", w, got)
		}
	}
	// Many hashes at once (more than any single statement's parameter limit).
	many := make([]uint64, 5000)
	for i := range many {
		many[i] = uint64(i)
	}
	ps, err = s.Postings(ctx, many)
	if err != nil || len(ps) != 3 { // hashes 1, 3 and 4
		t.Errorf("Postings(5000 hashes) = %d postings, %v; want 3", len(ps), err)
	}
}

func testConcurrentWrites(t *testing.T, s ibid.Store) {
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for i := range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e := NewEssay(fmt.Sprintf("Essay %d", i%10), "Subject", []string{"Topic"}, fmt.Sprintf("Body number %d.", i))
			if err := s.CreateEssay(ctx, e); err != nil {
				errs <- err
				return
			}
			if _, err := s.Essay(ctx, e.Slug); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	_, total, err := s.Essays(ctx, ibid.EssayFilter{})
	if err != nil || total != 40 {
		t.Errorf("%d essays after 40 concurrent creates (%v)", total, err)
	}
}

func testBatchCreate(t *testing.T, s ibid.Store) {
	bc, ok := s.(ibid.BatchCreator)
	if !ok {
		t.Skip("the store creates essays one at a time")
	}
	ctx := context.Background()
	mustCreate(t, s, NewEssay("Already Here", "History", nil, "Stored before the batch."))
	a := NewEssay("Batch A", "History", []string{"Batches"}, "First of the batch.")
	a.Prints = []ibid.Print{{Hash: 42, Offset: 0}}
	dupOld := NewEssay("Already Here", "History", nil, "Stored before the batch.")
	b := NewEssay("Batch B", "History", nil, "Second of the batch.")
	dupA := NewEssay("Batch A", "History", nil, "First of the batch.")
	bad := NewEssay("", "History", nil, "No title.")
	errs := bc.CreateEssays(ctx, []*ibid.Essay{a, dupOld, b, dupA, bad})
	want := []string{"", ibid.ECONFLICT, "", ibid.ECONFLICT, ibid.EINVALID}
	for i, err := range errs {
		if ibid.ErrorCode(err) != want[i] {
			t.Errorf("essay %d: %v, want code %q", i, err, want[i])
		}
	}
	if a.ID == 0 || b.ID == 0 || a.Slug != "batch-a" || b.Slug != "batch-b" || a.Created.IsZero() {
		t.Errorf("stored essays not filled in: %+v %+v", a, b)
	}
	_, total, _ := s.Essays(ctx, ibid.EssayFilter{})
	if total != 3 {
		t.Errorf("%d essays after the batch, want 3", total)
	}
	if ps, _ := s.Postings(ctx, []uint64{42}); len(ps) != 1 || ps[0].EssayID != a.ID {
		t.Errorf("batch prints: %+v", ps)
	}
	if tops, _ := s.Topics(ctx, ""); len(tops) != 1 {
		t.Errorf("batch topics: %+v", tops)
	}
	if res, _, _ := s.Search(ctx, ibid.SearchQuery{Query: "second"}); len(res) != 1 {
		t.Error("batch essay not searchable")
	}
}

func testPrintGroups(t *testing.T, s ibid.Store) {
	ctx := context.Background()
	walk := func() []string {
		var out []string
		err := s.PrintGroups(ctx, func(h uint64, ids []int64) error {
			out = append(out, fmt.Sprintf("%d:%v", h, ids))
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	if got := walk(); len(got) != 0 {
		t.Fatalf("empty library: %v", got)
	}
	a := NewEssay("A", "", nil, "alpha beta gamma alpha beta")
	// Hash 7 twice in A (at two offsets) is one group entry for A.
	a.Prints = []ibid.Print{{Hash: 7, Offset: 0}, {Hash: 1<<63 + 5, Offset: 6}, {Hash: 7, Offset: 17}}
	b := NewEssay("B", "", nil, "beta gamma delta")
	b.Prints = []ibid.Print{{Hash: 1<<63 + 5, Offset: 0}, {Hash: 9, Offset: 5}, {Hash: 7, Offset: 11}}
	c := NewEssay("C", "", nil, "gamma delta epsilon")
	c.Prints = []ibid.Print{{Hash: 1<<63 + 5, Offset: 0}}
	for _, e := range []*ibid.Essay{a, b, c} {
		mustCreate(t, s, e)
	}
	// Hashes ascending as uint64s: 1<<63+5 comes last.
	want := []string{
		fmt.Sprintf("7:[%d %d]", a.ID, b.ID),
		fmt.Sprintf("9:[%d]", b.ID),
		fmt.Sprintf("%d:[%d %d %d]", uint64(1<<63+5), a.ID, b.ID, c.ID),
	}
	if got := walk(); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("groups %v, want %v", got, want)
	}
	// Deleting an essay takes its prints out of the walk.
	if err := s.DeleteEssay(ctx, b.ID); err != nil {
		t.Fatal(err)
	}
	want = []string{fmt.Sprintf("7:[%d]", a.ID), fmt.Sprintf("%d:[%d %d]", uint64(1<<63+5), a.ID, c.ID)}
	if got := walk(); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("after delete: groups %v, want %v", got, want)
	}
	// fn's error stops the walk and comes back.
	stop := ibid.Errorf(ibid.EINVALID, "stop")
	n := 0
	err := s.PrintGroups(ctx, func(uint64, []int64) error { n++; return stop })
	if err != stop || n != 1 {
		t.Errorf("stopped walk: %d calls, %v", n, err)
	}
}

// testBatchSlugs: essays of one batch that want the same slug, or one the
// library has, get the suffixes CreateEssay would give them one by one, in
// batch order; a slug asked for is kept when free.
func testBatchSlugs(t *testing.T, s ibid.Store) {
	bc, ok := s.(ibid.BatchCreator)
	if !ok {
		t.Skip("the store creates essays one at a time")
	}
	ctx := context.Background()
	mustCreate(t, s, NewEssay("Same Title", "", nil, "Stored first."))
	mustCreate(t, s, NewEssay("Same Title", "", nil, "Stored second.")) // same-title-2
	var batch []*ibid.Essay
	for i := range 3 {
		batch = append(batch, NewEssay("Same Title", "", nil, fmt.Sprintf("Batch essay %d.", i)))
	}
	own := NewEssay("Other", "", nil, "Asks for its slug.")
	own.Slug = "chosen-slug"
	taken := NewEssay("Another", "", nil, "Asks for a taken slug.")
	taken.Slug = "same-title"
	batch = append(batch, own, taken)
	for i, err := range bc.CreateEssays(ctx, batch) {
		if err != nil {
			t.Fatalf("essay %d: %v", i, err)
		}
	}
	want := []string{"same-title-3", "same-title-4", "same-title-5", "chosen-slug", "same-title-6"}
	for i, e := range batch {
		if e.Slug != want[i] {
			t.Errorf("essay %d: slug %q, want %q", i, e.Slug, want[i])
		}
		got, err := s.Essay(ctx, want[i])
		if err != nil || got.ID != e.ID || got.Text != e.Text {
			t.Errorf("essay %d as stored: %+v, %v", i, got, err)
		}
	}
}

// testConcurrentBatches: batches written at once that share essays (the
// same text, the same titles) store each text once, every essay of every
// batch is either stored or refused as a duplicate of a stored one, and the
// slugs stay unique.
func testConcurrentBatches(t *testing.T, s ibid.Store) {
	bc, ok := s.(ibid.BatchCreator)
	if !ok {
		t.Skip("the store creates essays one at a time")
	}
	ctx := context.Background()
	const writers, size = 4, 12
	results := make([][]error, writers)
	batches := make([][]*ibid.Essay, writers)
	var wg sync.WaitGroup
	for w := range writers {
		for i := range size {
			// Half the texts are shared by every writer, half their own.
			body := fmt.Sprintf("Shared body %d.", i)
			if i%2 == 1 {
				body = fmt.Sprintf("Writer %d body %d.", w, i)
			}
			e := NewEssay(fmt.Sprintf("Title %d", i%3), "Subject", []string{"Topic"}, body)
			e.Prints = []ibid.Print{{Hash: uint64(1000 + i), Offset: 0}}
			batches[w] = append(batches[w], e)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[w] = bc.CreateEssays(ctx, batches[w])
		}()
	}
	wg.Wait()
	stored := map[string]int64{} // hash → id
	for w := range writers {
		for i, err := range results[w] {
			e := batches[w][i]
			switch ibid.ErrorCode(err) {
			case "":
				if e.ID == 0 {
					t.Fatalf("writer %d essay %d stored without an id", w, i)
				}
				if id, ok := stored[e.Hash]; ok {
					t.Fatalf("text of writer %d essay %d stored twice (%d and %d)", w, i, id, e.ID)
				}
				stored[e.Hash] = e.ID
			case ibid.ECONFLICT:
				if i%2 == 1 {
					t.Errorf("writer %d essay %d, a text of its own, refused: %v", w, i, err)
				}
			default:
				t.Errorf("writer %d essay %d: %v", w, i, err)
			}
		}
	}
	// Every shared text once, every own text of every writer.
	if want := size/2 + writers*size/2; len(stored) != want {
		t.Errorf("%d texts stored, want %d", len(stored), want)
	}
	list, total, err := s.Essays(ctx, ibid.EssayFilter{Limit: 1000})
	if err != nil || total != len(stored) {
		t.Fatalf("%d essays listed, want %d (%v)", total, len(stored), err)
	}
	slugs := map[string]bool{}
	for _, e := range list {
		if slugs[e.Slug] {
			t.Errorf("slug %q twice", e.Slug)
		}
		slugs[e.Slug] = true
	}
	ps, err := s.Postings(ctx, []uint64{1000, 1001})
	if err != nil || len(ps) != 1+writers {
		t.Errorf("postings of one shared and one own text: %+v (%v), want %d", ps, err, 1+writers)
	}
}
