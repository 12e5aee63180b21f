package csl

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/ibid-dev/ibid"
)

// Item is one CSL-JSON item: a work to cite.
type Item struct {
	ID    string
	Type  string
	Vars  map[string]string // ordinary and number variables, as text
	Names map[string][]Name // name variables
	Dates map[string]*Date  // date variables
}

// Name is one CSL-JSON name.
type Name struct {
	Family              string `json:"family,omitempty"`
	Given               string `json:"given,omitempty"`
	DroppingParticle    string `json:"dropping-particle,omitempty"`
	NonDroppingParticle string `json:"non-dropping-particle,omitempty"`
	Suffix              string `json:"suffix,omitempty"`
	CommaSuffix         bool   `json:"comma-suffix,omitempty"`
	StaticOrdering      bool   `json:"static-ordering,omitempty"`
	Literal             string `json:"literal,omitempty"`
	ParseNames          bool   `json:"parse-names,omitempty"`
	IsInstitution       bool   `json:"isInstitution,omitempty"`
}

// Date is a CSL-JSON date: one date or a range, with optional season, circa,
// literal and raw forms.
type Date struct {
	Parts   [][3]int // year, month, day; 0 means absent. Two entries for a range.
	Season  string
	Circa   bool
	Literal string
	Raw     string
}

// nameVars, dateVars and numberVars are the CSL 1.0.2 variable kinds.
var dateVars = map[string]bool{
	"accessed": true, "available-date": true, "event-date": true, "issued": true,
	"original-date": true, "submitted": true,
}

var nameVars = map[string]bool{
	"author": true, "chair": true, "collection-editor": true, "compiler": true, "composer": true,
	"container-author": true, "contributor": true, "curator": true, "director": true, "editor": true,
	"editorial-director": true, "executive-producer": true, "guest": true, "host": true, "interviewer": true,
	"illustrator": true, "narrator": true, "organizer": true, "original-author": true, "performer": true,
	"producer": true, "recipient": true, "reviewed-author": true, "script-writer": true,
	"series-creator": true, "translator": true, "editor-translator": true,
}

var numberVars = map[string]bool{
	"chapter-number": true, "citation-number": true, "collection-number": true, "edition": true,
	"first-reference-note-number": true, "issue": true, "locator": true, "number": true,
	"number-of-pages": true, "number-of-volumes": true, "page": true, "page-first": true,
	"part-number": true, "printing-number": true, "section": true, "supplement-number": true,
	"version": true, "volume": true,
}

// maxItems bounds the number of items in one call; maxNames the names in one variable.
const (
	maxItems = 100000
	maxNames = 10000
)

// ParseItems reads a CSL-JSON array of items.
func ParseItems(data []byte) ([]Item, error) {
	var raw []json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, &ibid.Error{Code: ibid.EINVALID, Message: "the items are not a CSL-JSON array", Err: err}
	}
	if len(raw) > maxItems {
		return nil, ibid.Errorf(ibid.ETOOLARGE, "too many items (more than %d)", maxItems)
	}
	items := make([]Item, 0, len(raw))
	for i, r := range raw {
		var it Item
		if err := json.Unmarshal(r, &it); err != nil {
			return nil, &ibid.Error{Code: ibid.EINVALID, Message: fmt.Sprintf("item %d is not a valid CSL-JSON item", i+1), Err: err}
		}
		items = append(items, it)
	}
	return items, nil
}

// UnmarshalJSON reads one CSL-JSON item. Unknown fields are kept as variables;
// values of the wrong kind are ignored rather than rejected, as citation
// managers export many shapes.
func (it *Item) UnmarshalJSON(data []byte) error {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil {
		return err
	}
	it.Vars = map[string]string{}
	it.Names = map[string][]Name{}
	it.Dates = map[string]*Date{}
	for k, v := range m {
		switch {
		case k == "id":
			it.ID = scalarString(v)
		case k == "type":
			it.Type = scalarString(v)
		case nameVars[k]:
			var names []Name
			if err := json.Unmarshal(v, &names); err != nil {
				continue
			}
			if len(names) > maxNames {
				names = names[:maxNames]
			}
			for i := range names {
				names[i] = normalizeName(names[i])
			}
			it.Names[k] = names
		case dateVars[k]:
			if d := parseJSONDate(v); d != nil {
				it.Dates[k] = d
			}
		default:
			if s := scalarString(v); s != "" {
				it.Vars[k] = s
			}
		}
	}
	if it.Type == "" {
		it.Type = "document"
	}
	// Zotero's older field names for the short forms.
	for old, name := range map[string]string{"journalAbbreviation": "container-title-short", "shortTitle": "title-short"} {
		if v := it.Vars[old]; v != "" && it.Vars[name] == "" {
			it.Vars[name] = v
		}
	}
	it.noteFields()
	return nil
}

// noteFields reads variables that citation managers tuck into the note field
// as "name: value" lines (or "{:name: value}"), for variables the item does
// not already have.
func (it *Item) noteFields() {
	note := it.Vars["note"]
	if note == "" {
		return
	}
	var keep []string
	for _, line := range strings.Split(note, "\n") {
		l := strings.TrimSpace(line)
		l = strings.TrimPrefix(l, "{:")
		l = strings.TrimSuffix(l, "}")
		name, val, ok := strings.Cut(l, ":")
		name, val = strings.TrimSpace(name), strings.TrimSpace(val)
		if !ok || name == "" || val == "" || strings.ContainsAny(name, " \t") {
			keep = append(keep, line)
			continue
		}
		switch {
		case name == "type":
			it.Type = val
		case dateVars[name]:
			if it.Dates[name] == nil {
				it.Dates[name] = parseRawDate(val)
			}
		case nameVars[name]:
			fam, giv, _ := strings.Cut(val, "||")
			it.Names[name] = append(it.Names[name], normalizeName(Name{Family: strings.TrimSpace(fam), Given: strings.TrimSpace(giv)}))
		case knownVar(name):
			if it.Vars[name] == "" {
				it.Vars[name] = val
			}
		default:
			keep = append(keep, line)
		}
	}
	if len(keep) == 0 {
		delete(it.Vars, "note")
	} else {
		it.Vars["note"] = strings.Join(keep, "\n")
	}
}

// knownVar reports CSL 1.0.2 ordinary and number variables.
func knownVar(name string) bool {
	if numberVars[name] {
		return true
	}
	switch name {
	case "abstract", "annote", "archive", "archive_collection", "archive_location", "archive-place",
		"authority", "call-number", "citation-key", "citation-label", "collection-title", "container-title",
		"container-title-short", "dimensions", "division", "DOI", "event", "event-title", "event-place",
		"genre", "ISBN", "ISSN", "jurisdiction", "keyword", "language", "license", "medium", "original-publisher",
		"original-publisher-place", "original-title", "part-title", "PMCID", "PMID", "publisher",
		"publisher-place", "references", "reviewed-genre", "reviewed-title", "scale", "source", "status",
		"title", "title-short", "URL", "volume-title", "year-suffix":
		return true
	}
	return false
}

// scalarString turns a JSON string, number or boolean into text.
func scalarString(v json.RawMessage) string {
	var s string
	if json.Unmarshal(v, &s) == nil {
		return s
	}
	var n json.Number
	if json.Unmarshal(v, &n) == nil {
		return n.String()
	}
	var b bool
	if json.Unmarshal(v, &b) == nil {
		return strconv.FormatBool(b)
	}
	return ""
}

// particles recognised at the start of a family name or the end of a given name
// when the item does not separate them.
var particleWords = map[string]bool{
	"van": true, "von": true, "de": true, "der": true, "den": true, "la": true, "le": true,
	"du": true, "da": true, "di": true, "del": true, "della": true, "des": true, "dos": true,
	"das": true, "ten": true, "ter": true, "zu": true, "zur": true, "vom": true, "y": true,
	"van't": true, "d'": true, "l'": true, "al": true, "el": true, "bin": true, "ibn": true,
	"st.": true, "lo": true, "op": true, "'t": true, "in": true, "auf": true,
	"les": true, "il": true, "dela": true, "degli": true, "dei": true, "do": true, "dal": true,
	"dalla": true, "dalle": true, "zum": true, "aus": true, "vander": true,
}

// normalizeName splits particles and suffixes that CSL-JSON producers often
// leave inside the family or given name.
func normalizeName(n Name) Name {
	if n.Literal != "" || n.IsInstitution {
		return n
	}
	if n.Family == "" && n.Given == "" {
		return n
	}
	if n.NonDroppingParticle == "" && strings.TrimSpace(n.Family) != "" && !strings.HasPrefix(n.Family, "\"") {
		// "van der Berg" -> non-dropping-particle "van der", family "Berg".
		fields := strings.Fields(n.Family)
		i := 0
		// Leading lowercase words are particles, as other processors read
		// them: "van der", "v.d.", "de la".
		for i < len(fields)-1 && isLowerStart(strings.TrimLeft(fields[i], "'’")) && !strings.HasSuffix(fields[i], "'") && !strings.HasSuffix(fields[i], "’") {
			i++
		}
		if i > 0 {
			n.NonDroppingParticle = strings.Join(fields[:i], " ")
			n.Family = strings.Join(fields[i:], " ")
		} else if j := strings.IndexAny(fields[0], "-"); len(fields) == 1 && j > 0 && j < len(fields[0])-1 && isLowerStart(fields[0]) && isParticle(fields[0][:j]) {
			// "al-One": a particle joined by a hyphen.
			n.NonDroppingParticle = fields[0][:j+1]
			n.Family = fields[0][j+1:]
		} else if len(fields) == 1 {
			// d'Alembert: an apostrophe-joined particle.
			f := fields[0]
			if j := strings.IndexAny(f, "'’"); j > 0 && j < len(f)-3 && isParticle(f[:j+1]) && isLowerStart(f) {
				sz := len(string([]rune(f[j:])[0]))
				n.NonDroppingParticle = f[:j+sz]
				n.Family = f[j+sz:]
			}
		}
	} else if strings.HasPrefix(n.Family, "\"") && strings.HasSuffix(n.Family, "\"") && len(n.Family) > 1 {
		n.Family = n.Family[1 : len(n.Family)-1]
	}
	if n.Given != "" {
		if n.Suffix == "" {
			// "John, Jr." and "John, !Jr." (the "!" asks for a comma before the suffix).
			if i := strings.Index(n.Given, ","); i >= 0 {
				suf := strings.TrimSpace(n.Given[i+1:])
				if strings.HasPrefix(suf, "!") {
					suf = strings.TrimSpace(suf[1:])
					n.CommaSuffix = true
				}
				n.Suffix = suf
				n.Given = strings.TrimSpace(n.Given[:i])
			}
		}
		if n.DroppingParticle == "" {
			// "Ludwig van" -> dropping particle "van": trailing lowercase
			// words of a given name are particles.
			fields := strings.Fields(n.Given)
			j := len(fields)
			for j > 1 && isLowerStart(fields[j-1]) {
				j--
			}
			if j < len(fields) {
				n.DroppingParticle = strings.Join(fields[j:], " ")
				n.Given = strings.Join(fields[:j], " ")
			}
		}
	}
	return n
}

func isParticle(s string) bool {
	if !isLowerStart(s) {
		return false
	}
	return particleWords[strings.ToLower(s)] || particleWords[strings.ToLower(strings.TrimRight(s, "'’"))+"'"]
}

func isLowerStart(s string) bool {
	for _, r := range s {
		return strings.ToLower(string(r)) == string(r) && strings.ToUpper(string(r)) != string(r)
	}
	return false
}

// parseJSONDate reads a CSL-JSON date object (or, leniently, a bare string).
func parseJSONDate(v json.RawMessage) *Date {
	var obj struct {
		DateParts [][]json.RawMessage `json:"date-parts"`
		Season    json.RawMessage     `json:"season"`
		Circa     json.RawMessage     `json:"circa"`
		Literal   string              `json:"literal"`
		Raw       string              `json:"raw"`
	}
	if err := json.Unmarshal(v, &obj); err != nil {
		var s string
		if json.Unmarshal(v, &s) == nil && s != "" {
			return parseRawDate(s)
		}
		return nil
	}
	d := &Date{Literal: obj.Literal, Raw: obj.Raw}
	if len(obj.Season) > 0 {
		d.Season = scalarString(obj.Season)
	}
	if len(obj.Circa) > 0 {
		c := scalarString(obj.Circa)
		d.Circa = c != "" && c != "false" && c != "0"
	}
	for i, dp := range obj.DateParts {
		if i >= 2 {
			break
		}
		var p [3]int
		for j, x := range dp {
			if j >= 3 {
				break
			}
			s := strings.TrimSpace(scalarString(x))
			n, err := strconv.Atoi(s)
			if err != nil {
				break
			}
			p[j] = n
		}
		if p == ([3]int{}) && i == 0 {
			continue
		}
		d.Parts = append(d.Parts, p)
	}
	if len(d.Parts) == 0 && d.Raw != "" && d.Literal == "" {
		r := parseRawDate(d.Raw)
		r.Season, r.Circa = d.Season, d.Circa
		return r
	}
	if len(d.Parts) == 2 && d.Parts[0] == d.Parts[1] {
		d.Parts = d.Parts[:1]
	}
	if len(d.Parts) == 1 && d.Parts[0] == ([3]int{}) {
		d.Parts = nil
	}
	if len(d.Parts) == 0 && d.Literal == "" {
		// A season without a year says too little to print.
		return nil
	}
	return d
}

var monthNames = []string{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}

// parseRawDate understands ISO dates ("2000-03-15", "2000-03"), ranges joined
// by "/", and English "15 March 2000" / "March 15, 2000". Anything else becomes
// a literal.
func parseRawDate(s string) *Date {
	d := &Date{Raw: s}
	for _, half := range strings.SplitN(s, "/", 2) {
		p, ok := parseOneDate(strings.TrimSpace(half))
		if !ok {
			return &Date{Literal: s}
		}
		d.Parts = append(d.Parts, p)
	}
	if len(d.Parts) == 2 && d.Parts[0] == d.Parts[1] {
		d.Parts = d.Parts[:1]
	}
	return d
}

func parseOneDate(s string) ([3]int, bool) {
	var p [3]int
	if s == "" {
		return p, false
	}
	if f := strings.Split(s, "-"); len(f) <= 3 && allDigits(f) {
		for i, x := range f {
			p[i], _ = strconv.Atoi(x)
		}
		return p, p[0] != 0 || len(f[0]) > 0
	}
	words := strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' || r == '.' })
	for _, w := range words {
		lw := strings.ToLower(w)
		if n, err := strconv.Atoi(w); err == nil {
			if len(w) >= 3 || n > 31 {
				p[0] = n
			} else {
				p[2] = n
			}
			continue
		}
		found := false
		for i, m := range monthNames {
			if len(lw) >= 3 && strings.HasPrefix(lw, m) {
				p[1] = i + 1
				found = true
			}
		}
		if !found {
			return p, false
		}
	}
	return p, p[0] != 0
}

func allDigits(f []string) bool {
	for _, x := range f {
		if x == "" {
			return false
		}
		for _, r := range x {
			if r < '0' || r > '9' {
				return false
			}
		}
	}
	return true
}

// Cite is one item within a citation cluster.
type Cite struct {
	ID       string `json:"id"`
	Locator  string `json:"locator,omitempty"`
	Label    string `json:"label,omitempty"`
	Prefix   string `json:"prefix,omitempty"`
	Suffix   string `json:"suffix,omitempty"`
	Position int    `json:"position,omitempty"` // 0 first, 1 subsequent, 2 ibid, 3 ibid-with-locator
	// SuppressAuthor and AuthorOnly follow citeproc-js's cite flags.
	SuppressAuthor bool `json:"suppress-author,omitempty"`
	AuthorOnly     bool `json:"author-only,omitempty"`
	NearNote       bool `json:"near-note,omitempty"`
	// FirstNote is the note number of the item's first citation, for
	// first-reference-note-number (set by Processor.Citations).
	FirstNote int `json:"-"`
}

// UnmarshalJSON accepts numeric ids and locators.
func (c *Cite) UnmarshalJSON(data []byte) error {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil {
		return err
	}
	c.ID = scalarString(m["id"])
	c.Locator = scalarString(m["locator"])
	// Older data writes the locator type "sub-verbo" as "sub verbo".
	c.Label = strings.ReplaceAll(scalarString(m["label"]), " ", "-")
	c.Prefix = scalarString(m["prefix"])
	c.Suffix = scalarString(m["suffix"])
	if p := scalarString(m["position"]); p != "" {
		c.Position, _ = strconv.Atoi(p)
	}
	c.SuppressAuthor = scalarString(m["suppress-author"]) == "true"
	c.AuthorOnly = scalarString(m["author-only"]) == "true"
	c.NearNote = scalarString(m["near-note"]) == "true"
	return nil
}

// UnmarshalJSON reads a CSL-JSON name leniently: flags may be booleans,
// numbers or strings, and parts may be numbers.
func (n *Name) UnmarshalJSON(data []byte) error {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil {
		// A bare string is a literal name.
		var s string
		if json.Unmarshal(data, &s) == nil {
			n.Literal = s
			return nil
		}
		return err
	}
	flag := func(k string) bool {
		v := scalarString(m[k])
		return v != "" && v != "false" && v != "0"
	}
	n.Family = scalarString(m["family"])
	n.Given = scalarString(m["given"])
	n.DroppingParticle = scalarString(m["dropping-particle"])
	n.NonDroppingParticle = scalarString(m["non-dropping-particle"])
	n.Suffix = scalarString(m["suffix"])
	n.Literal = scalarString(m["literal"])
	n.CommaSuffix = flag("comma-suffix")
	n.StaticOrdering = flag("static-ordering")
	n.ParseNames = flag("parse-names")
	n.IsInstitution = flag("isInstitution")
	return nil
}
