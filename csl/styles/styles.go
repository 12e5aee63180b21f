// Package styles holds ibid's own CSL locales and built-in styles, written for
// the project and embedded in the binary.
package styles

import (
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strings"
	"sync"

	"github.com/ibid-dev/ibid"
	"github.com/ibid-dev/ibid/csl"
)

//go:embed locales-*.xml *.csl
var files embed.FS

// builtin maps the names of the built-in styles to their files.
var builtin = map[string]string{
	"apa":                        "apa.csl",
	"chicago-author-date":        "chicago-author-date.csl",
	"chicago-notes-bibliography": "chicago-notes-bibliography.csl",
	"harvard":                    "harvard.csl",
	"vancouver":                  "vancouver.csl",
	"ieee":                       "ieee.csl",
	"mla":                        "mla.csl",
}

// Names lists the built-in styles, sorted.
func Names() []string {
	names := make([]string, 0, len(builtin))
	for n := range builtin {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Style returns a compiled built-in style by name ("harvard").
func Style(name string) (*csl.Style, error) {
	file, ok := builtin[name]
	if !ok {
		return nil, ibid.Errorf(ibid.ENOTFOUND, "there is no built-in style %q", name)
	}
	data, err := files.ReadFile(file)
	if err != nil {
		return nil, err
	}
	return csl.ParseStyle(data)
}

// Locales returns the built-in locales (en-US and en-GB), parsed once.
func Locales() (csl.LocaleMap, error) {
	m := csl.LocaleMap{}
	for lang, l := range builtinLocales() {
		loc, err := l()
		if err != nil {
			return nil, err
		}
		m[lang] = loc
	}
	return m, nil
}

// builtinLocales maps the language of each built-in locale, taken from its
// file name (locales-en-GB.xml), to a function that parses it once; a
// command that renders in American English never parses en-GB.
// TestLocalesParse checks that each file's xml:lang is its name's.
var builtinLocales = sync.OnceValue(func() map[string]func() (*csl.Locale, error) {
	names, _ := fs.Glob(files, "locales-*.xml") // the pattern is valid
	m := make(map[string]func() (*csl.Locale, error), len(names))
	for _, name := range names {
		m[strings.TrimSuffix(strings.TrimPrefix(name, "locales-"), ".xml")] = sync.OnceValues(func() (*csl.Locale, error) {
			data, err := files.ReadFile(name)
			if err != nil {
				return nil, err
			}
			loc, err := csl.ParseLocale(data)
			if err != nil {
				return nil, fmt.Errorf("built-in locale %s: %w", name, err)
			}
			return loc, nil
		})
	}
	return m
})

// builtinLocale returns the built-in locale of lang, or nil if there is
// none (or it failed to parse, which TestLocalesParse rules out).
func builtinLocale(lang string) *csl.Locale {
	l, ok := builtinLocales()[lang]
	if !ok {
		return nil
	}
	loc, _ := l()
	return loc
}
