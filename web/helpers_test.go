package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ibid-dev/ibid"
	"github.com/ibid-dev/ibid/sqlite"
	"github.com/ibid-dev/ibid/text"
)

// The fixture library: a long history essay shaped like an essay-site page,
// an essay whose text tries to inject markup, and enough short essays to
// page through.
const (
	longSlug   = "soviet-foreign-policy-1917-1941"
	longWords  = 3836
	scriptSlug = "markup-in-essays"
	shortCount = 25 // Biology essays: two pages of 20
)

// longEssayBlocks builds a 3,836-word essay with sections, sub-sections
// titled by date ranges, a repeated heading, a heading that collides with a
// page id, a list and a quote.
func longEssayBlocks() []ibid.Block {
	blocks := []ibid.Block{
		{Type: ibid.Heading, Level: 1, Text: "Introduction"},
		{Type: ibid.Paragraph, Text: "When the Bolsheviks took power in 1917, they doubted that a revolutionary state would need diplomacy at all."},
		{Type: ibid.Heading, Level: 1, Text: "Revolution and Survival"},
		{Type: ibid.Heading, Level: 2, Text: "1917–1921: Brest-Litovsk and Intervention"},
		{Type: ibid.Paragraph, Text: "The Treaty of Brest-Litovsk bought time at a terrible price in land and people."},
		{Type: ibid.Heading, Level: 2, Text: "1922–1927: Rapallo and Recognition"},
		{Type: ibid.Paragraph, Text: "The Treaty of Rapallo, signed with Germany in April 1922, ended isolation and opened secret military cooperation."},
		{Type: ibid.List, Items: []string{"Brest-Litovsk, 1918", "Rapallo, 1922", "Non-aggression pact, 1939"}},
		{Type: ibid.Quote, Text: "A bad peace can be outlived."},
		{Type: ibid.Heading, Level: 3, Text: "A note on sources"},
		{Type: ibid.Heading, Level: 1, Text: "Cite"}, // slugifies to a page id: must not clash
		{Type: ibid.Paragraph, Text: "Historians cite the archives opened after 1991."},
		{Type: ibid.Heading, Level: 1, Text: "Conclusion"},
		{Type: ibid.List, Ordered: true, Items: []string{"Security came first.", "Ideology shaped perception."}},
		{Type: ibid.Heading, Level: 1, Text: "Conclusion"}, // repeated: needs a unique id
	}
	have := text.Words(ibid.CanonicalText(blocks))
	// Pad with a long paragraph of plain words up to exactly longWords.
	filler := strings.TrimSpace(strings.Repeat("diplomacy ", longWords-have))
	return append(blocks, ibid.Block{Type: ibid.Paragraph, Text: filler})
}

// newEssay fills in what a store needs from blocks.
func newEssay(title, subject string, topics []string, blocks []ibid.Block, published time.Time) *ibid.Essay {
	e := &ibid.Essay{Title: title, Subject: subject, Topics: topics, Blocks: blocks, Published: published}
	e.Text = ibid.CanonicalText(blocks)
	e.Words = text.Words(e.Text)
	sum := sha256.Sum256([]byte(title + "\x00" + e.Text))
	e.Hash = hex.EncodeToString(sum[:])
	return e
}

// openStore opens a real SQLite store in a temporary directory and fills it
// with the fixture library.
func openStore(t testing.TB) ibid.Store {
	t.Helper()
	db, err := sqlite.Open(filepath.Join(t.TempDir(), "ibid.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	ctx := context.Background()
	essays := []*ibid.Essay{
		newEssay("Soviet Foreign Policy, 1917–1941", "History", []string{"Soviet Union", "Diplomacy"},
			longEssayBlocks(), time.Date(2020, 9, 17, 0, 0, 0, 0, time.UTC)),
		newEssay("Markup in essays", "Computing", []string{"Security"}, []ibid.Block{
			{Type: ibid.Heading, Level: 1, Text: "<script>alert('heading')</script>"},
			{Type: ibid.Paragraph, Text: `An essay about <script>alert("xss")</script> tags & "quotes" in injected markup.`},
		}, time.Date(2021, 3, 2, 0, 0, 0, 0, time.UTC)),
		newEssay("The Congress of Vienna", "History", []string{"Diplomacy"}, []ibid.Block{
			{Type: ibid.Paragraph, Text: "In 1815 the great powers redrew the map of Europe and set up a balance of power."},
		}, time.Time{}), // no publication date
	}
	for i := range shortCount {
		essays = append(essays, newEssay(fmt.Sprintf("Pollination note %02d", i), "Biology", []string{"Bees"},
			[]ibid.Block{{Type: ibid.Paragraph, Text: fmt.Sprintf("Bees carry pollen between flowers, note %d.", i)}},
			time.Date(2022, 1, 1+i, 0, 0, 0, 0, time.UTC)))
	}
	for _, e := range essays {
		if err := db.CreateEssay(ctx, e); err != nil {
			t.Fatalf("create %q: %v", e.Title, err)
		}
	}
	if e, err := db.Essay(ctx, longSlug); err != nil || e.Words != longWords {
		t.Fatalf("fixture: long essay %v, words %v", err, e)
	}
	if _, err := db.Essay(ctx, scriptSlug); err != nil {
		t.Fatalf("fixture: %v", err)
	}
	return db
}

// newServer returns a server on the fixture library; logs go to the
// returned buffer.
func newServer(t testing.TB, cfg Config) (*Server, *bytes.Buffer) {
	t.Helper()
	var logs bytes.Buffer
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	}
	s, err := New(openStore(t), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s, &logs
}

// response is a recorded response with its body read.
type response struct {
	Code   int
	Header http.Header
	Body   string
}

func get(t testing.TB, h http.Handler, target string, header ...string) response {
	t.Helper()
	req := httptest.NewRequest("GET", target, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	body, _ := io.ReadAll(rec.Result().Body)
	return response{Code: rec.Code, Header: rec.Result().Header, Body: string(body)}
}
