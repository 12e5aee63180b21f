// Package styles holds ibid's own CSL locales (and, later, its built-in
// styles), written for the project and embedded in the binary.
package styles

import (
	"embed"
	"fmt"
	"sync"

	"github.com/ibid-dev/ibid/csl"
)

//go:embed locales-*.xml
var files embed.FS

var (
	once    sync.Once
	locales csl.LocaleMap
	loadErr error
)

// Locales returns the built-in locales (en-US and en-GB), parsed once.
func Locales() (csl.LocaleMap, error) {
	once.Do(func() {
		locales = csl.LocaleMap{}
		names, err := files.ReadDir(".")
		if err != nil {
			loadErr = err
			return
		}
		for _, e := range names {
			data, err := files.ReadFile(e.Name())
			if err != nil {
				loadErr = err
				return
			}
			if err := locales.Add(data); err != nil {
				loadErr = fmt.Errorf("built-in locale %s: %w", e.Name(), err)
				return
			}
		}
	})
	return locales, loadErr
}
