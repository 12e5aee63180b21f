package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ibid-dev/ibid"
)

// citeItems are two items in an order that is not the bibliography's: the
// reference list sorts Doe before Smith, --each keeps the input order.
const citeItems = `[
 {"id":"smith","type":"article-journal","title":"An article","author":[{"family":"Smith","given":"John"}],
  "issued":{"date-parts":[[1999]]},"container-title":"Journal of Tests","volume":"3","page":"1-10"},
 {"id":"doe","type":"book","title":"A book","author":[{"family":"Doe","given":"Jane"}],"issued":{"date-parts":[[2001]]},"publisher":"Pub"}
]`

// dependentStyle borrows APA's rules under its own title, as the journal
// styles of the official repository borrow theirs.
const dependentStyle = `<?xml version="1.0" encoding="utf-8"?>
<style xmlns="http://purl.org/net/xbiblio/csl" version="1.0" default-locale="en-US">
  <info>
    <title>Journal of Tests</title>
    <id>http://example.test/styles/journal-of-tests</id>
    <link href="http://example.test/styles/journal-of-tests" rel="self"/>
    <link href="ibid/apa" rel="independent-parent"/>
    <category citation-format="author-date"/>
    <updated>2026-01-01T00:00:00+00:00</updated>
  </info>
</style>
`

func TestCiteItems(t *testing.T) {
	dir := t.TempDir()
	items := filepath.Join(dir, "items.json")
	styles := filepath.Join(dir, "styles")
	os.WriteFile(items, []byte(citeItems), 0o644)
	os.MkdirAll(styles, 0o755)
	os.WriteFile(filepath.Join(styles, "journal-of-tests.csl"), []byte(dependentStyle), 0o644)
	os.WriteFile(filepath.Join(styles, "broken.csl"), []byte("<style>"), 0o644)

	const doe, smith = "Doe, J. (2001). A book. Pub.", "Smith, J. (1999). An article. Journal of Tests, 3, 1–10."
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"bibliography sorted", nil, []string{"--style", "apa", "--items", items}, doe + "\n" + smith + "\n"},
		{"each in input order", nil, []string{"--items", items, "--each"}, smith + "\n" + doe + "\n"},
		{"html", nil, []string{"--items", items, "--each", "--format", "html"},
			"Smith, J. (1999). An article. <i>Journal of Tests</i>, <i>3</i>, 1–10.\nDoe, J. (2001). <i>A book</i>. Pub.\n"},
		{"one citation", nil, []string{"--items", items, "--mode", "citation"}, "(Doe, 2001; Smith, 1999)\n"},
		{"each citation", nil, []string{"--items", items, "--mode", "citation", "--each"}, "(Smith, 1999)\n(Doe, 2001)\n"},
		{"numeric style", nil, []string{"--style", "ieee", "--items", items, "--mode", "citation", "--each"}, "[1]\n[1]\n"},
		{"dependent style file", nil, []string{"--style", filepath.Join(styles, "journal-of-tests.csl"), "--items", items}, doe + "\n" + smith + "\n"},
		{"dependent style from IBID_STYLES", map[string]string{"IBID_STYLES": styles}, []string{"--style", "journal-of-tests", "--items", items, "--each"}, smith + "\n" + doe + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, stderr := runIbid(t, tt.env, append([]string{"cite"}, tt.args...)...)
			if code != 0 || out != tt.want {
				t.Errorf("exit %d, stderr %q\n got %q\nwant %q", code, stderr, out, tt.want)
			}
		})
	}

	// The loaded style is listed after the built-in ones; the broken file
	// is reported and skipped.
	code, out, stderr := runIbid(t, nil, "cite", "--styles", styles, "--list")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != 8 || !strings.HasPrefix(lines[0], "apa ") || !strings.HasPrefix(lines[7], "journal-of-tests ") {
		t.Errorf("--list: exit %d\n%s", code, out)
	}
	if !strings.Contains(stderr, "broken.csl") {
		t.Errorf("the broken style is not reported: %q", stderr)
	}

	for _, bad := range [][]string{
		{"cite", "--items", items, "--format", "pdf"},
		{"cite", "--items", items, "--mode", "footnote"},
		{"cite"},
		{"cite", "--items", items, "some-slug"},
	} {
		if code, _, _ := runIbid(t, nil, bad...); code != 2 {
			t.Errorf("%q: exit %d, want 2", bad, code)
		}
	}
	if code, _, stderr := runIbid(t, nil, "cite", "--style", "nonesuch", "--items", items); code != 1 || !strings.Contains(stderr, `no style "nonesuch"`) {
		t.Errorf("unknown style: exit %d, %q", code, stderr)
	}
	os.WriteFile(filepath.Join(dir, "orphan.csl"), []byte(strings.Replace(dependentStyle, "ibid/apa", "http://example.test/styles/missing", 1)), 0o644)
	if code, _, stderr := runIbid(t, nil, "cite", "--style", filepath.Join(dir, "orphan.csl"), "--items", items); code != 1 || !strings.Contains(stderr, "not loaded") {
		t.Errorf("orphan dependent style: exit %d, %q", code, stderr)
	}
}

// TestCiteEssay cites a library essay and exports its citation formats.
func TestCiteEssay(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "ibid.db")
	src := filepath.Join(dir, "essay.md")
	os.WriteFile(src, []byte("---\ntitle: On Citing\nauthor: Jane Q. Doe\ndate: 2020-09-17\n---\n\nCite what you use.\n"), 0o644)
	if code, _, stderr := runIbid(t, nil, "import", "--db", db, src); code != 0 {
		t.Fatalf("import: %d %s", code, stderr)
	}
	site := map[string]string{"IBID_SITE_NAME": "Test Library", "IBID_BASE_URL": "https://lib.example.test"}
	code, out, stderr := runIbid(t, site, "cite", "--db", db, "on-citing", "--style", "apa")
	if want := "Doe, J. Q. (2020, September 17). On Citing. Test Library. https://lib.example.test/essays/on-citing\n"; code != 0 || out != want {
		t.Errorf("cite essay: exit %d, stderr %q\n got %q\nwant %q", code, stderr, out, want)
	}
	code, out, _ = runIbid(t, site, "cite", "--db", db, "on-citing", "--style", "mla", "--mode", "citation")
	if code != 0 || out != "(Doe)\n" {
		t.Errorf("cite essay in MLA: exit %d, %q", code, out)
	}
	if code, _, stderr := runIbid(t, nil, "cite", "--db", db, "no-such-essay"); code != 1 || stderr == "" {
		t.Errorf("missing essay: exit %d", code)
	}
	for format, want := range map[string]string{
		"bib":      "@online{on-citing,\n  author = {Doe, Jane Q.},",
		"ris":      "TY  - ELEC\r\nTI  - On Citing\r\nAU  - Doe, Jane Q.\r\n",
		"csl.json": `"URL": "https://lib.example.test/essays/on-citing"`,
	} {
		code, out, stderr := runIbid(t, site, "export", "--db", db, "on-citing", "--format", format, "-o", "-")
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("export %s: exit %d, stderr %q\n%s", format, code, stderr, out)
		}
	}
}

// TestPDFCite checks the entries the PDF's cite box gets: APA then MLA,
// with their italics marked for the PDF to draw.
func TestPDFCite(t *testing.T) {
	s := &site{name: "Test Library", baseURL: "https://lib.example.test"}
	got := s.pdfCite()(&ibid.Essay{Slug: "on-citing", Title: "On Citing", Author: "Jane Doe"})
	if len(got) != 2 || got[0].Style != "APA" || got[1].Style != "MLA" {
		t.Fatalf("entries %+v", got)
	}
	if want := "Doe, J. (n.d.). <i>On Citing</i>. Test Library."; !strings.HasPrefix(got[0].Text, want) {
		t.Errorf("APA %q, want it to start %q", got[0].Text, want)
	}
	if !strings.Contains(got[1].Text, "<i>Test Library</i>") {
		t.Errorf("MLA %q", got[1].Text)
	}
}
