// Package csl is a processor for the Citation Style Language (CSL 1.0.2).
//
// It parses independent and dependent styles and locale files, reads items in
// CSL-JSON, and renders citations and bibliography entries as plain text and
// HTML. A style is compiled once (ParseStyle caches compiled styles by the hash
// of their source) and may then be used from many goroutines.
//
// The package is pure: it reads no files. Locales are handed in through a
// LocaleStore, for example a LocaleMap built with ParseLocale.
package csl

import "fmt"

func errorf(format string, args ...any) error { return fmt.Errorf(format, args...) }
