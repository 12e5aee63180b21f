package csl

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/ibid-dev/ibid"
)

// sharedDir finds ../shared relative to the module root (the directory that
// holds go.mod), where the CSL test suite, styles and locales live outside the
// repository.
func sharedDir(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "..", "shared")
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test directory")
		}
		dir = parent
	}
}

var (
	localesOnce sync.Once
	testLocales LocaleMap
)

// sharedLocales parses every official locale file once.
func sharedLocales(t testing.TB) LocaleMap {
	t.Helper()
	dir := filepath.Join(sharedDir(t), "csl", "locales")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("the CSL locales are not available (%v); they live in ../shared/csl/locales", err)
	}
	localesOnce.Do(func() {
		testLocales = LocaleMap{}
		files, _ := filepath.Glob(filepath.Join(dir, "locales-*.xml"))
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				continue
			}
			if err := testLocales.Add(data); err != nil {
				t.Errorf("%s: %v", filepath.Base(f), err)
			}
		}
	})
	return testLocales
}

type fixture struct {
	name, category string
	mode           string
	style          string
	input          string
	result         string
	citationItems  string
	citations      string
}

var sectionRe = regexp.MustCompile(`(?s)>>=+ ([A-Z-]+) =+>>\n(.*?)\n<<=+ ([A-Z-]+) =+<<`)

func parseFixture(name string, data []byte) fixture {
	fx := fixture{name: name}
	if i := strings.Index(name, "_"); i > 0 {
		fx.category = name[:i]
	}
	for _, m := range sectionRe.FindAllStringSubmatch(string(data), -1) {
		body := m[2]
		switch m[1] {
		case "MODE":
			fx.mode = strings.TrimSpace(body)
		case "CSL":
			fx.style = body
		case "INPUT":
			fx.input = body
		case "RESULT":
			fx.result = body
		case "CITATION-ITEMS":
			fx.citationItems = body
		case "CITATIONS":
			fx.citations = body
		}
	}
	return fx
}

// coreCategories are the fixture groups a one-item cite box needs (citations.md).
var coreCategories = map[string]bool{
	"name": true, "nameattr": true, "date": true, "sort": true, "textcase": true, "locale": true,
	"number": true, "condition": true, "label": true, "punctuation": true, "page": true, "affix": true,
	"plural": true, "decorations": true, "substitute": true, "nameorder": true, "locator": true,
	"group": true, "form": true, "display": true, "variables": true, "etal": true, "quotes": true,
}

// isCore reports whether a fixture belongs to the core set: a core category,
// and no stateful CITATIONS, disambiguation, collapsing or position tests.
func isCore(fx fixture) bool {
	if !coreCategories[fx.category] || fx.citations != "" {
		return false
	}
	for _, s := range []string{"disambiguate", "collapse=", "position="} {
		if strings.Contains(fx.style, s) {
			return false
		}
	}
	return true
}

// runFixture renders a fixture and returns the output in the suite's format.
func runFixture(fx fixture, locales LocaleMap) (string, error) {
	st, err := ParseStyle([]byte(fx.style))
	if err != nil {
		return "", err
	}
	items, err := ParseItems([]byte(fx.input))
	if err != nil {
		return "", err
	}
	if fx.citations != "" {
		return runCitations(st, items, fx, locales)
	}
	p, err := st.NewProcessor(items, Options{Locales: locales})
	if err != nil {
		return "", err
	}
	if fx.mode == "bibliography" {
		return bibliographyHTML(p)
	}
	var clusters []Cluster
	if fx.citationItems != "" {
		var raw [][]Cite
		if err := json.Unmarshal([]byte(fx.citationItems), &raw); err != nil {
			return "", err
		}
		for i, r := range raw {
			clusters = append(clusters, Cluster{Cites: r, Note: i + 1})
		}
	} else {
		// Like citeproc-js's test runner, cite every item in the order of
		// its registry: the bibliography's sort order.
		var all []Cite
		seen := map[string]bool{}
		for _, i := range p.bibOrder {
			if id := p.items[i].ID; !seen[id] {
				seen[id] = true
				all = append(all, Cite{ID: id})
			}
		}
		clusters = []Cluster{{Cites: all, Note: 1}}
	}
	outs, err := p.Citations(clusters)
	if err != nil {
		return "", err
	}
	var lines []string
	for _, e := range outs {
		lines = append(lines, e.HTML)
	}
	return strings.Join(lines, "\n"), nil
}

// disambiguationState describes, per item id, the disambiguation a
// processor gave the item's cites: names added, given names, the
// disambiguate level and the year suffix.
func disambiguationState(p *Processor) map[string]string {
	out := map[string]string{}
	for i, it := range p.items {
		out[it.ID] = fmt.Sprintf("%d/%d/%d/%s", p.addNames[i], p.givenLevel[i], p.disamb[i], p.yearSuffix[i])
	}
	return out
}

func bibliographyHTML(p *Processor) (string, error) {
	entries, err := p.Bibliography()
	if err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString("<div class=\"csl-bib-body\">\n")
	for _, e := range entries {
		b.WriteString("  <div class=\"csl-entry\">" + e.HTML + "</div>\n")
	}
	b.WriteString("</div>")
	return b.String(), nil
}

// runCitations replays a stateful CITATIONS sequence the way a word processor
// plug-in drives a processor: each step adds or replaces one citation and
// lists, with their note numbers, the citations before and after it, which are
// the whole document at that step (a citation listed in neither is deleted).
// Only the items cited so far are known to the processor, numbered in the
// order they are first cited. The last step prints every citation, marking
// with ">>" those that the step created or changed: a new citation, a changed
// text, a moved note (if the style refers back to notes), an item whose
// citation number changed (if the style prints numbers), and, as
// citeproc-js's processCitationCluster returns them, an item whose
// disambiguation changed or, in a note style with disambiguate tests, whose
// count of citations crossed two.
func runCitations(st *Style, items []Item, fx fixture, locales LocaleMap) (string, error) {
	var seq []json.RawMessage
	if err := json.Unmarshal([]byte(fx.citations), &seq); err != nil {
		return "", err
	}
	type citation struct {
		ID    string `json:"citationID"`
		Items []Cite `json:"citationItems"`
		Props struct {
			NoteIndex int `json:"noteIndex"`
		} `json:"properties"`
	}
	byID := map[string]citation{}
	var order []string
	prev := map[string]string{}    // citation id -> output at the previous step
	prevNote := map[string]int{}   // citation id -> note number at the previous step
	prevNum := map[string]int{}    // item id -> citation number at the previous step
	prevDis := map[string]string{} // item id -> its disambiguation at the previous step
	prevCount := map[string]int{}  // item id -> the number of citations that cite it
	var p *Processor
	for step, s := range seq {
		var parts []json.RawMessage
		if err := json.Unmarshal(s, &parts); err != nil || len(parts) < 1 {
			return "", fmt.Errorf("bad CITATIONS entry")
		}
		var c citation
		if err := json.Unmarshal(parts[0], &c); err != nil {
			return "", err
		}
		var pre, post [][]any
		if len(parts) > 1 {
			json.Unmarshal(parts[1], &pre)
		}
		if len(parts) > 2 {
			json.Unmarshal(parts[2], &post)
		}
		order = order[:0]
		listed := func(l [][]any) {
			for _, e := range l {
				id, _ := e[0].(string)
				o, ok := byID[id]
				if !ok {
					continue
				}
				if len(e) > 1 {
					if n, ok := e[1].(float64); ok {
						o.Props.NoteIndex = int(n)
					}
				}
				byID[id] = o
				order = append(order, id)
			}
		}
		listed(pre)
		byID[c.ID] = c
		order = append(order, c.ID)
		listed(post)

		// The items known so far, in the order they are first cited.
		var known []Item
		seen := map[string]bool{}
		var clusters []Cluster
		for _, id := range order {
			o := byID[id]
			for _, ci := range o.Items {
				if !seen[ci.ID] {
					seen[ci.ID] = true
					for _, it := range items {
						if it.ID == ci.ID {
							known = append(known, it)
							break
						}
					}
				}
			}
			clusters = append(clusters, Cluster{Cites: o.Items, Note: o.Props.NoteIndex})
		}
		var err error
		p, err = st.NewProcessor(known, Options{Locales: locales})
		if err != nil {
			return "", err
		}
		outs, err := p.Citations(clusters)
		if err != nil {
			return "", err
		}
		num := map[string]int{}
		for i, it := range p.items {
			num[it.ID] = p.citeNum[i]
		}
		dis := disambiguationState(p)
		count := map[string]int{}
		for _, id := range order {
			for _, ci := range byID[id].Items {
				count[ci.ID]++
			}
		}
		if step == len(seq)-1 {
			if fx.mode == "bibliography" {
				return bibliographyHTML(p)
			}
			// Renumbering matters only to a style that prints numbers.
			// Likewise a moved note matters only to one that refers back
			// to notes.
			numbered := strings.Contains(fx.style, "citation-number")
			backrefs := strings.Contains(fx.style, "first-reference-note-number")
			var lines []string
			for i, id := range order {
				o := byID[id]
				mark := ".."
				changed := id == c.ID || prev[id] != outs[i].HTML ||
					backrefs && prevNote[id] != o.Props.NoteIndex
				for _, ci := range o.Items {
					if numbered && prevNum[ci.ID] != num[ci.ID] {
						changed = true
					}
					// citeproc-js returns every citation of an item whose
					// disambiguation changed, even if its text did not,
					// and in a note style with disambiguate tests every
					// citation of an item now cited more than once (or
					// no longer).
					if _, old := prevDis[ci.ID]; old && prevDis[ci.ID] != dis[ci.ID] {
						changed = true
					}
					if st.disambigCond && st.Class == "note" && prevCount[ci.ID] > 0 && (prevCount[ci.ID] < 2) != (count[ci.ID] < 2) {
						changed = true
					}
				}
				if changed {
					mark = ">>"
				}
				lines = append(lines, fmt.Sprintf("%s[%d] %s", mark, i, outs[i].HTML))
			}
			return strings.Join(lines, "\n"), nil
		}
		prev, prevNote, prevNum, prevDis, prevCount = map[string]string{}, map[string]int{}, num, dis, count
		for i, id := range order {
			prev[id] = outs[i].HTML
			prevNote[id] = byID[id].Props.NoteIndex
		}
	}
	return "", nil
}

var tagSpaceRe = regexp.MustCompile(`>\s+<`)

func normalizeResult(s string) string {
	s = strings.TrimSpace(s)
	s = tagSpaceRe.ReplaceAllString(s, "><")
	return s
}

var only = flag.String("fixture", "", "run only fixtures whose name contains this")

// TestConformance runs the CSL processor test suite from ../shared.
func TestConformance(t *testing.T) {
	dir := filepath.Join(sharedDir(t), "csl", "test-suite", "humans")
	files, _ := filepath.Glob(filepath.Join(dir, "*.txt"))
	if len(files) == 0 {
		t.Skip("the CSL test suite is not available; it lives in ../shared/csl/test-suite/humans")
	}
	locales := sharedLocales(t)
	known := readKnownFailures(t)
	errata := readErrata(t)
	var rawCore, rawAll int // passes against the suite's own expectations
	type tally struct{ pass, fail int }
	cats := map[string]*tally{}
	var corePass, coreTotal, allPass int
	var newFailures, nowPassing []string
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".txt")
		if *only != "" && !strings.Contains(name, *only) {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		fx := parseFixture(name, data)
		got, err := runFixture(fx, locales)
		rawOK := err == nil && normalizeResult(got) == normalizeResult(fx.result)
		if rawOK {
			rawAll++
			if isCore(fx) {
				rawCore++
			}
		}
		if want, ok := errata[name]; ok {
			fx.result = want
		}
		ok := err == nil && normalizeResult(got) == normalizeResult(fx.result)
		if ibid.ErrorCode(err) == ibid.EINTERNAL {
			t.Errorf("%s: internal error (a recovered panic?): %v", name, err)
		}
		if cats[fx.category] == nil {
			cats[fx.category] = &tally{}
		}
		if ok {
			cats[fx.category].pass++
			allPass++
		} else {
			cats[fx.category].fail++
		}
		if isCore(fx) {
			coreTotal++
			if ok {
				corePass++
			}
		}
		_, isKnown := known[name]
		if !ok && (*only != "" || testing.Verbose()) {
			t.Logf("%s: err=%v known=%v core=%v\n%s", name, err, isKnown, isCore(fx), lineDiff(normalizeResult(fx.result), normalizeResult(got)))
		}
		switch {
		case !ok && !isKnown:
			newFailures = append(newFailures, name)
		case ok && isKnown:
			nowPassing = append(nowPassing, name)
		}
	}
	var names []string
	for c := range cats {
		names = append(names, c)
	}
	sort.Strings(names)
	for _, c := range names {
		t.Logf("%-14s %3d passed %3d failed", c, cats[c].pass, cats[c].fail)
	}
	t.Logf("core: %d/%d passed; all: %d/%d passed", corePass, coreTotal, allPass, len(files))
	if len(errata) > 0 {
		t.Logf("(%d fixtures checked against testdata/suite-errata.json; against the suite's own expectations: core %d/%d, all %d/%d)",
			len(errata), rawCore, coreTotal, rawAll, len(files))
	}
	if len(nowPassing) > 0 {
		t.Logf("fixtures in known-failures.txt that now pass (remove them): %s", strings.Join(nowPassing, " "))
	}
	if len(newFailures) > 0 {
		t.Errorf("%d fixtures failed that are not in testdata/known-failures.txt: %s", len(newFailures), strings.Join(newFailures, " "))
	}
}

// readKnownFailures reads testdata/known-failures.txt: one fixture name per
// line followed by its reason; # starts a comment.
// readErrata returns the corrected expected results of the fixtures listed
// in testdata/suite-errata.txt: citeproc-js's own outputs with the shared
// locales (testdata/suite-errata.json, made by suite-errata.js).
func readErrata(t *testing.T) map[string]string {
	list, err := os.ReadFile(filepath.Join("testdata", "suite-errata.txt"))
	if err != nil {
		return nil
	}
	data, err := os.ReadFile(filepath.Join("testdata", "suite-errata.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Results map[string]string `json:"results"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, line := range strings.Split(string(list), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, reason, _ := strings.Cut(line, " ")
		want, ok := doc.Results[name]
		if !ok || strings.TrimSpace(reason) == "" {
			t.Errorf("suite-errata.txt: %s needs a reason and a result in suite-errata.json (run suite-errata.js)", name)
			continue
		}
		out[name] = want
	}
	return out
}

func readKnownFailures(t *testing.T) map[string]string {
	data, err := os.ReadFile(filepath.Join("testdata", "known-failures.txt"))
	if err != nil {
		return map[string]string{}
	}
	out := map[string]string{}
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, reason, _ := strings.Cut(line, " ")
		if strings.TrimSpace(reason) == "" {
			t.Errorf("known-failures.txt: %s has no reason", name)
		}
		out[name] = strings.TrimSpace(reason)
	}
	return out
}

// lineDiff shows the lines of want and got that differ.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	for i := 0; i < len(w) || i < len(g); i++ {
		var x, y string
		if i < len(w) {
			x = w[i]
		}
		if i < len(g) {
			y = g[i]
		}
		if x != y {
			fmt.Fprintf(&b, "  want: %s\n  got:  %s\n", x, y)
		}
	}
	return b.String()
}
