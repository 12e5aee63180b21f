package cite

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"unicode"

	"github.com/ibid-dev/ibid"
)

// The downloads leave out the accessed date: the web server caches each
// download by the essay's content hash, so a date in it would go stale, and
// the reader's reference manager records when they saved the item.

// Exporters returns the citation downloads: BibTeX, RIS and CSL-JSON.
func Exporters(opt Options) []ibid.Exporter {
	return []ibid.Exporter{BibTeX{opt}, RIS{opt}, CSLJSON{opt}}
}

// BibTeX writes an essay as a biblatex @online entry. The site's name goes
// in journaltitle, the one field that both Zotero's BibTeX import (as the
// web page's Website Title) and pandoc's biblatex reader (as the CSL
// container-title) keep: organization became a publisher that Zotero drops
// for web pages, and a howpublished = {\url{…}} beside url made pandoc
// print the address twice ("ibid; https://…. https://…" in APA). The
// essay's topics go in keywords, which Zotero turns into tags.
type BibTeX struct{ Opt Options }

// Format implements ibid.Exporter.
func (BibTeX) Format() (string, string, string) {
	return "bib", "BibTeX", "application/x-bibtex; charset=utf-8"
}

// Export implements ibid.Exporter.
func (x BibTeX) Export(w io.Writer, e *ibid.Essay) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "@online{%s,\n", bibKey(essaySlug(e)))
	field := func(name, value string) {
		if value != "" {
			fmt.Fprintf(bw, "  %s = {%s},\n", name, value)
		}
	}
	var names []string
	for _, n := range Authors(e.Author) {
		names = append(names, bibName(n))
	}
	field("author", strings.Join(names, " and "))
	// The extra braces keep the title's capitals: styles that lowercase
	// titles would otherwise turn "Soviet" into "soviet".
	field("title", "{"+bibEscape(e.Title)+"}")
	field("journaltitle", bibEscape(x.Opt.siteName()))
	if !e.Published.IsZero() {
		field("date", e.Published.Format("2006-01-02"))
		field("year", e.Published.Format("2006"))
	}
	if u := x.Opt.URL(e); u != "" {
		u = bibURL(u)
		field("url", u)
	}
	field("keywords", bibEscape(keywords(e.Topics)))
	field("abstract", bibEscape(Abstract(e, AbstractLimit)))
	bw.WriteString("}\n")
	return bw.Flush()
}

// keywords joins topics with ", ". Zotero splits a keywords field at
// commas and semicolons, so a topic holding one loses it rather than
// coming back as two tags.
func keywords(topics []string) string {
	var kw []string
	for _, t := range topics {
		t = strings.Join(strings.Fields(strings.NewReplacer(",", " ", ";", " ").Replace(t)), " ")
		if t != "" {
			kw = append(kw, t)
		}
	}
	return strings.Join(kw, ", ")
}

// bibName writes a name as "Family, Suffix, Given", the BibTeX form that
// keeps multi-word family names whole.
func bibName(n Name) string {
	fam := bibEscape(n.Family)
	if strings.Contains(n.Family, " ") && !isParticle(n.Family) {
		// A family name of several capitalised words is one group.
		fam = "{" + fam + "}"
	}
	switch {
	case n.Given == "" && n.Suffix == "":
		return fam
	case n.Suffix == "":
		return fam + ", " + bibEscape(n.Given)
	}
	return fam + ", " + bibEscape(n.Suffix) + ", " + bibEscape(n.Given)
}

// bibEscape escapes the characters TeX gives a meaning to, so that any
// title survives: braces and backslashes first among them, since a stray
// brace would end the field.
func bibEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '\\':
			b.WriteString(`\textbackslash{}`)
		case '{', '}', '&', '%', '$', '#', '_':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '~':
			b.WriteString(`\textasciitilde{}`)
		case '^':
			b.WriteString(`\textasciicircum{}`)
		case '\n', '\r', '\t':
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// bibURL percent-encodes the few characters that break a verbatim url
// field: braces, backslashes, spaces and percent signs outside escapes are
// left to the URL's owner, but braces would unbalance the entry.
func bibURL(u string) string {
	return strings.NewReplacer("{", "%7B", "}", "%7D", `\`, "%5C", " ", "%20").Replace(u)
}

// bibKey keeps the characters every BibTeX tool accepts in a key.
func bibKey(s string) string {
	k := strings.Map(func(r rune) rune {
		if r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_' || r == ':') {
			return r
		}
		return -1
	}, s)
	if k == "" {
		return "essay"
	}
	return k
}

// RIS writes an essay as a RIS record of type ELEC (web page), with the
// site's name as T2 (Zotero's Website Title), one KW per topic (a Zotero
// tag each) and the opening sentences as AB.
type RIS struct{ Opt Options }

// Format implements ibid.Exporter.
func (RIS) Format() (string, string, string) {
	return "ris", "RIS", "application/x-research-info-systems; charset=utf-8"
}

// Export implements ibid.Exporter.
func (x RIS) Export(w io.Writer, e *ibid.Essay) error {
	bw := bufio.NewWriter(w)
	// RIS lines are "TAG  - value" ended by CR LF; values are one line.
	tag := func(t, v string) {
		v = strings.Join(strings.Fields(v), " ")
		if v != "" || t == "ER" {
			fmt.Fprintf(bw, "%s  - %s\r\n", t, v)
		}
	}
	tag("TY", "ELEC")
	tag("TI", e.Title)
	for _, n := range Authors(e.Author) {
		name := n.Family
		if n.Given != "" {
			name += ", " + n.Given
		}
		if n.Suffix != "" {
			name += ", " + n.Suffix
		}
		tag("AU", name)
	}
	tag("T2", x.Opt.siteName())
	if !e.Published.IsZero() {
		tag("PY", e.Published.Format("2006"))
		tag("Y1", e.Published.Format("2006/01/02/"))
		tag("DA", e.Published.Format("2006/01/02/"))
	}
	tag("UR", x.Opt.URL(e))
	for _, t := range e.Topics {
		tag("KW", t) // one tag each in Zotero
	}
	tag("AB", Abstract(e, AbstractLimit))
	tag("ER", "")
	return bw.Flush()
}

// CSLJSON writes an essay as a CSL-JSON array holding its item, the format
// citation managers and CSL processors read, with its opening sentences as
// abstract and its topics as keyword.
type CSLJSON struct{ Opt Options }

// Format implements ibid.Exporter.
func (CSLJSON) Format() (string, string, string) {
	return "csl.json", "CSL-JSON", "application/vnd.citationstyles.csl+json"
}

// Export implements ibid.Exporter.
func (x CSLJSON) Export(w io.Writer, e *ibid.Essay) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	it := Item(e, x.Opt, false)
	if a := Abstract(e, AbstractLimit); a != "" {
		it["abstract"] = a
	}
	if len(e.Topics) > 0 {
		it["keyword"] = keywords(e.Topics)
	}
	return enc.Encode([]any{it})
}
