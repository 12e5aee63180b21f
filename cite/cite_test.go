package cite

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/ibid-dev/ibid"
	"github.com/ibid-dev/ibid/csl/styles"
)

var (
	today     = time.Date(2026, 11, 25, 15, 4, 0, 0, time.UTC)
	published = time.Date(2020, 9, 17, 0, 0, 0, 0, time.UTC)
	testOpt   = Options{SiteName: "Essay Library", BaseURL: "https://essays.example.org/", Now: func() time.Time { return today }}
)

func testEssay(author string, pub time.Time) *ibid.Essay {
	return &ibid.Essay{Slug: "soviet-foreign-policy", Title: "Soviet Foreign Policy, 1917–1941", Author: author, Published: pub}
}

func TestAuthors(t *testing.T) {
	tests := []struct {
		in   string
		want []Name
	}{
		{"", nil},
		{"  Anonymous ", nil},
		{"Unknown", nil},
		{"Plato", []Name{{Family: "Plato"}}},
		{"Jane Doe", []Name{{Given: "Jane", Family: "Doe"}}},
		{"Jane  Q.   Doe", []Name{{Given: "Jane Q.", Family: "Doe"}}},
		{"Doe, Jane Q.", []Name{{Given: "Jane Q.", Family: "Doe"}}},
		{"Ludwig van Beethoven", []Name{{Given: "Ludwig", Family: "van Beethoven"}}},
		{"Martin Luther King Jr.", []Name{{Given: "Martin Luther", Family: "King", Suffix: "Jr."}}},
		{"Martin Luther King, Jr.", []Name{{Given: "Martin Luther", Family: "King", Suffix: "Jr."}}},
		{"King, Martin Luther, Jr.", []Name{{Given: "Martin Luther", Family: "King", Suffix: "Jr."}}},
		{"bell hooks", []Name{{Given: "bell", Family: "hooks"}}},
		{"Jane Doe and John Smith", []Name{{Given: "Jane", Family: "Doe"}, {Given: "John", Family: "Smith"}}},
		{"Doe, Jane; Smith, John & Ann Lee", []Name{{Given: "Jane", Family: "Doe"}, {Given: "John", Family: "Smith"}, {Given: "Ann", Family: "Lee"}}},
	}
	for _, tt := range tests {
		if got := Authors(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Authors(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}

func TestItem(t *testing.T) {
	data, err := json.Marshal(Item(testEssay("Jane Doe", published), testOpt, true))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"URL":"https://essays.example.org/essays/soviet-foreign-policy","accessed":{"date-parts":[[2026,11,25]]},` +
		`"author":[{"family":"Doe","given":"Jane"}],"container-title":"Essay Library","id":"soviet-foreign-policy",` +
		`"issued":{"date-parts":[[2020,9,17]]},"title":"Soviet Foreign Policy, 1917–1941","type":"webpage"}`
	if string(data) != want {
		t.Errorf("item\n got %s\nwant %s", data, want)
	}
	// Unknown author and date, no base URL, no accessed date: the fields
	// are absent rather than empty.
	it := Item(testEssay("", time.Time{}), Options{}, false)
	for _, k := range []string{"author", "issued", "URL", "accessed"} {
		if v, ok := it[k]; ok {
			t.Errorf("item without %s has %s = %v", k, k, v)
		}
	}
	if it["container-title"] != "ibid Essay Library" {
		t.Errorf("default site name %v", it["container-title"])
	}
}

// TestDefaultSiteNameCites renders an essay of a site left unnamed in every
// built-in style: the name must not read as the Latin "Ibid." that sends a
// reader to the previous entry, as the old default "ibid" did ("… 1917–1941.
// Ibid. https://…" in APA through pandoc).
func TestDefaultSiteNameCites(t *testing.T) {
	c, err := New(nil, Options{BaseURL: "https://essays.example.org", Now: testOpt.Now})
	if err != nil {
		t.Fatal(err)
	}
	for _, style := range []string{"apa", "mla", "harvard", "chicago-author-date", "chicago-notes-bibliography", "ieee", "vancouver"} {
		r, err := c.Cite(testEssay("Jane Q. Doe", published), style)
		if err != nil {
			t.Fatalf("%s: %v", style, err)
		}
		if !strings.Contains(strings.ToLower(r.Entry.Text), "ibid essay library") {
			t.Errorf("%s: %q lacks the site's name", style, r.Entry.Text)
		}
		for _, s := range []string{r.Entry.Text, r.InText.Text} {
			if strings.Contains(strings.ToLower(s), "ibid.") {
				t.Errorf("%s: %q reads as \"Ibid.\"", style, s)
			}
		}
	}
	// The check above finds the fault it guards against: the old default
	// ends APA's entry with "ibid." before the URL.
	old, err := New(nil, Options{SiteName: "ibid", BaseURL: "https://essays.example.org", Now: testOpt.Now})
	if err != nil {
		t.Fatal(err)
	}
	r, err := old.Cite(testEssay("Jane Q. Doe", published), "apa")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.ToLower(r.Entry.Text), "ibid.") {
		t.Errorf("site \"ibid\" in APA: %q, expected the Latin-looking \"ibid.\"", r.Entry.Text)
	}
}

func TestCite(t *testing.T) {
	c, err := New(nil, testOpt)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		e        *ibid.Essay
		style    string
		text     string
		html     string // a fragment the HTML must hold
		intext   string
		wantNote bool
	}{
		{"apa", testEssay("Jane Q. Doe", published), "apa",
			"Doe, J. Q. (2020, September 17). Soviet Foreign Policy, 1917–1941. Essay Library. https://essays.example.org/essays/soviet-foreign-policy",
			"<i>Soviet Foreign Policy, 1917–1941</i>", "(Doe, 2020)", false},
		{"apa without author or date", testEssay("", time.Time{}), "apa",
			"Soviet Foreign Policy, 1917–1941. (n.d.). Essay Library. Retrieved November 25, 2026, from https://essays.example.org/essays/soviet-foreign-policy",
			"<i>Soviet Foreign Policy, 1917–1941</i>. (n.d.)", "(Soviet Foreign Policy, 1917–1941, n.d.)", false},
		{"mla", testEssay("Jane Q. Doe", published), "mla",
			"Doe, Jane Q. “Soviet Foreign Policy, 1917–1941.” Essay Library, 17 Sept. 2020, https://essays.example.org/essays/soviet-foreign-policy.",
			"<i>Essay Library</i>", "(Doe)", false},
		{"harvard gives the accessed date", testEssay("Jane Q. Doe", published), "harvard",
			"Doe, J.Q. (2020) Soviet Foreign Policy, 1917–1941, Essay Library. Available at: https://essays.example.org/essays/soviet-foreign-policy (Accessed: 25 November 2026).",
			"<i>Essay Library</i>", "(Doe, 2020)", false},
		{"chicago notes", testEssay("Jane Q. Doe", published), "chicago-notes-bibliography",
			"Doe, Jane Q. “Soviet Foreign Policy, 1917–1941.” Essay Library, September 17, 2020. https://essays.example.org/essays/soviet-foreign-policy.",
			"Doe, Jane Q.", "Jane Q. Doe, “Soviet Foreign Policy, 1917–1941,” Essay Library, September 17, 2020, https://essays.example.org/essays/soviet-foreign-policy.", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := c.Cite(tt.e, tt.style)
			if err != nil {
				t.Fatal(err)
			}
			if r.Entry.Text != tt.text {
				t.Errorf("entry\n got %q\nwant %q", r.Entry.Text, tt.text)
			}
			if !strings.Contains(r.Entry.HTML, tt.html) {
				t.Errorf("entry HTML %q lacks %q", r.Entry.HTML, tt.html)
			}
			if r.InText.Text != tt.intext {
				t.Errorf("in-text %q, want %q", r.InText.Text, tt.intext)
			}
			if r.Note != tt.wantNote {
				t.Errorf("note %v", r.Note)
			}
		})
	}
	if _, err := c.Cite(testEssay("", published), "no-such-style"); ibid.ErrorCode(err) != ibid.ENOTFOUND {
		t.Errorf("unknown style: %v", err)
	}
}

func TestAllInUsersOrder(t *testing.T) {
	c, err := New(nil, testOpt)
	if err != nil {
		t.Fatal(err)
	}
	rs, err := c.All(testEssay("Jane Doe", published))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rs {
		got = append(got, r.Label)
		if r.Entry.Text == "" || r.InText.Text == "" {
			t.Errorf("%s: empty rendering %+v", r.Style, r)
		}
	}
	want := []string{"APA", "MLA", "Harvard", "Vancouver", "Chicago (author-date)", "Chicago (notes)", "IEEE"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("labels %v, want %v", got, want)
	}
}

const tinyStyle = `<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0">
  <info><title>%s</title><id>%s</id><updated>2026-01-01T00:00:00+00:00</updated></info>
  <citation><layout><text variable="title"/></layout></citation>
  <bibliography><layout><text variable="title" font-style="italic"/></layout></bibliography>
</style>`

// TestLoadedStylesOrder loads a style that replaces the built-in APA and
// one of its own: APA stays the first tab, the new style comes last.
func TestLoadedStylesOrder(t *testing.T) {
	set, err := styles.NewSet()
	if err != nil {
		t.Fatal(err)
	}
	err = set.LoadFS(fstest.MapFS{
		"apa.csl":      {Data: []byte(fmt.Sprintf(tinyStyle, "Local APA", "local/apa"))},
		"aaa-tiny.csl": {Data: []byte(fmt.Sprintf(tinyStyle, "Aaa Tiny", "local/tiny"))},
	})
	if err != nil {
		t.Fatal(err)
	}
	c, err := New(set, testOpt)
	if err != nil {
		t.Fatal(err)
	}
	rs, err := c.All(testEssay("Jane Doe", published))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rs {
		got = append(got, r.Style)
	}
	want := []string{"apa", "mla", "harvard", "vancouver", "chicago-author-date", "chicago-notes-bibliography", "ieee", "aaa-tiny"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("styles %v, want %v", got, want)
	}
	if r := rs[0]; r.Label != "APA" || r.Title != "Local APA" || r.Entry.HTML != "<i>Soviet Foreign Policy, 1917–1941</i>" {
		t.Errorf("replaced APA: %+v", r)
	}
	if r := rs[7]; r.Label != "Aaa Tiny" || r.InText.Text != "Soviet Foreign Policy, 1917–1941" {
		t.Errorf("loaded style: %+v", r)
	}
}
