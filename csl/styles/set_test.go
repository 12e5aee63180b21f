package styles

import (
	"testing"
	"testing/fstest"

	"github.com/ibid-dev/ibid"
	"github.com/ibid-dev/ibid/csl"
)

func TestSet(t *testing.T) {
	s, err := NewSet()
	if err != nil {
		t.Fatal(err)
	}
	fsys := fstest.MapFS{
		"extra/house.csl": {Data: []byte(`<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0">
			<info><title>House style</title><id>http://example.org/house</id></info>
			<citation><layout prefix="[" suffix="]"><text variable="title"/></layout></citation></style>`)},
		"dependent/journal.csl": {Data: []byte(`<style xmlns="http://purl.org/net/xbiblio/csl" version="1.0" default-locale="en-GB">
			<info><title>Journal of Tests</title><id>http://example.org/journal</id>
			<link href="http://example.org/house" rel="independent-parent"/></info></style>`)},
		"orphan.csl": {Data: []byte(`<style xmlns="http://purl.org/net/xbiblio/csl" version="1.0"><info><title>Orphan</title><link href="http://example.org/missing" rel="independent-parent"/></info></style>`)},
		"broken.csl": {Data: []byte(`<style`)},
		"notes.txt":  {Data: []byte(`ignored`)},
	}
	if err := s.LoadFS(fsys); err == nil {
		t.Error("a broken style was loaded without an error")
	}
	items, err := csl.ParseItems([]byte(`[{"id":"a","title":"A title"}]`))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"house", "journal", "http://example.org/journal"} {
		st, err := s.Style(name)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		e, err := st.Citation(items, []csl.Cite{{ID: "a"}}, csl.Options{Locales: s.Locales()})
		if err != nil {
			t.Fatal(err)
		}
		if e.Text != "[A title]" {
			t.Errorf("%s: got %q", name, e.Text)
		}
	}
	if _, err := s.Style("orphan"); ibid.ErrorCode(err) != ibid.ENOTFOUND {
		t.Errorf("orphan dependent style: got %v", err)
	}
	if _, err := s.Style("nope"); ibid.ErrorCode(err) != ibid.ENOTFOUND {
		t.Errorf("unknown style: got %v", err)
	}
	list := s.List()
	want := []string{"apa", "mla", "harvard", "vancouver", "chicago-author-date", "chicago-notes-bibliography", "ieee"}
	for i, name := range want {
		if list[i].Name != name || !list[i].Builtin {
			t.Fatalf("List()[%d] = %+v, want built-in %s", i, list[i], name)
		}
	}
	if len(list) != len(want)+3 {
		t.Errorf("List() has %d styles, want %d", len(list), len(want)+3)
	}
}

func TestNewSetOf(t *testing.T) {
	s, err := NewSetOf("apa", "mla")
	if err != nil {
		t.Fatal(err)
	}
	list := s.List()
	if len(list) != 2 || list[0].Name != "apa" || list[1].Name != "mla" {
		t.Errorf("NewSetOf(apa, mla).List() = %+v", list)
	}
	if _, err := s.Style("harvard"); ibid.ErrorCode(err) != ibid.ENOTFOUND {
		t.Errorf("harvard in a set of APA and MLA: %v", err)
	}
	if s.Locales().Locale("en-GB") == nil || s.Locales().Locale("en-US") == nil {
		t.Error("a set of two styles lacks the built-in locales")
	}
	if _, err := NewSetOf("apa", "nope"); err == nil {
		t.Error("NewSetOf of an unknown style gave no error")
	}
}
