package web

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file (go test -update rewrites it)\n got: %s", name, got)
	}
}

type apiList struct {
	Essays []struct {
		Slug           string   `json:"slug"`
		Title          string   `json:"title"`
		Subject        string   `json:"subject"`
		Topics         []string `json:"topics"`
		Words          int      `json:"words"`
		Pages          int      `json:"pages"`
		ReadingMinutes int      `json:"reading_minutes"`
		Published      *string  `json:"published"`
	} `json:"essays"`
	Total int `json:"total"`
}

type apiErr struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

func decode[T any](t *testing.T, r response) T {
	t.Helper()
	var v T
	if ct := r.Header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	dec := json.NewDecoder(strings.NewReader(r.Body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("decoding %s: %v", r.Body, err)
	}
	return v
}

func TestAPIEssays(t *testing.T) {
	s, _ := newServer(t, Config{})
	tests := []struct {
		query     string
		wantTotal int
		wantLen   int
		wantFirst string // slug of the first essay, "" to skip
	}{
		{"", 28, 20, "pollination-note-24"},
		{"?limit=5&offset=25", 28, 3, "markup-in-essays"},
		{"?limit=500", 28, 28, ""}, // cut to 100
		{"?subject=History", 2, 2, longSlug},
		{"?subject=history", 2, 2, longSlug}, // slugs work too
		{"?subject=Alchemy", 0, 0, ""},
		{"?topic=Soviet%20Union", 1, 1, longSlug},
		{"?topic=soviet-union", 1, 1, longSlug},
		{"?min_pages=3", 1, 1, longSlug},
		{"?min_pages=8&max_pages=8", 1, 1, longSlug},
		{"?min_pages=9", 0, 0, ""},
		{"?max_pages=1&subject=Biology", 25, 20, "pollination-note-24"},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			r := get(t, s, "/api/essays"+tt.query)
			if r.Code != 200 {
				t.Fatalf("status %d: %s", r.Code, r.Body)
			}
			v := decode[apiList](t, r)
			if v.Total != tt.wantTotal || len(v.Essays) != tt.wantLen {
				t.Fatalf("total %d, %d essays; want %d, %d", v.Total, len(v.Essays), tt.wantTotal, tt.wantLen)
			}
			if v.Essays == nil {
				t.Error(`"essays" is null, want []`)
			}
			if tt.wantFirst != "" && v.Essays[0].Slug != tt.wantFirst {
				t.Errorf("first essay %q, want %q", v.Essays[0].Slug, tt.wantFirst)
			}
		})
	}

	// One listed essay in full.
	v := decode[apiList](t, get(t, s, "/api/essays?subject=History&limit=1"))
	e := v.Essays[0]
	if e.Title != "Soviet Foreign Policy, 1917–1941" || e.Words != 3836 || e.Pages != 8 || e.ReadingMinutes != 16 ||
		e.Published == nil || *e.Published != "2020-09-17" || strings.Join(e.Topics, ",") != "Soviet Union,Diplomacy" {
		t.Errorf("summary %+v", e)
	}
	if !strings.Contains(get(t, s, "/api/essays?topic=Diplomacy").Body, `"published": null`) {
		t.Error("an undated essay should have published null")
	}
}

func TestAPIEssay(t *testing.T) {
	s, _ := newServer(t, Config{})
	r := get(t, s, "/api/essays/"+scriptSlug)
	if r.Code != 200 {
		t.Fatalf("status %d: %s", r.Code, r.Body)
	}
	golden(t, "api-essay.json", r.Body)

	// The long essay's blocks keep their shape.
	var full struct {
		Words  int    `json:"words"`
		Text   string `json:"text"`
		Blocks []struct {
			Type    string   `json:"type"`
			Level   int      `json:"level"`
			Text    string   `json:"text"`
			Items   []string `json:"items"`
			Ordered *bool    `json:"ordered"`
		} `json:"blocks"`
	}
	if err := json.Unmarshal([]byte(get(t, s, "/api/essays/"+longSlug).Body), &full); err != nil {
		t.Fatal(err)
	}
	blocks := longEssayBlocks()
	if len(full.Blocks) != len(blocks) || full.Words != longWords {
		t.Fatalf("%d blocks, %d words; want %d, %d", len(full.Blocks), full.Words, len(blocks), longWords)
	}
	for i, b := range full.Blocks {
		w := blocks[i]
		if b.Type != string(w.Type) || b.Level != w.Level || b.Text != w.Text || strings.Join(b.Items, "|") != strings.Join(w.Items, "|") ||
			(b.Ordered != nil) != (w.Type == "list") || (b.Ordered != nil && *b.Ordered != w.Ordered) {
			t.Errorf("block %d: %+v, want %+v", i, b, w)
		}
	}
}

func TestAPISearch(t *testing.T) {
	s, _ := newServer(t, Config{})
	r := get(t, s, "/api/search?q=injected+markup")
	if r.Code != 200 {
		t.Fatalf("status %d: %s", r.Code, r.Body)
	}
	v := decode[struct {
		Results []struct {
			Slug        string  `json:"slug"`
			Title       string  `json:"title"`
			Subject     string  `json:"subject"`
			Words       int     `json:"words"`
			Pages       int     `json:"pages"`
			Snippet     string  `json:"snippet"`
			SnippetHTML string  `json:"snippet_html"`
			Score       float64 `json:"score"`
		} `json:"results"`
		Total int `json:"total"`
	}](t, r)
	if v.Total != 1 || len(v.Results) != 1 {
		t.Fatalf("%+v", v)
	}
	res := v.Results[0]
	if res.Slug != scriptSlug || res.Title != "Markup in essays" || res.Score <= 0 {
		t.Errorf("result %+v", res)
	}
	if strings.ContainsAny(res.Snippet, "\uE000\uE001") || !strings.Contains(res.Snippet, `<script>alert("xss")</script>`) {
		t.Errorf("plain snippet %q", res.Snippet)
	}
	if !strings.Contains(res.SnippetHTML, "&lt;script&gt;") || !strings.Contains(res.SnippetHTML, "<mark>injected</mark> <mark>markup</mark>") ||
		strings.Contains(res.SnippetHTML, "<script>") {
		t.Errorf("snippet_html %q", res.SnippetHTML)
	}

	empty := decode[struct {
		Results []any `json:"results"`
		Total   int   `json:"total"`
	}](t, get(t, s, "/api/search?q=zebra"))
	if empty.Results == nil || len(empty.Results) != 0 || empty.Total != 0 {
		t.Errorf("no-result body %+v, want empty results array", empty)
	}
}

func TestAPIErrors(t *testing.T) {
	s, logs := newServer(t, Config{})
	tests := []struct {
		path   string
		status int
		code   string
	}{
		{"/api/essays/no-such-essay", 404, "not_found"},
		{"/api/essays?limit=-1", 400, "invalid"},
		{"/api/essays?limit=0", 400, "invalid"},
		{"/api/essays?offset=x", 400, "invalid"},
		{"/api/essays?min_pages=5&max_pages=2", 400, "invalid"},
		{"/api/search", 400, "invalid"},
		{"/api/search?q=%20%20", 400, "invalid"},
		{"/api/search?q=" + strings.Repeat("b", 501), 413, "too_large"},
		{"/api/nothing-here", 404, "not_found"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			r := get(t, s, tt.path)
			if r.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", r.Code, tt.status, r.Body)
			}
			v := decode[apiErr](t, r)
			if v.Error.Code != tt.code || v.Error.Message == "" {
				t.Errorf("error %+v, want code %q and a message", v.Error, tt.code)
			}
		})
	}
	if logs.Len() > 0 {
		t.Errorf("client errors were logged:\n%s", logs)
	}
}

func TestHealthz(t *testing.T) {
	s, _ := newServer(t, Config{})
	r := get(t, s, "/healthz")
	if r.Code != 200 || r.Body != "ok\n" {
		t.Fatalf("healthz %d %q", r.Code, r.Body)
	}
	// A closed store is unavailable, and says so in JSON.
	s.store.Close()
	r = get(t, s, "/healthz")
	if r.Code != 503 || decode[apiErr](t, r).Error.Code != "unavailable" {
		t.Fatalf("healthz on a closed store: %d %s", r.Code, r.Body)
	}
}
