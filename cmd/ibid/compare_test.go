package main

import (
	"archive/zip"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/ibid-dev/ibid/compare"
	"github.com/ibid-dev/ibid/internal/classset"
)

// writeClass writes the class of classset into dir, and its source as a
// Markdown essay into src.
func writeClass(t *testing.T, dir, src string) classset.Class {
	t.Helper()
	c := classset.New(1)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, d := range c.Docs {
		if err := os.WriteFile(filepath.Join(dir, d.Name), []byte(d.Text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(src, []byte("---\ntitle: Why cities plant street trees\n---\n\n"+classset.SourceText), 0o644); err != nil {
		t.Fatal(err)
	}
	return c
}

// TestCompareClass runs `ibid compare` on the class against a library that
// holds its source: text output, --json (the API's shape), --html, and a
// zip of the class with hostile entries.
func TestCompareClass(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "ibid.db")
	classDir := filepath.Join(dir, "class")
	c := writeClass(t, classDir, filepath.Join(dir, "source.md"))
	if code, _, stderr := runIbid(t, nil, "import", "--db", db, filepath.Join(dir, "source.md")); code != 0 {
		t.Fatalf("import: %s", stderr)
	}
	report := filepath.Join(dir, "report.html")
	code, stdout, stderr := runIbid(t, nil, "compare", "--db", db, "--json", "--html", report, "--base-url", "https://essays.example.org/", classDir)
	if code != 0 {
		t.Fatalf("compare: exit %d: %s", code, stderr)
	}
	var res compare.Result
	if err := json.Unmarshal([]byte(stdout), &res); err != nil {
		t.Fatalf("JSON: %v\n%s", err, stdout)
	}
	copied := append([]string(nil), c.Copied...)
	sort.Strings(copied)
	if len(res.Documents) != 30 || len(res.Groups) != 2 {
		t.Fatalf("%d documents, groups %v", len(res.Documents), res.Groups)
	}
	if g := res.Groups[0]; !slices.Equal(g.Documents, copied) || !slices.Equal(g.Sources, []string{"why-cities-plant-street-trees"}) {
		t.Errorf("first group %+v", g)
	}
	if g := res.Groups[1]; !slices.Equal(g.Documents, c.Sharing[:]) {
		t.Errorf("second group %+v", g)
	}
	html, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"<style>", `<svg class="matrix"`, `id="side-1"`, "15 documents", `href="https://essays.example.org/essays/why-cities-plant-street-trees"`} {
		if !strings.Contains(string(html), want) {
			t.Errorf("the HTML report lacks %q", want)
		}
	}
	if strings.Contains(string(html), "<script") {
		t.Error("the HTML report has a script")
	}

	// Text output, without the library.
	code, stdout, stderr = runIbid(t, nil, "compare", "--no-library", "--min", "0.5", classDir)
	if code != 0 {
		t.Fatalf("compare --no-library: %s", stderr)
	}
	for _, want := range []string{"Compared 30 documents", "2 groups", c.Sharing[0] + " — " + c.Sharing[1], "Documents (share"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("text output lacks %q:\n%s", want, stdout)
		}
	}
	if strings.Contains(stdout, "library:") {
		t.Errorf("--no-library output names library sources:\n%s", stdout)
	}

	// A zip of the class with a path out of the archive: the same groups,
	// the bad entry skipped with its reason, nothing written beside it.
	zpath := filepath.Join(dir, "class.zip")
	zf, err := os.Create(zpath)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(zf)
	for _, d := range c.Docs {
		w, _ := zw.Create(d.Name)
		w.Write([]byte(d.Text))
	}
	w, _ := zw.Create("../escaped.txt")
	w.Write([]byte(classset.SourceText))
	zw.Close()
	zf.Close()
	code, stdout, stderr = runIbid(t, nil, "compare", "--no-library", "--json", zpath)
	if code != 0 {
		t.Fatalf("compare zip: %s", stderr)
	}
	res = compare.Result{}
	if err := json.Unmarshal([]byte(stdout), &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Documents) != 30 || len(res.Groups) != 2 || len(res.Skipped) != 1 || res.Skipped[0].Name != "../escaped.txt" {
		t.Errorf("zip: %d documents, %d groups, skipped %+v", len(res.Documents), len(res.Groups), res.Skipped)
	}
	if !strings.Contains(stderr, "skipped ../escaped.txt: path leads out of the archive") {
		t.Errorf("stderr lacks the skip: %s", stderr)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(dir), "escaped.txt")); err == nil {
		t.Error("an entry was written outside the archive")
	}

	// A file name that is not UTF-8, and a file given twice (in its
	// folder and on its own): read once, named in valid UTF-8.
	odd := filepath.Join(dir, "odd")
	os.MkdirAll(odd, 0o755)
	oddName := filepath.Join(odd, "caf\xe9.txt")
	if err := os.WriteFile(oddName, []byte(classset.SourceText), 0o644); err != nil {
		t.Skipf("this file system refuses non-UTF-8 names: %v", err)
	}
	os.WriteFile(filepath.Join(odd, "copy.txt"), []byte(classset.SourceText), 0o644)
	code, stdout, stderr = runIbid(t, nil, "compare", "--no-library", "--json", odd, oddName)
	if code != 0 {
		t.Fatalf("compare odd: %s", stderr)
	}
	res = compare.Result{}
	if err := json.Unmarshal([]byte(stdout), &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Documents) != 2 || res.Documents[0].Name != "caf\uFFFD.txt" || len(res.Pairs) != 1 || res.Pairs[0].SimilarityA != 1 ||
		len(res.Skipped) != 1 || res.Skipped[0].Reason != "given twice" {
		t.Errorf("odd names: %+v %+v %+v", res.Documents, res.Pairs, res.Skipped)
	}

	// Usage errors and failures.
	if code, _, _ := runIbid(t, nil, "compare"); code != 2 {
		t.Errorf("no paths: exit %d", code)
	}
	if code, _, _ := runIbid(t, nil, "compare", "--min", "2", classDir); code != 2 {
		t.Errorf("--min 2: exit %d", code)
	}
	if code, _, stderr := runIbid(t, nil, "compare", "--no-library", filepath.Join(dir, "missing")); code != 1 || !strings.Contains(stderr, "no such file") {
		t.Errorf("missing path: exit %d %s", code, stderr)
	}
	// No library is an error, not a comparison that finds no source.
	missing := filepath.Join(dir, "none.db")
	if code, _, stderr := runIbid(t, nil, "compare", "--db", missing, classDir); code != 1 || !strings.Contains(stderr, "no library at "+missing) {
		t.Errorf("missing library: exit %d %s", code, stderr)
	}
	if _, err := os.Stat(missing); err == nil {
		t.Error("compare created a library")
	}
}

// TestCompareExclude: --exclude leaves a prompt that every answer copies out
// of the comparison.
func TestCompareExclude(t *testing.T) {
	const prompt = "Assignment 4. Many councils now plant trees along their streets and squares. " +
		"In about four hundred words, explain why a city might do this, what it costs, and who benefits most. " +
		"Use at least one example from your own neighbourhood and say what you would change about it."
	dir := t.TempDir()
	c := classset.New(1)
	for _, d := range c.Docs {
		os.WriteFile(filepath.Join(dir, d.Name), []byte(prompt+"\n\n"+d.Text), 0o644)
	}
	handout := filepath.Join(t.TempDir(), "prompt.md")
	os.WriteFile(handout, []byte(prompt), 0o644)
	groups := func(args ...string) (int, string) {
		code, stdout, stderr := runIbid(t, nil, append([]string{"compare", "--no-library", "--json"}, args...)...)
		if code != 0 {
			t.Fatalf("compare %v: %s", args, stderr)
		}
		var res compare.Result
		if err := json.Unmarshal([]byte(stdout), &res); err != nil {
			t.Fatal(err)
		}
		return len(res.Groups), stdout
	}
	if n, _ := groups(dir); n != 1 {
		t.Errorf("without --exclude: %d groups, want the prompt to join all", n)
	}
	if n, out := groups("--exclude", handout, dir); n != 2 || !strings.Contains(out, `"excluded_words": 48`) {
		t.Errorf("with --exclude: %d groups\n%.400s", n, out)
	}
	if code, _, stderr := runIbid(t, nil, "compare", "--no-library", "--exclude", filepath.Join(dir, "none.txt"), dir); code != 1 || !strings.Contains(stderr, "--exclude") {
		t.Errorf("missing handout: %d %s", code, stderr)
	}
}
