package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path"
	"strings"
	"sync"

	"github.com/ibid-dev/ibid"
	"github.com/ibid-dev/ibid/cite"
	"github.com/ibid-dev/ibid/csl"
	"github.com/ibid-dev/ibid/csl/styles"
	"github.com/ibid-dev/ibid/pdf"
	"github.com/ibid-dev/ibid/web"
)

func init() {
	register(&command{
		name:    "cite",
		summary: "render CSL-JSON items, or a library essay, in a citation style",
		usage: "--style NAME|FILE.csl --items ITEMS.json [--locale L] [--format text|html] [--mode bibliography|citation] [--each]\n" +
			"       ibid cite [--db D] SLUG --style NAME|FILE.csl [--mode bibliography|citation]",
		run: runCite,
	})
}

// stylesFlag adds --styles, a folder of extra .csl styles and locales.
func stylesFlag(fs *flag.FlagSet, e *env) *string {
	return fs.String("styles", e.getenv("IBID_STYLES"), "folder of more CSL styles (.csl) and locales (locales-*.xml) to offer (or $IBID_STYLES)")
}

// loadStyles returns the built-in styles plus those of dir. Files that do
// not parse are reported on stderr and skipped: one bad style among
// thousands should not stop the server.
func loadStyles(e *env, dir string) (*styles.Set, error) {
	set, err := styles.NewSet()
	if err != nil {
		return nil, err
	}
	if dir == "" {
		return set, nil
	}
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return nil, ibid.Errorf(ibid.EINVALID, "the styles folder %s cannot be read", dir)
	}
	if err := set.LoadFS(os.DirFS(dir)); err != nil {
		for _, line := range strings.Split(err.Error(), "\n") {
			fmt.Fprintf(e.stderr, "ibid: styles: %s\n", line)
		}
	}
	return set, nil
}

// webCiter adapts a Citer to the web server's cite box.
func webCiter(c *cite.Citer) web.Citer {
	return func(ctx context.Context, e *ibid.Essay) ([]web.Citation, error) {
		rs, err := c.All(e)
		out := make([]web.Citation, len(rs))
		for i, r := range rs {
			out[i] = web.Citation{Style: r.Style, Label: r.Label, Title: r.Title, Note: r.Note,
				Text: r.Entry.Text, HTML: r.Entry.HTML, InText: r.InText.Text, InTextHTML: r.InText.HTML}
		}
		return out, err
	}
}

// pdfCiteStyles are the styles of the PDF's cite box.
var pdfCiteStyles = []string{"apa", "mla"}

// pdfCite gives the PDF's cite box its APA and MLA entries. It parses only
// those two styles (all seven cost `ibid export` ~8 ms more), and only when
// first asked: the PDF exporter asks on a goroutine of its own while it lays
// out the essay, and other formats never do.
func (s *site) pdfCite() func(e *ibid.Essay) []pdf.CiteEntry {
	citer := sync.OnceValue(func() *cite.Citer {
		set, err := styles.NewSetOf(pdfCiteStyles...)
		if err != nil {
			return nil // the PDF then prints its plain box
		}
		c, err := cite.New(set, cite.Options{SiteName: s.name, BaseURL: s.baseURL})
		if err != nil {
			return nil
		}
		return c
	})
	return func(e *ibid.Essay) []pdf.CiteEntry {
		c := citer()
		if c == nil {
			return nil
		}
		var out []pdf.CiteEntry
		for _, name := range pdfCiteStyles {
			if r, err := c.Cite(e, name); err == nil && r.Entry.HTML != "" {
				out = append(out, pdf.CiteEntry{Style: r.Label, Text: r.Entry.HTML})
			}
		}
		return out
	}
}

// citeOptions of the cite command.
type citeOptions struct {
	style, items, locale, format, mode string
	each                               bool
}

func runCite(ctx context.Context, e *env, args []string) error {
	c := commands["cite"]
	fs := newFlags(e, c)
	db := dbFlag(fs, e)
	var o citeOptions
	fs.StringVar(&o.style, "style", "apa", "a style name (see --list) or a .csl file")
	fs.StringVar(&o.items, "items", "", "a CSL-JSON file of items (- for standard input)")
	fs.StringVar(&o.locale, "locale", "", "language to render in, e.g. en-GB (default: the style's)")
	fs.StringVar(&o.format, "format", "text", "text or html")
	fs.StringVar(&o.mode, "mode", "bibliography", "bibliography (reference-list entries) or citation (in-text)")
	fs.BoolVar(&o.each, "each", false, "render every item alone, one line per item in input order")
	list := fs.Bool("list", false, "list the styles and exit")
	dir := stylesFlag(fs, e)
	// Only the settings that shape a citation: the page and paper flags of
	// siteFlags mean nothing here.
	siteName := fs.String("site-name", envOr(e, "IBID_SITE_NAME", ibid.DefaultSiteName), "site name in citations of library essays (or $IBID_SITE_NAME)")
	baseURL := fs.String("base-url", e.getenv("IBID_BASE_URL"), "public URL of the site, for the address of library essays (or $IBID_BASE_URL)")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if o.format != "text" && o.format != "html" {
		return usageError{fmt.Sprintf("unknown format %q (choose text or html)", o.format)}
	}
	if o.mode != "bibliography" && o.mode != "citation" {
		return usageError{fmt.Sprintf("unknown mode %q (choose bibliography or citation)", o.mode)}
	}
	set, err := loadStyles(e, *dir)
	if err != nil {
		return err
	}
	if *list {
		for _, s := range set.List() {
			fmt.Fprintf(e.stdout, "%-40s %s\n", s.Name, s.Title)
		}
		return nil
	}
	switch {
	case len(pos) == 1 && o.items == "":
	case len(pos) == 0 && o.items != "":
	default:
		return usageError{"give either --items FILE or one essay slug"}
	}
	st, err := resolveStyle(set, o.style)
	if err != nil {
		return err
	}
	var items []csl.Item
	if o.items != "" {
		if items, err = readItems(e, o.items); err != nil {
			return err
		}
	} else {
		store, err := openExisting(*db)
		if err != nil {
			return err
		}
		defer store.Close()
		essay, err := store.Essay(ctx, pos[0])
		if err != nil {
			return err
		}
		if *baseURL == "" {
			fmt.Fprintln(e.stderr, "ibid: cite: no --base-url (or $IBID_BASE_URL): the citation gives no address")
		}
		it, err := cite.CSLItem(essay, cite.Options{SiteName: *siteName, BaseURL: *baseURL})
		if err != nil {
			return err
		}
		items = []csl.Item{it}
	}
	lines, err := renderCite(st, items, o, csl.Options{Locale: o.locale, Locales: set.Locales()})
	if err != nil {
		return err
	}
	for _, l := range lines {
		fmt.Fprintln(e.stdout, l)
	}
	return nil
}

// resolveStyle finds a style by name in the set or reads a .csl file; a
// dependent style gets its parent from the set.
func resolveStyle(set *styles.Set, name string) (*csl.Style, error) {
	if !strings.HasSuffix(name, ".csl") {
		return set.Style(name)
	}
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, ibid.Errorf(ibid.EINVALID, "cannot read the style %s: %v", name, err)
	}
	st, err := csl.ParseStyle(data)
	if err != nil {
		return nil, err
	}
	if !st.Dependent() {
		return st, nil
	}
	parent, err := set.Style(st.ParentURL)
	if err != nil {
		// The official repository names files after the last part of the id.
		if parent, err = set.Style(path.Base(st.ParentURL)); err != nil {
			return nil, ibid.Errorf(ibid.ENOTFOUND, "the style %s depends on %s, which is not loaded (add its folder with --styles)", name, st.ParentURL)
		}
	}
	return st.WithParent(parent)
}

// maxItemsBytes bounds a CSL-JSON items file.
const maxItemsBytes = 64 << 20

func readItems(e *env, name string) ([]csl.Item, error) {
	var r io.Reader = e.stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return nil, ibid.Errorf(ibid.EINVALID, "cannot read the items %s: %v", name, err)
		}
		defer f.Close()
		r = f
	}
	data, err := io.ReadAll(io.LimitReader(r, maxItemsBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxItemsBytes {
		return nil, ibid.Errorf(ibid.ETOOLARGE, "the items file %s is larger than %d MB", name, maxItemsBytes>>20)
	}
	return csl.ParseItems(data)
}

// renderCite renders items as the lines the command prints: the
// bibliography's entries or one citation of all items, or with o.each every
// item on its own.
func renderCite(st *csl.Style, items []csl.Item, o citeOptions, opt csl.Options) ([]string, error) {
	pick := func(en csl.Entry) string {
		if o.format == "html" {
			return en.HTML
		}
		return en.Text
	}
	one := func(items []csl.Item) ([]string, error) {
		p, err := st.NewProcessor(items, opt)
		if err != nil {
			return nil, err
		}
		if o.mode == "citation" {
			cites := make([]csl.Cite, len(items))
			for i, it := range items {
				cites[i] = csl.Cite{ID: it.ID}
			}
			en, err := p.Citation(cites)
			if err != nil {
				return nil, err
			}
			return []string{oneLine(pick(en))}, nil
		}
		bib, err := p.Bibliography()
		if err != nil {
			return nil, err
		}
		var out []string
		for _, en := range bib {
			out = append(out, oneLine(pick(en)))
		}
		return out, nil
	}
	if !o.each {
		return one(items)
	}
	out := make([]string, 0, len(items))
	for _, it := range items {
		lines, err := one([]csl.Item{it})
		if err != nil {
			return nil, fmt.Errorf("item %s: %w", it.ID, err)
		}
		// One line per item, even when the style prints nothing for it.
		out = append(out, strings.Join(lines, " "))
	}
	return out, nil
}

// oneLine keeps an entry on its line.
func oneLine(s string) string {
	return strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ").Replace(s)
}
