package styles

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/ibid-dev/ibid"
	"github.com/ibid-dev/ibid/csl"
)

// A Set is a collection of styles and locales: the built-in ones plus any
// loaded from a directory of .csl and locales-*.xml files (for example a
// checkout of the official CSL repositories). Dependent styles are resolved to
// their independent parent when they are looked up. A Set is safe for
// concurrent use once loaded.
type Set struct {
	styles map[string]*csl.Style // by name: file base name without .csl
	byID   map[string]*csl.Style // by the style's <id>
	titles map[string]string
	// locales holds the locales loaded from files; the built-in ones are
	// parsed when first looked up (builtinLocale).
	locales csl.LocaleMap
}

// StyleInfo describes one style of a Set.
type StyleInfo struct {
	Name      string // what Style accepts: "apa", or a file's base name
	Title     string
	Builtin   bool
	Dependent bool
}

// NewSet returns a Set holding the built-in styles and locales.
func NewSet() (*Set, error) { return NewSetOf(Names()...) }

// NewSetOf returns a Set holding only the named built-in styles, and the
// built-in locales. Each style costs about a millisecond to parse, so a
// caller that renders a few styles (the PDF's cite box: APA and MLA) need
// not pay for all of them on every start of the command line.
func NewSetOf(names ...string) (*Set, error) {
	s := &Set{styles: map[string]*csl.Style{}, byID: map[string]*csl.Style{}, titles: map[string]string{}, locales: csl.LocaleMap{}}
	for _, name := range names {
		st, err := Style(name)
		if err != nil {
			return nil, fmt.Errorf("built-in style %s: %w", name, err)
		}
		s.add(name, st)
	}
	return s, nil
}

func (s *Set) add(name string, st *csl.Style) {
	s.styles[name] = st
	s.titles[name] = st.Title
	if st.ID != "" {
		s.byID[st.ID] = st
	}
}

// LoadFS adds every *.csl style and locales-*.xml locale found in fsys (the
// whole tree). A loaded style whose name matches a built-in one replaces it.
// Files that fail to parse are skipped and reported together in the error;
// the good ones are still added.
func (s *Set) LoadFS(fsys fs.FS) error {
	var errs []error
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		base := path.Base(p)
		switch {
		case strings.HasSuffix(base, ".csl"):
			data, err := fs.ReadFile(fsys, p)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", p, err))
				return nil
			}
			st, err := csl.ParseStyle(data)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", p, err))
				return nil
			}
			s.add(strings.TrimSuffix(base, ".csl"), st)
		case strings.HasPrefix(base, "locales-") && strings.HasSuffix(base, ".xml"):
			data, err := fs.ReadFile(fsys, p)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", p, err))
				return nil
			}
			if err := s.locales.Add(data); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", p, err))
			}
		}
		return nil
	})
	if err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// Style returns a style ready to render by name (file base name or built-in
// name) or by its CSL id; dependent styles come back resolved to their parent.
func (s *Set) Style(name string) (*csl.Style, error) {
	st, ok := s.styles[name]
	if !ok {
		st, ok = s.byID[name]
	}
	if !ok {
		return nil, ibid.Errorf(ibid.ENOTFOUND, "there is no style %q", name)
	}
	if !st.Dependent() {
		return st, nil
	}
	parent, ok := s.byID[st.ParentURL]
	if !ok {
		// Parents are also found by the last part of their id URL, which is
		// the file name in the official repository.
		parent, ok = s.styles[path.Base(st.ParentURL)]
	}
	if !ok {
		return nil, ibid.Errorf(ibid.ENOTFOUND, "the style %q depends on %s, which is not loaded", name, st.ParentURL)
	}
	return st.WithParent(parent)
}

// Locales returns the set's locales, for csl.Options: a locale loaded from a
// file, else the built-in one of that language.
func (s *Set) Locales() csl.LocaleStore { return setLocales{s} }

type setLocales struct{ s *Set }

func (l setLocales) Locale(lang string) *csl.Locale {
	if loc := l.s.locales[lang]; loc != nil {
		return loc
	}
	return builtinLocale(lang)
}

// List describes the styles of the set: the built-in ones first in the order
// users expect (APA, MLA, Harvard, Vancouver, Chicago, IEEE), then the others
// by title.
func (s *Set) List() []StyleInfo {
	order := map[string]int{"apa": 0, "mla": 1, "harvard": 2, "vancouver": 3, "chicago-author-date": 4, "chicago-notes-bibliography": 5, "ieee": 6}
	var out []StyleInfo
	for name, st := range s.styles {
		_, builtin := builtin[name]
		out = append(out, StyleInfo{Name: name, Title: s.titles[name], Builtin: builtin && isBuiltinStyle(st, name), Dependent: st.Dependent()})
	}
	sort.Slice(out, func(i, j int) bool {
		oi, iok := order[out[i].Name]
		oj, jok := order[out[j].Name]
		switch {
		case out[i].Builtin && out[j].Builtin && iok && jok:
			return oi < oj
		case out[i].Builtin != out[j].Builtin:
			return out[i].Builtin
		}
		if out[i].Title != out[j].Title {
			return out[i].Title < out[j].Title
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// isBuiltinStyle reports whether st is still the embedded style of that name
// (a loaded file may have replaced it).
func isBuiltinStyle(st *csl.Style, name string) bool {
	b, err := Style(name)
	return err == nil && b == st
}
