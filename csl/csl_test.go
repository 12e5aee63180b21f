package csl

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/ibid-dev/ibid"
)

// miniLocale is a tiny en-US locale written for these tests, so that they run
// without the official locale files.
const miniLocale = `<?xml version="1.0" encoding="utf-8"?>
<locale xmlns="http://purl.org/net/xbiblio/csl" version="1.0" xml:lang="en-US">
  <style-options punctuation-in-quote="true"/>
  <date form="text">
    <date-part name="month" suffix=" "/>
    <date-part name="day" suffix=", "/>
    <date-part name="year"/>
  </date>
  <terms>
    <term name="and">and</term>
    <term name="et-al">et al.</term>
    <term name="editor" form="short"><single>ed.</single><multiple>eds.</multiple></term>
    <term name="page" form="short"><single>p.</single><multiple>pp.</multiple></term>
    <term name="no date" form="short">n.d.</term>
    <term name="open-quote">“</term>
    <term name="close-quote">”</term>
    <term name="open-inner-quote">‘</term>
    <term name="close-inner-quote">’</term>
    <term name="ordinal">th</term>
    <term name="ordinal-01">st</term>
    <term name="ordinal-02">nd</term>
    <term name="ordinal-03">rd</term>
    <term name="ordinal-11">th</term>
    <term name="ordinal-12">th</term>
    <term name="ordinal-13">th</term>
    <term name="month-01">January</term>
    <term name="month-03">March</term>
    <term name="month-10">October</term>
  </terms>
</locale>`

// miniStyle is an author-date style written for these tests.
const miniStyle = `<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0">
  <info><id>test</id><title>Test</title></info>
  <macro name="author">
    <names variable="author">
      <name name-as-sort-order="first" and="text" delimiter=", " initialize-with=". " et-al-min="4" et-al-use-first="1"/>
      <substitute><names variable="editor"/><text variable="title" font-style="italic"/></substitute>
    </names>
  </macro>
  <macro name="year">
    <choose>
      <if variable="issued"><date variable="issued"><date-part name="year"/></date></if>
      <else><text term="no date" form="short"/></else>
    </choose>
  </macro>
  <citation disambiguate-add-year-suffix="true">
    <layout prefix="(" suffix=")" delimiter="; ">
      <group delimiter=", ">
        <names variable="author"><name form="short" and="text"/><substitute><text variable="title" font-style="italic"/></substitute></names>
        <text macro="year"/>
        <group delimiter=" "><label variable="locator" form="short"/><text variable="locator"/></group>
      </group>
    </layout>
  </citation>
  <bibliography>
    <sort><key macro="author"/><key variable="issued"/></sort>
    <layout suffix=".">
      <group delimiter=". ">
        <text macro="author"/>
        <group prefix="(" suffix=")"><text macro="year"/></group>
        <text variable="title" quotes="true"/>
        <number variable="edition" form="ordinal" suffix=" ed"/>
      </group>
    </layout>
  </bibliography>
</style>`

func miniLocales(t testing.TB) LocaleMap {
	t.Helper()
	m := LocaleMap{}
	if err := m.Add([]byte(miniLocale)); err != nil {
		t.Fatal(err)
	}
	return m
}

func mustItems(t testing.TB, js string) []Item {
	t.Helper()
	items, err := ParseItems([]byte(js))
	if err != nil {
		t.Fatal(err)
	}
	return items
}

func TestBibliographyAndCitation(t *testing.T) {
	st, err := ParseStyle([]byte(miniStyle))
	if err != nil {
		t.Fatal(err)
	}
	items := mustItems(t, `[
	  {"id":"b","type":"book","title":"Second book","author":[{"family":"Smith","given":"Anna Beth"}],"issued":{"date-parts":[[2001]]},"edition":"2"},
	  {"id":"a","type":"book","title":"First \"quoted\" book","author":[{"family":"Smith","given":"Anna Beth"}],"issued":{"date-parts":[[2001]]}},
	  {"id":"c","type":"book","title":"Anonymous work"},
	  {"id":"d","type":"book","title":"Edited","editor":[{"family":"Berg","given":"Jan","non-dropping-particle":"van den"}],"issued":{"raw":"1999-03-04"}}
	]`)
	p, err := st.NewProcessor(items, Options{Locales: miniLocales(t)})
	if err != nil {
		t.Fatal(err)
	}
	bib, err := p.Bibliography()
	if err != nil {
		t.Fatal(err)
	}
	want := []Entry{
		{ID: "c", Text: "Anonymous work. (n.d.).", HTML: "<i>Anonymous work</i>. (n.d.)."},
		{ID: "d", Text: "Berg, J. van den. (1999). “Edited.”", HTML: "Berg, J. van den. (1999). “Edited.”"},
		{ID: "b", Text: "Smith, A. B. (2001a). “Second book.” 2nd ed.", HTML: "Smith, A. B. (2001a). “Second book.” 2nd ed."},
		{ID: "a", Text: "Smith, A. B. (2001b). “First ‘quoted’ book.”", HTML: "Smith, A. B. (2001b). “First ‘quoted’ book.”"},
	}
	if len(bib) != len(want) {
		t.Fatalf("got %d entries, want %d: %+v", len(bib), len(want), bib)
	}
	for i := range want {
		if bib[i] != want[i] {
			t.Errorf("entry %d:\n got  %+v\n want %+v", i, bib[i], want[i])
		}
	}
	cites := []struct {
		cites []Cite
		want  string
	}{
		{[]Cite{{ID: "a", Locator: "12-15"}}, "(Smith, 2001b, pp. 12–15)"},
		{[]Cite{{ID: "b"}, {ID: "c", Locator: "3"}}, "(Smith, 2001a; <i>Anonymous work</i>, n.d., p. 3)"},
		{[]Cite{{ID: "missing"}}, ""},
	}
	for _, c := range cites {
		e, err := p.Citation(c.cites)
		if err != nil {
			t.Fatal(err)
		}
		if e.HTML != c.want {
			t.Errorf("citation %+v: got %q, want %q", c.cites, e.HTML, c.want)
		}
	}
}

func TestParseStyleErrors(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"empty", ``, "empty"},
		{"not xml", `<style`, "well-formed"},
		{"wrong root", `<locale/>`, "<style>"},
		{"bad class", `<style class="x"><citation><layout/></citation></style>`, "class"},
		{"no citation", `<style class="in-text"></style>`, "<citation>"},
		{"undefined macro", `<style class="in-text"><citation><layout><text macro="m"/></layout></citation></style>`, "undefined macro"},
		{"recursive macro", `<style class="in-text"><macro name="m"><text macro="m"/></macro><citation><layout><text macro="m"/></layout></citation></style>`, "calls itself"},
		{"unknown element", `<style class="in-text"><citation><layout><blink/></layout></citation></style>`, "unknown element"},
		{"empty text", `<style class="in-text"><citation><layout><text/></layout></citation></style>`, "<text>"},
		{"macro bomb", macroBomb(40), "too complex"},
		{"bad date part", `<style class="in-text"><citation><layout><date variable="issued"><date-part name="hour"/></date></layout></citation></style>`, "date-part"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseStyle([]byte(tt.src))
			if err == nil {
				t.Fatal("no error")
			}
			var e *ibid.Error
			if !errors.As(err, &e) || e.Code != ibid.EINVALID {
				t.Fatalf("got %v (%T), want an EINVALID *ibid.Error", err, err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not mention %q", err, tt.want)
			}
		})
	}
}

func TestParseStyleCaches(t *testing.T) {
	a, err := ParseStyle([]byte(miniStyle))
	if err != nil {
		t.Fatal(err)
	}
	b, err := ParseStyle([]byte(miniStyle))
	if err != nil {
		t.Fatal(err)
	}
	if a != b {
		t.Error("the same source compiled twice")
	}
}

func TestDependentStyle(t *testing.T) {
	dep, err := ParseStyle([]byte(`<style xmlns="http://purl.org/net/xbiblio/csl" version="1.0" default-locale="en-US">
	  <info><title>Dependent</title><id>dep</id><link href="http://example.org/parent" rel="independent-parent"/></info></style>`))
	if err != nil {
		t.Fatal(err)
	}
	if !dep.Dependent() || dep.ParentURL != "http://example.org/parent" {
		t.Fatalf("dependent style not recognised: %+v", dep)
	}
	if _, err := dep.NewProcessor(nil, Options{}); ibid.ErrorCode(err) != ibid.EINVALID {
		t.Errorf("rendering with an unresolved dependent style: got %v", err)
	}
	parent, err := ParseStyle([]byte(miniStyle))
	if err != nil {
		t.Fatal(err)
	}
	st, err := dep.WithParent(parent)
	if err != nil {
		t.Fatal(err)
	}
	e, err := st.Citation(mustItems(t, `[{"id":"x","title":"T","author":[{"family":"Roe"}]}]`), []Cite{{ID: "x"}}, Options{Locales: miniLocales(t)})
	if err != nil {
		t.Fatal(err)
	}
	if e.Text != "(Roe, n.d.)" {
		t.Errorf("got %q", e.Text)
	}
}

// TestHostileItems feeds items with missing fields, wrong types and very many
// names; rendering must give sensible output and never panic.
func TestHostileItems(t *testing.T) {
	st, err := ParseStyle([]byte(miniStyle))
	if err != nil {
		t.Fatal(err)
	}
	var authors []string
	for i := 0; i < 500; i++ {
		authors = append(authors, fmt.Sprintf(`{"family":"Author%d","given":"Given"}`, i))
	}
	items := mustItems(t, `[
	  {"id":"empty"},
	  {"id":7,"type":"book","title":12,"issued":"not a date","volume":true,"author":"nobody"},
	  {"id":"many","type":"book","title":"Many","author":[`+strings.Join(authors, ",")+`]},
	  {"id":"weird","type":"article","title":"<i>unclosed <b>tags","issued":{"date-parts":[["x"]],"season":"?"},"author":[{"literal":"The Collective"}]}
	]`)
	p, err := st.NewProcessor(items, Options{Locales: miniLocales(t)})
	if err != nil {
		t.Fatal(err)
	}
	bib, err := p.Bibliography()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, e := range bib {
		got[e.ID] = e.Text
	}
	for id, want := range map[string]string{
		"empty": "(n.d.).",
		"7":     "12. (not a date).",
		"many":  "Author0, G. et al. (n.d.). “Many.”",
		"weird": "The Collective. (n.d.). “unclosed tags.”",
	} {
		if got[id] != want {
			t.Errorf("item %s: got %q, want %q", id, got[id], want)
		}
	}
}

func TestParseItemsErrors(t *testing.T) {
	for _, in := range []string{`{}`, `[1,2]`, `not json`} {
		if _, err := ParseItems([]byte(in)); ibid.ErrorCode(err) != ibid.EINVALID {
			t.Errorf("ParseItems(%s): got %v, want EINVALID", in, err)
		}
	}
}

func TestFormatPageRange(t *testing.T) {
	tests := []struct{ in, format, want string }{
		{"321-28", "expanded", "321–328"},
		{"321-328", "minimal", "321–8"},
		{"321-328", "minimal-two", "321–28"},
		{"101-108", "chicago", "101–8"},
		{"1496-1504", "chicago", "1496–1504"},
		{"1496-1504", "chicago-16", "1496–504"},
		{"N110-5", "expanded", "N110-5"},
		{"xxv-xxviii", "", "xxv–xxviii"},
		{"12, 15-17", "", "12, 15–17"},
	}
	for _, tt := range tests {
		if got := formatPageRange(tt.in, tt.format, "–"); got != tt.want {
			t.Errorf("formatPageRange(%q, %q) = %q, want %q", tt.in, tt.format, got, tt.want)
		}
	}
}

func TestInitializeName(t *testing.T) {
	tests := []struct {
		given, with string
		init        bool
		want        string
	}{
		{"John Edward", ". ", true, "J. E."},
		{"Jean-Pierre", ".", true, "J.-P."},
		{"J.R.R.", "", true, "JRR"},
		{"Ph.M.E.", ". ", true, "Ph. M. E."},
		{"John M.E.", "", false, "John ME"},
		{"Guo-ping", "", true, "G"},
	}
	for _, tt := range tests {
		if got := initializeName(tt.given, tt.with, tt.init, true); got != tt.want {
			t.Errorf("initializeName(%q, %q, %v) = %q, want %q", tt.given, tt.with, tt.init, got, tt.want)
		}
	}
}

func ExampleStyle_Bibliography() {
	locales := LocaleMap{}
	if err := locales.Add([]byte(miniLocale)); err != nil {
		panic(err)
	}
	st, err := ParseStyle([]byte(miniStyle))
	if err != nil {
		panic(err)
	}
	items, err := ParseItems([]byte(`[{"id":"x","type":"book","title":"On essays",
		"author":[{"family":"Montaigne","given":"Michel","non-dropping-particle":"de"}],
		"issued":{"date-parts":[[1580]]}}]`))
	if err != nil {
		panic(err)
	}
	entries, err := st.Bibliography(items, Options{Locales: locales})
	if err != nil {
		panic(err)
	}
	fmt.Println(entries[0].Text)
	// Output: Montaigne, M. de. (1580). “On essays.”
}

// macroBomb builds a style whose macros each call the next one twice, so that
// its layout expands to 2^depth elements.
func macroBomb(depth int) string {
	var b strings.Builder
	b.WriteString(`<style class="in-text">`)
	for i := 0; i < depth; i++ {
		fmt.Fprintf(&b, `<macro name="m%d"><text macro="m%d"/><text macro="m%d"/></macro>`, i, i+1, i+1)
	}
	fmt.Fprintf(&b, `<macro name="m%d"><text variable="title"/></macro>`, depth)
	b.WriteString(`<citation><layout><text macro="m0"/></layout></citation></style>`)
	return b.String()
}

// TestConcurrentUse renders with one compiled style from several goroutines;
// run with -race to check that a Style shares no mutable state.
func TestConcurrentUse(t *testing.T) {
	st, err := ParseStyle([]byte(miniStyle))
	if err != nil {
		t.Fatal(err)
	}
	items := mustItems(t, `[{"id":"a","type":"book","title":"T","author":[{"family":"Roe","given":"Jo"}],"issued":{"date-parts":[[2001,3,4]]}},
		{"id":"b","type":"book","title":"U","author":[{"family":"Roe","given":"Jo"}],"issued":{"date-parts":[[2001]]}}]`)
	locs := miniLocales(t)
	done := make(chan string, 8)
	for g := 0; g < 8; g++ {
		go func() {
			p, err := st.NewProcessor(items, Options{Locales: locs})
			if err != nil {
				done <- err.Error()
				return
			}
			e, err := p.Citation([]Cite{{ID: "a"}, {ID: "b"}})
			if err != nil {
				done <- err.Error()
				return
			}
			done <- e.Text
		}()
	}
	for g := 0; g < 8; g++ {
		if got := <-done; got != "(Roe, 2001b; Roe, 2001a)" { // suffixes follow bibliography order: 2001 before 2001-03-04
			t.Errorf("goroutine %d: got %q", g, got)
		}
	}
}

// TestTypedQuotes checks quotation marks typed in titles: straight quotes
// become typographic ones, typographic single quotes stay single at the top
// level, and nested quotes alternate, with and without quotes="true" around
// the title. The expected outputs are citeproc-js 1.4.61's for the same input.
func TestTypedQuotes(t *testing.T) {
	const style = `<style xmlns="http://purl.org/net/xbiblio/csl" class="note" version="1.0">
  <info><id>q</id><title>Q</title></info>
  <citation><layout><text variable="title" quotes="%s"/></layout></citation>
</style>`
	cases := []struct{ title, plain, quoted string }{
		{`meaning ‘God willing’ x`, `meaning ‘God willing’ x`, `“meaning ‘God willing’ x”`},
		{`<i>a</i> ‘God willing’ x`, `<i>a</i> ‘God willing’ x`, `“<i>a</i> ‘God willing’ x”`},
		{`<i>a</i> “God willing” x`, `<i>a</i> “God willing” x`, `“<i>a</i> ‘God willing’ x”`},
		{`a “God ‘willing’” x`, `a “God ‘willing’” x`, `“a ‘God “willing”’ x”`},
		{`a ‘God “willing”’ x`, `a ‘God “willing”’ x`, `“a ‘God “willing”’ x”`},
		{`a "God 'willing'" x`, `a “God ‘willing’” x`, `“a ‘God “willing”’ x”`},
		{`Insha’Allah 'God willing'`, `Insha’Allah “God willing”`, `“Insha’Allah ‘God willing’”`},
		{`'"Nested" title'`, `“‘Nested’ title”`, `“‘“Nested” title’”`},
		{`<i>"Tagged"</i> title`, `<i>“Tagged”</i> title`, `“<i>‘Tagged’</i> title”`},
	}
	for _, quotes := range []string{"false", "true"} {
		st, err := ParseStyle([]byte(fmt.Sprintf(style, quotes)))
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cases {
			items := []Item{{ID: "a", Type: "book", Vars: map[string]string{"title": c.title}}}
			e, err := st.Citation(items, []Cite{{ID: "a"}}, Options{Locales: miniLocales(t)})
			if err != nil {
				t.Fatal(err)
			}
			want := c.plain
			if quotes == "true" {
				want = c.quoted
			}
			if e.HTML != want {
				t.Errorf("quotes=%s, title %q: got %q, want %q", quotes, c.title, e.HTML, want)
			}
		}
	}
}

// TestCitationPositions checks the positions Citations gives cites: citations
// in the running text (note 0) and in notes are separate sequences, ibid
// follows the cite before, and a cite without a locator after one with a
// locator is not ibid. The expected outputs are citeproc-js 1.4.61's
// (processCitationCluster) for the same document.
func TestCitationPositions(t *testing.T) {
	st, err := ParseStyle([]byte(`<style xmlns="http://purl.org/net/xbiblio/csl" class="note" version="1.0">
  <info><id>pos</id><title>Positions</title></info>
  <citation><layout delimiter="; ">
    <text variable="title"/>
    <choose>
      <if position="ibid-with-locator"><text value=" ibid-loc"/></if>
      <else-if position="ibid"><text value=" ibid"/></else-if>
      <else-if position="near-note"><text value=" near"/></else-if>
      <else-if position="subsequent"><text value=" subsequent"/></else-if>
      <else><text value=" first"/></else>
    </choose>
    <text variable="locator" prefix=" p"/>
    <text variable="first-reference-note-number" prefix=" n"/>
  </layout></citation>
</style>`))
	if err != nil {
		t.Fatal(err)
	}
	items := mustItems(t, `[{"id":"A","type":"book","title":"A"},{"id":"B","type":"book","title":"B"},{"id":"C","type":"book","title":"C"}]`)
	p, err := st.NewProcessor(items, Options{Locales: miniLocales(t)})
	if err != nil {
		t.Fatal(err)
	}
	clusters := []Cluster{
		{Note: 0, Cites: []Cite{{ID: "A"}}},
		{Note: 1, Cites: []Cite{{ID: "B"}}},
		{Note: 0, Cites: []Cite{{ID: "A"}}},
		{Note: 2, Cites: []Cite{{ID: "B", Locator: "5"}}},
		{Note: 3, Cites: []Cite{{ID: "B", Locator: "5"}, {ID: "B"}}},
		{Note: 4, Cites: []Cite{{ID: "A"}}},
		{Note: 12, Cites: []Cite{{ID: "B"}, {ID: "C"}}},
		{Note: 13, Cites: []Cite{{ID: "B"}}},
		{Note: 13, Cites: []Cite{{ID: "C", Locator: "2"}}},
	}
	want := []string{"A first", "B first", "A ibid", "B ibid-loc p5 n1", "B ibid p5 n1; B near n1", "A first",
		"B subsequent n1; C first", "B near n1", "C near p2 n12"}
	out, err := p.Citations(clusters)
	if err != nil {
		t.Fatal(err)
	}
	for i := range want {
		if out[i].Text != want[i] {
			t.Errorf("citation %d: got %q, want %q", i, out[i].Text, want[i])
		}
	}
}
