// Package csl is a processor for the Citation Style Language (CSL 1.0.2),
// written from the specification.
//
// It parses independent and dependent styles and locale files, reads items in
// CSL-JSON, and renders citations and bibliography entries as plain text and
// HTML:
//
//	st, err := csl.ParseStyle(styleXML)        // compiled once, cached by source hash
//	items, err := csl.ParseItems(cslJSON)
//	p, err := st.NewProcessor(items, csl.Options{Locale: "en-GB", Locales: locales})
//	entries, err := p.Bibliography()           // sorted, disambiguated entries
//	cite, err := p.Citation([]csl.Cite{{ID: "doe2020", Locator: "12"}})
//	notes, err := p.Citations(clusters)        // a document's citations in order
//
// A compiled Style is safe for concurrent use; a Processor holds one
// document's state and is not. The package is pure: it reads no files.
// Locales come in through a LocaleStore, for example a LocaleMap built with
// ParseLocale, or the built-in ones of package csl/styles, which also holds
// ibid's own styles.
//
// Errors in styles and items are *ibid.Error values with code ibid.EINVALID
// (or ibid.ETOOLARGE) and a message a user can act on.
package csl

import "fmt"

func errorf(format string, args ...any) error { return fmt.Errorf(format, args...) }
