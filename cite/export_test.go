package cite

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ibid-dev/ibid"
	"github.com/ibid-dev/ibid/csl"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// TestExportGolden writes each format for an essay with TeX's special
// characters in its title and two authors, and for an essay with neither
// author nor date, and compares with testdata/*.golden.
func TestExportGolden(t *testing.T) {
	essays := map[string]*ibid.Essay{
		"special": {Slug: "braces-and-100-percent", Title: `Braces {like} these, 100% & $5 \ #1_a ~^`,
			Author: "Ludwig van Beethoven and Martin Luther King Jr.", Published: published,
			Topics: []string{"Music", "Civil rights, US", "50% & more"},
			Blocks: []ibid.Block{
				{Type: ibid.Heading, Level: 2, Text: "Not the abstract"},
				{Type: ibid.Paragraph, Text: "Dr. King quoted J. S. Bach in 1963. Did he? Yes {braces} and 100% & $5."},
				{Type: ibid.Paragraph, Text: strings.Repeat("A second paragraph of words ", 12) + "ends here."},
			}},
		"bare": {Slug: "bare", Title: "A bare essay"},
	}
	for _, x := range Exporters(testOpt) {
		ext, _, _ := x.Format()
		for name, e := range essays {
			var b bytes.Buffer
			if err := x.Export(&b, e); err != nil {
				t.Fatalf("%s %s: %v", ext, name, err)
			}
			golden := filepath.Join("testdata", name+"."+ext+".golden")
			if *update {
				if err := os.WriteFile(golden, b.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				continue
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update)", err)
			}
			if !bytes.Equal(b.Bytes(), want) {
				t.Errorf("%s %s:\n got %q\nwant %q", ext, name, b.String(), want)
			}
		}
	}
}

// TestBibTeXBraces checks that every brace in a BibTeX entry pairs up, so no
// title can end its field early, and that special characters are escaped.
func TestBibTeXBraces(t *testing.T) {
	for _, title := range []string{"}", "{", "}{", `\}`, "a } b { c", "50% off & more_than $1 #2"} {
		var b bytes.Buffer
		if err := (BibTeX{testOpt}).Export(&b, &ibid.Essay{Slug: "x", Title: title, Author: "A {B} C"}); err != nil {
			t.Fatal(err)
		}
		depth := 0
		s := b.String()
		for i := 0; i < len(s); i++ {
			switch s[i] {
			case '\\':
				i++ // an escaped character does not count
			case '{':
				depth++
			case '}':
				depth--
				if depth < 0 {
					t.Fatalf("title %q: unbalanced braces in\n%s", title, s)
				}
			}
		}
		if depth != 0 {
			t.Errorf("title %q: %d braces left open in\n%s", title, depth, s)
		}
		for _, c := range []string{"%", "&", "_", "$", "#"} {
			if strings.Contains(title, c) && !strings.Contains(s, `\`+c) {
				t.Errorf("title %q: %s not escaped in\n%s", title, c, s)
			}
		}
		if !strings.HasPrefix(s, "@online{x,\n") {
			t.Errorf("entry starts %q", s)
		}
	}
}

// TestRISRecord checks the tags a reference manager needs to make a web page
// of the record, and that values stay on one line.
func TestRISRecord(t *testing.T) {
	var b bytes.Buffer
	e := testEssay("Jane Q. Doe; John Smith", published)
	e.Title = "Two\nlines"
	if err := (RIS{testOpt}).Export(&b, e); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(b.String(), "\r\n"), "\r\n")
	want := []string{"TY  - ELEC", "TI  - Two lines", "AU  - Doe, Jane Q.", "AU  - Smith, John", "T2  - Essay Library",
		"PY  - 2020", "Y1  - 2020/09/17/", "DA  - 2020/09/17/", "UR  - https://essays.example.org/essays/soviet-foreign-policy", "ER  - "}
	if strings.Join(lines, "|") != strings.Join(want, "|") {
		t.Errorf("RIS\n got %q\nwant %q", lines, want)
	}
}

// TestCSLJSONReadsBack checks that the download is an array that our CSL
// processor reads back into the same item the cite box renders, less the
// accessed date.
func TestCSLJSONReadsBack(t *testing.T) {
	var b bytes.Buffer
	e := testEssay("Jane Q. Doe", published)
	if err := (CSLJSON{testOpt}).Export(&b, e); err != nil {
		t.Fatal(err)
	}
	var raw []map[string]any
	if err := json.Unmarshal(b.Bytes(), &raw); err != nil || len(raw) != 1 {
		t.Fatalf("not an array of one item: %v %s", err, b.String())
	}
	if raw[0]["type"] != "webpage" || raw[0]["id"] != e.Slug {
		t.Errorf("item %v", raw[0])
	}
	if _, ok := raw[0]["accessed"]; ok {
		t.Errorf("download carries an accessed date: %v", raw[0])
	}
	items, err := csl.ParseItems(b.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	want, err := CSLItem(e, Options{SiteName: testOpt.SiteName, BaseURL: testOpt.BaseURL, Now: func() time.Time { return today }})
	if err != nil {
		t.Fatal(err)
	}
	delete(want.Dates, "accessed")
	if got := items[0]; got.Vars["title"] != want.Vars["title"] || got.Vars["URL"] != want.Vars["URL"] || len(got.Names["author"]) != 1 ||
		got.Names["author"][0] != want.Names["author"][0] || got.Dates["issued"].Parts[0] != want.Dates["issued"].Parts[0] {
		t.Errorf("read back %+v, want %+v", got, want)
	}
}
