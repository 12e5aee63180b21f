package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// runIbid runs one command line in-process and returns its exit status,
// stdout and stderr.
func runIbid(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	e := &env_{stdout: &out, stderr: &errb, vars: env}
	code := run(context.Background(), e.env(), args)
	return code, out.String(), errb.String()
}

type env_ struct {
	stdout, stderr io.Writer
	vars           map[string]string
}

func (e *env_) env() *env {
	return &env{stdin: strings.NewReader(""), stdout: e.stdout, stderr: e.stderr, getenv: func(k string) string { return e.vars[k] }}
}

func TestUsage(t *testing.T) {
	code, _, stderr := runIbid(t, nil)
	if code != 2 || !strings.Contains(stderr, "import") || !strings.Contains(stderr, "serve") {
		t.Errorf("no args: code %d, stderr %q", code, stderr)
	}
	code, stdout, _ := runIbid(t, nil, "help", "import")
	if code != 0 || !strings.Contains(stdout, "usage: ibid import") {
		t.Errorf("help import: code %d, %q", code, stdout)
	}
	if code, _, stderr := runIbid(t, nil, "frobnicate"); code != 2 || !strings.Contains(stderr, `unknown command "frobnicate"`) {
		t.Errorf("unknown command: %d %q", code, stderr)
	}
	if code, _, stderr := runIbid(t, nil, "import", "--nope"); code != 2 || !strings.Contains(stderr, "usage: ibid import") ||
		strings.Count(stderr, "flag provided but not defined: -nope") != 1 || strings.Count(stderr, "usage:") != 1 {
		t.Errorf("bad flag: want its error and the usage line once each; got %d %q", code, stderr)
	}
	if code, _, stderr := runIbid(t, nil, "import", "-h"); code != 0 || !strings.Contains(stderr, "-words-per-page") {
		t.Errorf("import -h: exit %d, want the flags in %q", code, stderr)
	}
}

func TestImportJSONAndSummary(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "lib", "ibid.db")
	src := filepath.Join(dir, "in")
	os.MkdirAll(src, 0o755)
	long := strings.Repeat("Word after word makes a page. ", 600) // 3,600 words
	os.WriteFile(filepath.Join(src, "long.md"), []byte("---\ntitle: A Long Essay\n---\n\n"+long), 0o644)
	os.WriteFile(filepath.Join(src, "short.txt"), []byte("Short essay\n\nA few words here.\n"), 0o644)
	os.WriteFile(filepath.Join(src, "broken.docx"), []byte("not a zip"), 0o644)

	// One file failed: the others are imported, and the run still fails.
	code, stdout, stderr := runIbid(t, nil, "import", "--db", db, "--json", src)
	if code != 1 || !strings.Contains(stderr, "1 file of 3 could not be imported") {
		t.Fatalf("import with a bad file: exit %d (want 1), stderr %s", code, stderr)
	}
	var lines []importLine
	sc := bufio.NewScanner(strings.NewReader(stdout))
	for sc.Scan() {
		var l importLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("bad JSON line %q: %v", sc.Text(), err)
		}
		lines = append(lines, l)
	}
	if len(lines) != 2 {
		t.Fatalf("%d JSON lines, want 2: %s", len(lines), stdout)
	}
	if l := lines[0]; l.Slug != "a-long-essay" || l.Title != "A Long Essay" || l.Words != 3600 || l.Pages != 8 ||
		l.File != filepath.Join(src, "long.md") || l.ID == 0 {
		t.Errorf("first line %+v", l)
	}
	if !strings.Contains(stderr, "broken.docx: not a Word document") {
		t.Errorf("no reason for the broken file in %q", stderr)
	}
	if !strings.Contains(stderr, "2 imported, 0 duplicates, 1 failed") {
		t.Errorf("summary missing from %q", stderr)
	}

	// Again, through IBID_DB: all duplicates, nothing printed.
	code, stdout, stderr = runIbid(t, map[string]string{"IBID_DB": db}, "import", "--json", src)
	if code != 1 || stdout != "" || !strings.Contains(stderr, "0 imported, 2 duplicates, 1 failed") {
		t.Errorf("re-import: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	// Good files only: success, with the plural right.
	code, _, stderr = runIbid(t, nil, "import", "--db", db, filepath.Join(src, "short.txt"))
	if code != 0 || !strings.Contains(stderr, "0 imported, 1 duplicate, 0 failed") {
		t.Errorf("one duplicate: exit %d, stderr %q", code, stderr)
	}
	// Only bad files: failure.
	code, _, stderr = runIbid(t, nil, "import", "--db", db, filepath.Join(src, "broken.docx"))
	if code != 1 {
		t.Errorf("only a bad file: exit %d, want 1 (%s)", code, stderr)
	}
	if code, _, _ := runIbid(t, nil, "import", "--db", db); code != 2 {
		t.Errorf("no paths: exit %d, want 2", code)
	}
}

// TestCheckNeedsALibrary: a check never reports an all-clear against a
// library that is not there or holds nothing.
func TestCheckNeedsALibrary(t *testing.T) {
	dir := t.TempDir()
	essay, err := os.ReadFile("../../extract/testdata/essay.txt")
	if err != nil {
		t.Fatal(err)
	}
	doc := filepath.Join(dir, "mine.txt")
	os.WriteFile(doc, essay, 0o644)

	missing := filepath.Join(dir, "missing.db")
	code, stdout, stderr := runIbid(t, nil, "check", "--db", missing, doc)
	if code != 1 || stdout != "" || !strings.Contains(stderr, "no library at "+missing) {
		t.Errorf("missing library: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	if _, err := os.Stat(missing); err == nil {
		t.Errorf("check created a library at %s", missing)
	}
	for _, cmd := range [][]string{{"export", "some-essay", "--format", "md"}, {"cite", "some-essay", "--style", "apa"}} {
		code, _, stderr := runIbid(t, nil, append(cmd, "--db", missing)...)
		if code != 1 || !strings.Contains(stderr, "no library at "+missing) {
			t.Errorf("%s on a missing library: exit %d, stderr %q", cmd[0], code, stderr)
		}
	}

	// An empty library: checked, but said to be empty, also in JSON.
	empty := filepath.Join(dir, "empty.db")
	if code, _, stderr := runIbid(t, nil, "import", "--db", empty, doc); code != 0 {
		t.Fatalf("import: %d %s", code, stderr)
	}
	code, stdout, stderr = runIbid(t, nil, "check", "--db", empty, "--json", doc)
	if code != 0 {
		t.Fatalf("check: exit %d: %s", code, stderr)
	}
	var rep struct {
		Similarity    *float64 `json:"similarity"`
		LibraryEssays *int     `json:"library_essays"`
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil || rep.Similarity == nil || rep.LibraryEssays == nil {
		t.Fatalf("check --json: %v %s", err, stdout)
	}
	if *rep.LibraryEssays != 1 || *rep.Similarity != 1 || strings.Contains(stderr, "no essays") {
		t.Errorf("one essay, itself: library_essays %d, similarity %v, stderr %q", *rep.LibraryEssays, *rep.Similarity, stderr)
	}
	// Empty it again through a second, brand-new library made by import
	// of nothing importable.
	bare := filepath.Join(dir, "bare.db")
	os.WriteFile(filepath.Join(dir, "bad.docx"), []byte("not a zip"), 0o644)
	runIbid(t, nil, "import", "--db", bare, filepath.Join(dir, "bad.docx"))
	code, stdout, stderr = runIbid(t, nil, "check", "--db", bare, "--json", doc)
	if code != 0 || !strings.Contains(stderr, "has no essays") || !strings.Contains(stdout, `"library_essays": 0`) {
		t.Errorf("empty library: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	code, stdout, stderr = runIbid(t, nil, "check", "--db", bare, doc)
	if code != 0 || !strings.Contains(stderr, "has no essays") || !strings.Contains(stdout, "Similarity 0%") {
		t.Errorf("empty library, for people: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}

func TestPlural(t *testing.T) {
	for _, tt := range []struct {
		n    int
		want string
	}{{0, "0 passages"}, {1, "1 passage"}, {7, "7 passages"}, {1200, "1,200 passages"}} {
		if got := plural(tt.n, "passage", "passages"); got != tt.want {
			t.Errorf("plural(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
}

// syncBuffer is a bytes.Buffer safe for a server goroutine writing while
// the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestServeLoadsDemoOnce(t *testing.T) {
	db := filepath.Join(t.TempDir(), "ibid.db")
	for round := range 2 {
		ctx, cancel := context.WithCancel(context.Background())
		var errb syncBuffer
		done := make(chan int)
		go func() {
			done <- run(ctx, (&env_{stdout: io.Discard, stderr: &errb}).env(), []string{"serve", "--db", db, "--addr", "127.0.0.1:0"})
		}()
		var url string
		for i := 0; i < 200 && url == ""; i++ {
			time.Sleep(25 * time.Millisecond)
			if _, after, ok := strings.Cut(errb.String(), "serving "); ok {
				url = strings.TrimSpace(strings.SplitN(after, "\n", 2)[0])
			}
		}
		if url == "" {
			cancel()
			t.Fatalf("server did not start: %s", errb.String())
		}
		loaded := strings.Contains(errb.String(), "loaded the demo library")
		if (round == 0) != loaded {
			t.Errorf("round %d: demo loaded = %v; want it loaded only into an empty library\n%s", round, loaded, errb.String())
		}
		resp, err := http.Get(url + "/api/essays?limit=100")
		if err != nil {
			t.Fatal(err)
		}
		var body struct {
			Total int `json:"total"`
		}
		json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if body.Total < 15 {
			t.Errorf("round %d: %d essays, want the demo library (≥ 15)", round, body.Total)
		}
		resp, err = http.Get(url + "/essays/soviet-foreign-policy-1917-1941")
		if err != nil || resp.StatusCode != 200 {
			t.Errorf("round %d: the demo's Soviet essay: %v %v", round, resp.StatusCode, err)
		}
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("round %d: serve exited %d: %s", round, code, errb.String())
		}
	}
}

func TestServeWithoutDemo(t *testing.T) {
	db := filepath.Join(t.TempDir(), "ibid.db")
	ctx, cancel := context.WithCancel(context.Background())
	var errb syncBuffer
	done := make(chan int)
	go func() {
		done <- run(ctx, (&env_{stdout: io.Discard, stderr: &errb}).env(), []string{"serve", "--db", db, "--addr", "127.0.0.1:0", "--demo=false"})
	}()
	for i := 0; i < 200 && !strings.Contains(errb.String(), "serving"); i++ {
		time.Sleep(25 * time.Millisecond)
	}
	cancel()
	<-done
	if strings.Contains(errb.String(), "demo") {
		t.Errorf("--demo=false loaded the demo: %s", errb.String())
	}
}

func TestDisplayDSNHidesPasswords(t *testing.T) {
	tests := []struct{ in, want string }{
		{"/tmp/ibid.db", "/tmp/ibid.db"},
		{"postgres://ibid@db:5432/lib", "postgres://ibid@db:5432/lib"},
		{"postgres://ibid:s3cret@db:5432/lib?sslmode=disable", "postgres://ibid:xxxxx@db:5432/lib?sslmode=disable"},
	}
	for _, tt := range tests {
		if got := displayDSN(tt.in); got != tt.want {
			t.Errorf("displayDSN(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
