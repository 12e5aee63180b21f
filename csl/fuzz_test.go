package csl

import (
	"testing"
)

// FuzzParseStyle compiles arbitrary style sources and, when they compile,
// renders a few items with them. Neither step may panic; compile errors must
// be *ibid.Error values. Seeds live in testdata/fuzz/FuzzParseStyle.
func FuzzParseStyle(f *testing.F) {
	f.Add([]byte(miniStyle))
	f.Add([]byte(`<style class="note"><citation><layout><text variable="title"/></layout></citation></style>`))
	items, err := ParseItems([]byte(`[
	  {"id":"a","type":"book","title":"A <i>title</i>","author":[{"family":"Doe","given":"Jo"},{"literal":"Org"}],"issued":{"date-parts":[[2000,2,3],[2001]]},"page":"1-9","edition":"3"},
	  {"id":"b","type":"article-journal","title":"B","editor":[{"family":"Roe"}],"issued":{"date-parts":[[2000]],"season":2}}
	]`))
	if err != nil {
		f.Fatal(err)
	}
	locales := miniLocales(f)
	f.Fuzz(func(t *testing.T, src []byte) {
		st, err := compile(src)
		if err != nil {
			if st != nil {
				t.Fatal("a style and an error")
			}
			return
		}
		if st.Dependent() {
			return
		}
		p, err := st.NewProcessor(items, Options{Locales: locales})
		if err != nil {
			t.Fatalf("processor: %v", err)
		}
		if _, err := p.Bibliography(); err != nil {
			t.Fatalf("bibliography: %v", err)
		}
		if _, err := p.Citation([]Cite{{ID: "a", Locator: "4"}, {ID: "b"}}); err != nil {
			t.Fatalf("citation: %v", err)
		}
	})
}

// FuzzParseItems reads arbitrary CSL-JSON and renders what it reads with a
// test style: item parsing and the markup in field values must never panic.
// Seeds live in testdata/fuzz/FuzzParseItems.
func FuzzParseItems(f *testing.F) {
	f.Add([]byte(`[{"id":"a","type":"book","title":"A <i>title</i> with \"quotes\"","author":[{"family":"van Berg","given":"Jo, Jr."}],"issued":{"raw":"2000-03/2001"}}]`))
	f.Add([]byte(`[{"id":"q","type":"book","title":"'\"Nested\"' ‘a “b ‘c’” d’ <span class=\"nocase\">\"x\"</span> Insha’Allah"}]`))
	st, err := ParseStyle([]byte(miniStyle))
	if err != nil {
		f.Fatal(err)
	}
	locales := miniLocales(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		items, err := ParseItems(data)
		if err != nil {
			return
		}
		p, err := st.NewProcessor(items, Options{Locales: locales})
		if err != nil {
			t.Fatalf("processor: %v", err)
		}
		if _, err := p.Bibliography(); err != nil {
			t.Fatalf("bibliography: %v", err)
		}
		var cites []Cite
		for _, it := range items {
			cites = append(cites, Cite{ID: it.ID, Locator: "1-2"})
		}
		if _, err := p.Citation(cites); err != nil {
			t.Fatalf("citation: %v", err)
		}
	})
}
