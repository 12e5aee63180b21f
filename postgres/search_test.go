package postgres

import (
	"fmt"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/ibid-dev/ibid"
)

func TestCapTerms(t *testing.T) {
	var many []string
	for i := range 40 {
		many = append(many, fmt.Sprintf("w%02d", i))
	}
	for _, c := range []struct{ q, want string }{
		{strings.Repeat("a ", 250), "a"},
		{"Peace peace -war -war", "Peace -war"},
		{`"war and peace" peace and war`, `"war and peace" peace and war`},
		{`"war and peace" "war and peace"`, `"war and peace" "war and peace"`}, // phrases are kept whole
		{strings.Join(many, " "), strings.Join(many[:ibid.MaxSearchTerms], " ")},
		{"  ", "  "},
	} {
		if got := capTerms(c.q); got != c.want {
			t.Errorf("capTerms(%.30q) = %q, want %q", c.q, got, c.want)
		}
	}
}

func TestSplitPrefix(t *testing.T) {
	tests := []struct {
		q, rest, last string
	}{
		{"litvin", "", "litvin"},
		{"collective secur", "collective ", "secur"},
		{"collective secur  ", "collective ", "secur"},
		{"revol*", "", "revol"},
		{"Молот", "", "Молот"},
		{"1848", "", "1848"},
		{"ab", "ab", ""},                               // too short to mean a prefix
		{"-revol", "-revol", ""},                       // an exclusion stays whole
		{`"collective secur`, `"collective secur`, ""}, // inside an open phrase
		{`"collective security" hit`, `"collective security" `, "hit"},
		{"cats or dogs", "cats or dogs", ""}, // part of an "or"
		{"cats or", "cats or", ""},
		{"revol:*", "revol:*", ""}, // tsquery syntax is never passed on
		{"rapallo's", "rapallo's", ""},
		{"a'; DROP TABLE essays; --", "a'; DROP TABLE essays; --", ""},
		{"", "", ""},
		{"   ", "   ", ""},
	}
	for _, tt := range tests {
		rest, last := splitPrefix(tt.q)
		if rest != tt.rest || last != tt.last {
			t.Errorf("splitPrefix(%q) = %q, %q; want %q, %q", tt.q, rest, last, tt.rest, tt.last)
		}
	}
}

func TestTsquerySendsUserTextOnlyAsParameters(t *testing.T) {
	for _, q := range []string{"litvin", `x') OR 1=1 --`, "collective secur", "a\x00b", strings.Repeat("é", 2000)} {
		p := dialect.Params()
		sql := tsquery(p, q)
		for _, arg := range p.Args {
			s := arg.(string)
			if s != "" && strings.Contains(sql, s) {
				t.Errorf("tsquery(%q): user text %q inside the SQL %q", q, s, sql)
			}
			if !utf8.ValidString(s) || strings.IndexByte(s, 0) >= 0 || len(s) > maxQueryBytes+2 {
				t.Errorf("tsquery(%q): parameter %q is not acceptable text", q, s)
			}
		}
	}
}

// FuzzSplitPrefix checks what makes the prefix path safe: the word handed to
// to_tsquery is only letters, marks and digits, and nothing of the query is
// lost or invented.
func FuzzSplitPrefix(f *testing.F) {
	for _, s := range []string{"litvin", "cats or dogs", `"open phrase`, "-not", "revol*", "a:* & b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		q = cleanQuery(q)
		rest, last := splitPrefix(q)
		if last == "" {
			if rest != q {
				t.Fatalf("splitPrefix(%q) changed the query to %q", q, rest)
			}
			return
		}
		for _, r := range last {
			if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.IsMark(r) {
				t.Fatalf("splitPrefix(%q): last word %q holds %q", q, last, r)
			}
		}
		// The word and the stars typed after it end the query.
		if strings.TrimRight(strings.TrimRightFunc(q, unicode.IsSpace), "*") != rest+last {
			t.Fatalf("splitPrefix(%q) = %q, %q: not a split of the query", q, rest, last)
		}
	})
}
