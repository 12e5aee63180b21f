package main

import (
	"bufio"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ibid-dev/ibid/demo"
)

// demoFile returns the text of a demo essay (Markdown with front matter)
// and its body.
func demoFile(t *testing.T, name string) (string, string) {
	t.Helper()
	data, err := fs.ReadFile(demo.FS(), name)
	if err != nil {
		t.Fatal(err)
	}
	s := string(data)
	return s, s[strings.Index(s, "\n---\n")+5:]
}

func TestImportSimilarAndAudit(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "lib.db")
	lib := filepath.Join(dir, "lib")
	os.MkdirAll(lib, 0o755)
	names := []string{"why-bees-matter-to-farming.md", "stoicism-as-practical-ethics.md", "printing-press-and-the-reformation.md"}
	for _, n := range names {
		full, _ := demoFile(t, n)
		os.WriteFile(filepath.Join(lib, n), []byte(full), 0o644)
	}
	if code, _, stderr := runIbid(t, nil, "import", "--db", db, lib); code != 0 || strings.Contains(stderr, "similar") {
		t.Fatalf("import the originals: exit %d, %s", code, stderr)
	}
	_, bees := demoFile(t, names[0])
	_, stoa := demoFile(t, names[1])
	paras := strings.Split(strings.TrimSpace(stoa), "\n\n")
	copies := filepath.Join(dir, "copies")
	os.MkdirAll(copies, 0o755)
	// A copy of the bees essay with a paragraph of its own, and most of
	// the Stoicism essay under a new title.
	os.WriteFile(filepath.Join(copies, "bees.md"), []byte("---\ntitle: Bees and Farms\n---\n\n"+bees+"\n\nAnd that is all we know about bees.\n"), 0o644)
	os.WriteFile(filepath.Join(copies, "stoa.md"), []byte("---\ntitle: Stoic Notes\n---\n\n"+strings.Join(paras[:len(paras)*3/4], "\n\n")+"\n"), 0o644)

	// Refused: nothing imported, each refusal named, exit 1.
	code, stdout, stderr := runIbid(t, nil, "import", "--db", db, "--reject-similar", "--json", copies)
	if code != 1 || stdout != "" {
		t.Errorf("--reject-similar: exit %d, stdout %q", code, stdout)
	}
	for _, want := range []string{
		`bees.md: 100% similar to "Why Bees Matter to Farming" (why-bees-matter-to-farming), already in the library; not imported`,
		`stoa.md: 100% similar to "Stoicism as a Practical Ethics" (stoicism-as-a-practical-ethics)`,
		"0 imported, 0 duplicates, 2 rejected as similar, 0 failed",
		"2 files of 2 not imported: similar to essays already in the library",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("--reject-similar: %q missing from stderr:\n%s", want, stderr)
		}
	}

	// Reported: imported, with similar_to and a warning.
	code, stdout, stderr = runIbid(t, nil, "import", "--db", db, "--json", copies)
	if code != 0 {
		t.Fatalf("import copies: exit %d, %s", code, stderr)
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
	if len(lines) != 2 || len(lines[0].SimilarTo) != 1 || len(lines[1].SimilarTo) != 1 {
		t.Fatalf("lines %+v", lines)
	}
	if s := lines[0].SimilarTo[0]; s.Slug != "why-bees-matter-to-farming" || s.Similarity < 0.95 || s.Similarity > 1 {
		t.Errorf("bees similar to %+v", s)
	}
	if s := lines[1].SimilarTo[0]; s.Slug != "stoicism-as-a-practical-ethics" || s.Similarity != 1 {
		t.Errorf("stoa similar to %+v", s)
	}
	if !strings.Contains(stderr, `ibid: warning: `+filepath.Join(copies, "bees.md")+` (bees-and-farms) is `) ||
		!strings.Contains(stderr, "2 imported (2 similar to essays already there), 0 duplicates, 0 failed") {
		t.Errorf("warnings and summary: %s", stderr)
	}
	// An essay that copies nothing has an empty list, not null.
	other := filepath.Join(dir, "other.md")
	full, _ := demoFile(t, "sonnet-from-petrarch-to-shakespeare.md")
	os.WriteFile(other, []byte(full), 0o644)
	_, stdout, _ = runIbid(t, nil, "import", "--db", db, "--json", other)
	if !strings.Contains(stdout, `"similar_to":[]`) {
		t.Errorf("an original essay: %s", stdout)
	}

	// The audit lists both pairs, older first, in JSON and as a table.
	code, stdout, stderr = runIbid(t, nil, "audit", "--db", db, "--json")
	if code != 0 {
		t.Fatalf("audit: exit %d, %s", code, stderr)
	}
	var rep auditReport
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("audit --json: %v\n%s", err, stdout)
	}
	if rep.Essays != 6 || rep.Min != 0.5 || len(rep.Pairs) != 2 {
		t.Fatalf("audit: %+v", rep)
	}
	// Both at 100 %: the older essay's ID decides (Stoicism was imported
	// before Bees, the files being read in name order).
	if p := rep.Pairs[0]; p.A.Slug != "stoicism-as-a-practical-ethics" || p.B.Slug != "stoic-notes" || p.B.Share != 1 || p.A.Share > 0.9 || p.Similarity != 1 {
		t.Errorf("first pair %+v", p)
	}
	if p := rep.Pairs[1]; p.A.Slug != "why-bees-matter-to-farming" || p.B.Slug != "bees-and-farms" || p.A.Share != 1 || p.B.Share < 0.95 || p.Similarity != 1 {
		t.Errorf("second pair %+v", p)
	}
	if !strings.Contains(stderr, "6 essays") || !strings.Contains(stderr, "2 at 50% or more") {
		t.Errorf("audit summary: %s", stderr)
	}
	code, stdout, _ = runIbid(t, nil, "audit", "--db", db)
	table := []string{
		"SIMILAR  OLDER (A)                       NEWER (B)       SHARE OF A  SHARE OF B",
		"100%     stoicism-as-a-practical-ethics  stoic-notes     72%         100%",
		"100%     why-bees-matter-to-farming      bees-and-farms  100%        99%",
	}
	if code != 0 || strings.TrimSpace(stdout) != strings.Join(table, "\n") {
		t.Errorf("audit: exit %d\n%s", code, stdout)
	}
	for _, args := range [][]string{{"--min", "0"}, {"--min", "1.5"}, {"extra"}} {
		if code, _, _ := runIbid(t, nil, append([]string{"audit", "--db", db}, args...)...); code != 2 {
			t.Errorf("audit %v: exit %d, want 2", args, code)
		}
	}
	empty := filepath.Join(dir, "empty.db")
	if code, stdout, _ := runIbid(t, nil, "audit", "--db", empty); code != 0 || !strings.Contains(stdout, "No essay copies or paraphrases another.") {
		t.Errorf("empty library: exit %d, %q", code, stdout)
	}
}
