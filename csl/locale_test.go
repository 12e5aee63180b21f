package csl

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// TestBuiltinLocalesMatchCSL checks that our own en-US and en-GB locales
// (styles/locales-*.xml) give the terms the official styles rely on the
// wording of the CSL locales in ../shared/csl/locales, in every form, singular
// and plural, after the fallbacks a lookup goes through (short to long, en-GB
// to en-US). The terms are those the styles in ../shared/csl/styles name, the
// role and label terms of the variables they print, and the date, ordinal
// and punctuation terms. A style rendered with our locales then prints
// "Autumn 2019", "archival collection" or "ed. by" as it does with the
// official files.
func TestBuiltinLocalesMatchCSL(t *testing.T) {
	dir := filepath.Join(sharedDir(t), "csl", "locales")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("the CSL locales are not available (%v); they live in ../shared/csl/locales", err)
	}
	load := func(dir string) LocaleMap {
		m := LocaleMap{}
		for _, tag := range []string{"en-US", "en-GB"} {
			data, err := os.ReadFile(filepath.Join(dir, "locales-"+tag+".xml"))
			if err != nil {
				t.Fatal(err)
			}
			if err := m.Add(data); err != nil {
				t.Fatalf("%s/%s: %v", dir, tag, err)
			}
		}
		return m
	}
	ours, theirs := load("styles"), load(dir)
	relied := reliedTerms(t, filepath.Join(sharedDir(t), "csl", "styles"))
	st := &Style{}
	forms := []string{"long", "short", "verb", "verb-short", "symbol"}
	for _, tag := range []string{"en-US", "en-GB"} {
		a, b := buildLocale(st, tag, ours), buildLocale(st, tag, theirs)
		names := map[string]bool{}
		for n := range a.merged {
			names[n] = relied[n]
		}
		for n := range b.merged {
			names[n] = relied[n]
		}
		var sorted []string
		for n, ok := range names {
			if ok {
				sorted = append(sorted, n)
			}
		}
		sort.Strings(sorted)
		checked, differ := 0, 0
		for _, name := range sorted {
			for _, form := range forms {
				for _, plural := range []bool{false, true} {
					checked++
					got, want := a.termText(name, form, plural), b.termText(name, form, plural)
					if got != want {
						differ++
						t.Errorf("%s term %q form %s plural=%v: ours %q, CSL %q", tag, name, form, plural, got, want)
					}
				}
			}
		}
		t.Logf("%s: %d term lookups compared, %d differ", tag, checked, differ)
	}
}

var (
	termAttrRe  = regexp.MustCompile(`\bterm="([^"]+)"`)
	varAttrRe   = regexp.MustCompile(`<(?:names|label)\b[^>]*\bvariable="([^"]+)"`)
	locatorTerm = []string{"act", "appendix", "article-locator", "book", "canon", "chapter", "column", "elocation",
		"equation", "figure", "folio", "issue", "line", "note", "opus", "page", "paragraph", "part", "rule",
		"scene", "section", "sub-verbo", "supplement", "table", "timestamp", "title-locator", "verse", "volume"}
)

// reliedTerms lists the terms the styles in dir can print: the terms they
// name, the role and label terms of the variables of their cs:names and
// cs:label, every locator label, and the terms of dates, ordinals and quotes.
func reliedTerms(t *testing.T, dir string) map[string]bool {
	files, _ := filepath.Glob(filepath.Join(dir, "*.csl"))
	if len(files) == 0 {
		t.Skipf("the official CSL styles are not available; they live in %s", dir)
	}
	out := map[string]bool{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range termAttrRe.FindAllStringSubmatch(string(data), -1) {
			out[m[1]] = true
		}
		for _, m := range varAttrRe.FindAllStringSubmatch(string(data), -1) {
			for _, v := range strings.Fields(m[1]) {
				out[v] = true
				if v == "locator" {
					for _, l := range locatorTerm {
						out[l] = true
					}
				}
			}
		}
	}
	for i := 1; i <= 12; i++ {
		out[fmt.Sprintf("month-%02d", i)] = true
	}
	for i := 1; i <= 4; i++ {
		out[fmt.Sprintf("season-%02d", i)] = true
	}
	for i := 0; i <= 99; i++ {
		out[fmt.Sprintf("ordinal-%02d", i)] = true
	}
	for i := 1; i <= 10; i++ {
		out[fmt.Sprintf("long-ordinal-%02d", i)] = true
	}
	for _, n := range []string{"ordinal", "open-quote", "close-quote", "open-inner-quote", "close-inner-quote",
		"page-range-delimiter", "colon", "comma", "semicolon", "and", "et-al", "and others", "ad", "bc",
		"no date", "circa", "in", "retrieved", "accessed", "available at", "from", "editortranslator"} {
		out[n] = true
	}
	return out
}
