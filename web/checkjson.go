package web

import (
	"bytes"
	"strconv"
	"strings"
	"unicode/utf8"
)

// decodeCheckJSON decodes the usual JSON body of POST /api/check in one
// pass over it. encoding/json scans a value twice (once to find its end or
// check it, once to decode it), and with a document of 25 kB that is a
// part of every check that nothing else runs beside. It accepts only the
// plain form: one object whose keys are checkJSON's names spelled exactly,
// each at most once, with strings (escapes other than surrogate \u pairs),
// true/false, small integers and an array of strings, and nothing after
// it but white space. It reports false for anything else, and the caller
// then decodes with encoding/json, which gives the result or the error
// of before. When it reports true, body is what encoding/json would have
// decoded (TestDecodeCheckJSON and FuzzDecodeCheckJSON hold it to that).
func decodeCheckJSON(data []byte, body *checkJSON) bool {
	d := fastJSON{data: data}
	d.space()
	if !d.byte('{') {
		return false
	}
	var seen uint8
	d.space()
	if d.byte('}') {
		return d.end()
	}
	for {
		d.space()
		key, ok := d.str()
		if !ok {
			return false
		}
		d.space()
		if !d.byte(':') {
			return false
		}
		d.space()
		var bit uint8
		switch key {
		case "text":
			bit = 1
			body.Text, ok = d.str()
		case "exclude_quotes":
			bit = 2
			body.ExcludeQuotes, ok = d.boolean()
		case "exclude_references":
			bit = 4
			body.ExcludeReferences, ok = d.boolean()
		case "min_words":
			bit = 8
			body.MinWords, ok = d.integer()
		case "exclude_sources":
			bit = 16
			body.ExcludeSources, ok = d.strList()
		}
		if bit == 0 || !ok || seen&bit != 0 {
			return false
		}
		seen |= bit
		d.space()
		if d.byte('}') {
			return d.end()
		}
		if !d.byte(',') {
			return false
		}
	}
}

// fastJSON is the reader of decodeCheckJSON.
type fastJSON struct {
	data []byte
	i    int
}

func (d *fastJSON) space() {
	for d.i < len(d.data) {
		switch d.data[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// byte consumes c if it comes next.
func (d *fastJSON) byte(c byte) bool {
	if d.i < len(d.data) && d.data[d.i] == c {
		d.i++
		return true
	}
	return false
}

// end reports whether only white space is left.
func (d *fastJSON) end() bool {
	d.space()
	return d.i == len(d.data)
}

// str reads a string. Control characters, invalid UTF-8 (which
// encoding/json replaces) and surrogate escapes are left to encoding/json.
func (d *fastJSON) str() (string, bool) {
	if !d.byte('"') {
		return "", false
	}
	start := d.i
	escaped := false
	for ; d.i < len(d.data); d.i++ {
		c := d.data[d.i]
		if c == '"' {
			break
		}
		if c < 0x20 {
			return "", false
		}
		if c == '\\' {
			escaped = true
			d.i++ // the escaped byte is never the closing quote
		}
	}
	if d.i >= len(d.data) {
		return "", false
	}
	raw := d.data[start:d.i]
	d.i++
	if !utf8.Valid(raw) {
		return "", false
	}
	if !escaped {
		return string(raw), true
	}
	// A Builder hands its bytes over as the string without a copy.
	var out strings.Builder
	out.Grow(len(raw))
	for len(raw) > 0 {
		k := bytes.IndexByte(raw, '\\')
		if k < 0 {
			out.Write(raw)
			break
		}
		out.Write(raw[:k])
		raw = raw[k:]
		if len(raw) < 2 {
			return "", false
		}
		switch c := raw[1]; c {
		case '"', '\\', '/':
			out.WriteByte(c)
		case 'b':
			out.WriteByte('\b')
		case 'f':
			out.WriteByte('\f')
		case 'n':
			out.WriteByte('\n')
		case 'r':
			out.WriteByte('\r')
		case 't':
			out.WriteByte('\t')
		case 'u':
			if len(raw) < 6 {
				return "", false
			}
			r := rune(0)
			for _, h := range raw[2:6] {
				switch {
				case '0' <= h && h <= '9':
					h -= '0'
				case 'a' <= h && h <= 'f':
					h -= 'a' - 10
				case 'A' <= h && h <= 'F':
					h -= 'A' - 10
				default:
					return "", false
				}
				r = r<<4 | rune(h)
			}
			if 0xD800 <= r && r < 0xE000 {
				return "", false
			}
			out.WriteRune(r)
			raw = raw[6:]
			continue
		default:
			return "", false
		}
		raw = raw[2:]
	}
	return out.String(), true
}

func (d *fastJSON) boolean() (bool, bool) {
	rest := d.data[d.i:]
	switch {
	case len(rest) >= 4 && string(rest[:4]) == "true":
		d.i += 4
		return true, true
	case len(rest) >= 5 && string(rest[:5]) == "false":
		d.i += 5
		return false, true
	}
	return false, false
}

// integer reads -?(0|[1-9][0-9]*) of at most nine digits; fractions,
// exponents and larger numbers are left to encoding/json.
func (d *fastJSON) integer() (int, bool) {
	start := d.i
	d.byte('-')
	digits := d.i
	for d.i < len(d.data) && '0' <= d.data[d.i] && d.data[d.i] <= '9' {
		d.i++
	}
	n := d.i - digits
	if n == 0 || n > 9 || (n > 1 && d.data[digits] == '0') {
		return 0, false
	}
	if d.i < len(d.data) {
		switch d.data[d.i] {
		case '.', 'e', 'E':
			return 0, false
		}
	}
	v, err := strconv.Atoi(string(d.data[start:d.i]))
	return v, err == nil
}

// strList reads an array of strings.
func (d *fastJSON) strList() ([]string, bool) {
	if !d.byte('[') {
		return nil, false
	}
	out := []string{}
	d.space()
	if d.byte(']') {
		return out, true
	}
	for {
		d.space()
		s, ok := d.str()
		if !ok {
			return nil, false
		}
		out = append(out, s)
		d.space()
		if d.byte(']') {
			return out, true
		}
		if !d.byte(',') {
			return nil, false
		}
	}
}
