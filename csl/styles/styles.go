// Package styles holds ibid's own CSL locales and built-in styles, written for
// the project and embedded in the binary.
package styles

import (
	"embed"
	"fmt"
	"io/fs"
	"sort"
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

var (
	once    sync.Once
	locales csl.LocaleMap
	loadErr error
)

// Locales returns the built-in locales (en-US and en-GB), parsed once.
func Locales() (csl.LocaleMap, error) {
	once.Do(func() {
		locales = csl.LocaleMap{}
		names, err := fs.Glob(files, "locales-*.xml")
		if err != nil {
			loadErr = err
			return
		}
		for _, name := range names {
			data, err := files.ReadFile(name)
			if err != nil {
				loadErr = err
				return
			}
			if err := locales.Add(data); err != nil {
				loadErr = fmt.Errorf("built-in locale %s: %w", name, err)
				return
			}
		}
	})
	return locales, loadErr
}
