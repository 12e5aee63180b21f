package extract

import (
	"bytes"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	xunicode "golang.org/x/text/encoding/unicode"

	"github.com/ibid-dev/ibid"
)

func parseText(data []byte, _ Options) (*ibid.Document, error) {
	s, err := decodeText(data)
	if err != nil {
		return nil, err
	}
	doc := &ibid.Document{}
	doc.Blocks = stripBoilerplate(doc, textBlocks(s, false))
	return doc, nil
}

// errBinary returns a fresh error each time: callers may wrap or change it.
func errBinary() error { return ibid.Errorf(ibid.EINVALID, "binary data, not text") }

// decodeText turns the bytes of a text file into a string with "\n" line
// ends: UTF-8 (BOM stripped), UTF-16 when a BOM says so, and otherwise
// Windows-1252, the encoding of most old non-UTF-8 essays. Files with NUL
// bytes or many control characters are refused as binary.
func decodeText(data []byte) (string, error) {
	var s string
	switch {
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}), bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		// UTF-16 text is full of NUL bytes, so it must be recognised
		// before the binary test; Windows Notepad writes it with a BOM.
		out, err := xunicode.UTF16(xunicode.LittleEndian, xunicode.ExpectBOM).NewDecoder().Bytes(data)
		if err != nil {
			return "", errBinary()
		}
		s = string(out)
	case bytes.IndexByte(data, 0) >= 0:
		return "", errBinary()
	case utf8.Valid(data):
		s = string(bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF")))
	default:
		out, err := charmap.Windows1252.NewDecoder().Bytes(data)
		if err != nil {
			return "", errBinary()
		}
		s = string(out)
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	if binaryLike(s) {
		return "", errBinary()
	}
	return s, nil
}

// binaryLike reports whether more than one rune in twenty is a control
// character or a replacement character: text has almost none, while
// random bytes decoded as Windows-1252 have about one in eight.
func binaryLike(s string) bool {
	bad, total := 0, 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			// ASCII, nearly all of most files, by table
			total++
			bad += int(asciiBinary[c])
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		total++
		switch {
		case r == utf8.RuneError, r >= 0x80 && r < 0xA0:
			bad++
		}
	}
	return bad > 0 && bad*20 > total
}

// asciiBinary is 1 for the ASCII bytes binaryLike counts as bad: controls
// other than line feed, tab, form feed and vertical tab, and DEL.
var asciiBinary = func() (t [utf8.RuneSelf]uint8) {
	for c := range 0x20 {
		t[c] = 1
	}
	t['\n'], t['\t'], t['\f'], t['\v'] = 0, 0, 0, 0
	t[0x7F] = 1
	return t
}()

// textBlocks rebuilds the structure of plain text: paragraphs are separated
// by blank lines, a paragraph of "•", "-" or "1." lines is a list, ">" lines
// are quotes, and a short title-like one-line paragraph is a heading. With
// pdf set, it also undoes hyphenation at line ends, drops page numbers and
// continues paragraphs across page breaks ("\f").
func textBlocks(s string, pdf bool) []ibid.Block {
	var compounds map[string]bool
	if pdf {
		compounds = lineCompounds(s)
		s = joinPages(s)
	} else {
		s = strings.ReplaceAll(s, "\f", "\n\n")
	}
	// Text a browser saves or copies from a page is not wrapped: each
	// paragraph, heading, menu entry and list item is one line, and lines
	// that no blank line separates are still separate blocks.
	unwrapped := !pdf && longLine(s, 200)
	var blocks []ibid.Block
	var group []string
	flush := func() {
		switch {
		case len(group) == 0:
			return
		case !pdf && len(group) > 1 && underline(group[len(group)-1]) != 0:
			// A heading underlined in the manner of Markdown's setext
			// and reStructuredText: "=" for the title, "-" and "~" below.
			lvl := map[rune]int{'=': 0, '-': 1, '~': 2}[underline(group[len(group)-1])]
			blocks = append(blocks, ibid.Block{Type: ibid.Heading, Level: lvl, Text: joinLines(group[:len(group)-1], false, nil)})
		case unwrapped && len(group) > 1:
			blocks = append(blocks, lineBlocks(group, true)...)
		case len(blocks) < 8 && len(group) > 1 && (!pdf || len(group) <= 4) && anyMetaLine(group):
			// The lines under a title (author, meta line, breadcrumb)
			// are read one by one for the metadata they carry.
			blocks = append(blocks, lineBlocks(group, false)...)
		default:
			blocks = append(blocks, groupBlocks(group, pdf, compounds)...)
		}
		group = group[:0]
	}
	lines := strings.Split(s, "\n")
	blank := func(i int) bool { return i < 0 || i >= len(lines) || strings.TrimSpace(lines[i]) == "" }
	for i, line := range lines {
		// A page number stands alone; a number that a justified line
		// wrapped onto a line of its own ("signed in May / 1814 / after")
		// is text.
		if blank(i) || pdf && pageNumber(line) && blank(i-1) && blank(i+1) {
			flush()
			continue
		}
		group = append(group, line)
	}
	flush()
	return tidyTextBlocks(blocks)
}

// underline returns the character a line of at least three "=", "-" or
// "~" repeats, or 0.
func underline(line string) rune {
	t := strings.TrimSpace(line)
	if len(t) < 3 {
		return 0
	}
	c := rune(t[0])
	if c != '=' && c != '-' && c != '~' || strings.Trim(t, string(c)) != "" {
		return 0
	}
	return c
}

// anyMetaLine reports whether one of lines is a byline, meta line or
// breadcrumb.
func anyMetaLine(lines []string) bool {
	for _, l := range lines {
		if metaLine(l) || breadcrumb(l) {
			return true
		}
	}
	return false
}

// longLine reports whether s has a line of more than n runes.
func longLine(s string, n int) bool {
	for line := range strings.SplitSeq(s, "\n") {
		if len(line) > n && utf8.RuneCountInString(line) > n {
			return true
		}
	}
	return false
}

// lineBlocks turns lines that stand together into one block each:
// title-like lines are headings, and, with lists set, two or more plain
// lines in a row are the items of a list (a browser's text of <li>
// elements has no markers).
func lineBlocks(lines []string, lists bool) []ibid.Block {
	var out []ibid.Block
	var run []string
	flushRun := func() {
		switch {
		case len(run) == 0:
		case len(run) == 1 || !lists:
			for _, r := range run {
				out = append(out, ibid.Block{Type: ibid.Paragraph, Text: r})
			}
		default:
			out = append(out, ibid.Block{Type: ibid.List, Items: append([]string(nil), run...)})
		}
		run = run[:0]
	}
	for _, line := range lines {
		t := strings.TrimSpace(line)
		if q, ok := quoteLine(t); ok {
			flushRun()
			out = append(out, ibid.Block{Type: ibid.Quote, Text: q})
			continue
		}
		if item, ordered, ok := listItem(t); ok {
			flushRun()
			out = append(out, ibid.Block{Type: ibid.List, Ordered: ordered, Items: []string{item}})
			continue
		}
		if titleLike(t) {
			flushRun()
			out = append(out, ibid.Block{Type: ibid.Heading, Level: headingLevel(t), Text: t})
			continue
		}
		run = append(run, t)
	}
	flushRun()
	return out
}

// joinPages replaces the form feeds pdftotext writes between pages: a
// paragraph that runs on to the next page is joined, other page breaks
// become blank lines.
func joinPages(s string) string {
	var b strings.Builder
	prev := "" // the last line written, of the page before
	prevShort := false
	for p := range strings.SplitSeq(s, "\f") {
		lines := strings.Split(strings.Trim(p, "\n"), "\n")
		// Page numbers at the top or bottom would split the paragraph.
		for len(lines) > 0 && (pageNumber(lines[0]) || strings.TrimSpace(lines[0]) == "") {
			lines = lines[1:]
		}
		for len(lines) > 0 && (pageNumber(lines[len(lines)-1]) || strings.TrimSpace(lines[len(lines)-1]) == "") {
			lines = lines[:len(lines)-1]
		}
		if len(lines) == 0 {
			continue
		}
		if prev != "" {
			// A paragraph runs on when the page ended mid-sentence (and
			// not on a heading, which has no full stop either), or when the
			// next page goes on in lower case.
			r, _ := utf8.DecodeRuneInString(strings.TrimSpace(lines[0]))
			if !endsSentence(prev) && (unicode.IsLower(r) || !prevShort) {
				b.WriteString("\n")
			} else {
				b.WriteString("\n\n")
			}
		}
		for i, l := range lines {
			if i > 0 {
				b.WriteByte('\n')
			}
			b.WriteString(l)
		}
		prev = strings.TrimSpace(lines[len(lines)-1])
		// The last block of the page: a heading stands alone, after a
		// blank line, and is short.
		prevShort = len(lines) < 2 || strings.TrimSpace(lines[len(lines)-2]) == "" && titleLike(prev)
	}
	return b.String()
}

func endsSentence(s string) bool {
	s = strings.TrimRight(s, `"'”’)]`)
	r, _ := utf8.DecodeLastRuneInString(s)
	return strings.ContainsRune(".!?:;…", r)
}

// pageNumber reports whether a line is only a page number: "12", "- 12 -",
// "Page 12", "12 of 30", "12 / 30".
func pageNumber(line string) bool {
	f := strings.Fields(strings.ToLower(line))
	var digits bool
	for _, w := range f {
		w = strings.Trim(w, "-–—|.")
		if a, b, ok := strings.Cut(w, "/"); ok && a != "" && b != "" && strings.Trim(a+b, "0123456789") == "" {
			w = a // "3/10"
		}
		switch {
		case w == "" || w == "page" || w == "of" || w == "p" || w == "/":
		case strings.Trim(w, "0123456789") == "":
			digits = true
		default:
			return false
		}
	}
	return digits && len(f) <= 4
}

// groupBlocks turns one paragraph's lines into blocks: list items start at
// marker lines and take the plain lines after them as continuations, ">"
// lines form quotes, and plain lines before any marker form a paragraph.
func groupBlocks(lines []string, pdf bool, compounds map[string]bool) []ibid.Block {
	var out []ibid.Block
	var cur *ibid.Block
	var parts []string // the lines of cur's text or its last list item
	flush := func() {
		if cur == nil {
			return
		}
		t := joinLines(parts, pdf, compounds)
		if cur.Type == ibid.List {
			cur.Items = append(cur.Items, t)
		} else {
			cur.Text = t
		}
		out = append(out, *cur)
		cur, parts = nil, nil
	}
	for _, line := range lines {
		trimmed := strings.TrimSpace(line)
		if q, ok := quoteLine(trimmed); ok {
			if cur == nil || cur.Type != ibid.Quote {
				flush()
				cur = &ibid.Block{Type: ibid.Quote}
			}
			parts = append(parts, q)
			continue
		}
		// In a PDF a wrapped line can begin with a number and a full stop
		// ("leaves / 13. She sends 13"): within a paragraph whose line
		// runs on, that is not an item.
		runsOn := pdf && cur != nil && cur.Type == ibid.Paragraph && len(parts) > 0 && !endsSentence(parts[len(parts)-1])
		if item, ordered, ok := listItem(trimmed); ok && !runsOn {
			if cur != nil && cur.Type == ibid.List && cur.Ordered == ordered {
				cur.Items = append(cur.Items, joinLines(parts, pdf, compounds))
				parts = nil
			} else {
				flush()
				cur = &ibid.Block{Type: ibid.List, Ordered: ordered}
			}
			parts = append(parts, item)
			continue
		}
		if cur == nil {
			cur = &ibid.Block{Type: ibid.Paragraph}
		}
		parts = append(parts, trimmed)
	}
	flush()
	if len(lines) == 1 && len(out) == 1 && (out[0].Type == ibid.Paragraph || out[0].Type == ibid.List && out[0].Ordered) {
		// A lone numbered line such as "1. Introduction" is a heading
		// too; tidyTextBlocks turns it back into an item when it sits
		// among numbered items.
		if t := strings.TrimSpace(lines[0]); titleLike(t) {
			out[0] = ibid.Block{Type: ibid.Heading, Level: headingLevel(t), Text: t}
		}
	}
	return out
}

// joinLines joins wrapped lines with spaces; for PDF text a word broken at
// a line end ("exam-" + "ple") is mended when the next line goes on in
// lower case, and kept hyphenated ("Franco-" + "Prussian") otherwise. A
// compound the document also prints whole on one line ("long-term") keeps
// its hyphen.
func joinLines(lines []string, pdf bool, compounds map[string]bool) string {
	var b []byte
	for i, l := range lines {
		l = strings.TrimSpace(l)
		if i > 0 {
			r, _ := utf8.DecodeRuneInString(l)
			switch {
			case !pdf || !hyphenated(b):
				b = append(b, ' ')
			case unicode.IsLower(r) && !compounds[strings.ToLower(lastWord(b)+leadingWord(l))]:
				b = b[:len(b)-1] // drop the hyphen, in place: no copy per line
			}
		}
		b = append(b, l...)
	}
	return string(b)
}

// lastWord returns the letters b ends with, and the hyphen after them.
func lastWord(b []byte) string {
	i := len(b) - 1 // the hyphen
	for i > 0 {
		r, n := utf8.DecodeLastRune(b[:i])
		if !unicode.IsLetter(r) {
			break
		}
		i -= n
	}
	return string(b[i:])
}

// lineCompounds collects the hyphenated words ("long-term") printed whole
// within a line of s, lower-cased.
func lineCompounds(s string) map[string]bool {
	m := map[string]bool{}
	for line := range strings.SplitSeq(s, "\n") {
		for _, w := range strings.Fields(line) {
			w = strings.TrimFunc(w, func(r rune) bool { return !unicode.IsLetter(r) })
			if i := strings.IndexByte(w, '-'); i > 0 && i < len(w)-1 {
				m[strings.ToLower(w)] = true
			}
		}
	}
	return m
}

// hyphenated reports whether b ends in a letter followed by a hyphen.
func hyphenated(b []byte) bool {
	if len(b) == 0 || b[len(b)-1] != '-' {
		return false
	}
	r, _ := utf8.DecodeLastRune(b[:len(b)-1])
	return unicode.IsLetter(r)
}

func quoteLine(s string) (string, bool) {
	if !strings.HasPrefix(s, ">") {
		return "", false
	}
	return strings.TrimSpace(strings.TrimLeft(s, "> ")), true
}

// listItem recognises list markers: "•", "-", "*", "–" and kin for bullets;
// "1.", "1)", "(1)", "a)" and "(a)" for numbered items. A marker must be
// followed by a space, so "-5 degrees" and "1917." are not items.
func listItem(s string) (item string, ordered bool, ok bool) {
	r, n := utf8.DecodeRuneInString(s)
	switch r {
	case '•', '-', '*', '–', '◦', '▪', '‣', '●', '○', '■', '□', '·':
		if rest, ok := afterSpace(s[n:]); ok {
			return rest, false, true
		}
		return "", false, false
	}
	i := 0
	paren := strings.HasPrefix(s, "(")
	if paren {
		i = 1
	}
	j := i
	for j < len(s) && j-i < 3 && s[j] >= '0' && s[j] <= '9' {
		j++
	}
	if j == i && j < len(s) && s[j] >= 'a' && s[j] <= 'z' {
		j++
		// a single letter needs a parenthesis: "a)" but not "a." ("a. k. a.")
		if j >= len(s) || s[j] != ')' {
			return "", false, false
		}
	}
	if j == i || j >= len(s) {
		return "", false, false
	}
	switch {
	case paren && s[j] == ')':
	case !paren && (s[j] == '.' || s[j] == ')'):
	default:
		return "", false, false
	}
	if rest, ok := afterSpace(s[j+1:]); ok {
		return rest, true, true
	}
	return "", false, false
}

func afterSpace(s string) (string, bool) {
	if s == "" || (s[0] != ' ' && s[0] != '\t' && !strings.HasPrefix(s, "\u00a0")) {
		return "", false
	}
	s = strings.TrimSpace(s)
	return s, s != ""
}

// titleLike reports whether a one-line paragraph reads as a heading: short,
// starting with a capital or a digit, not ending like a sentence or a
// clause, and without a sentence break inside (after an optional "II." or
// "2.1" numbering).
func titleLike(s string) bool {
	n := utf8.RuneCountInString(s)
	if n == 0 || n > 80 || countWords(s, 15) > 14 { // (strings.Fields made a slice per line)
		return false
	}
	first, _ := utf8.DecodeRuneInString(s)
	if !unicode.IsUpper(first) && !unicode.IsDigit(first) {
		return false
	}
	last, _ := utf8.DecodeLastRuneInString(s)
	if strings.ContainsRune(".,;:", last) {
		return false
	}
	letters := 0
	for _, r := range s {
		if unicode.IsLetter(r) {
			letters++
		}
	}
	if letters == 0 {
		return false
	}
	rest := s
	if num, after, ok := strings.Cut(s, " "); ok && numbering(num) {
		rest = after
	}
	return !strings.Contains(rest, ". ")
}

// numbering reports whether w is a section number: "2", "2.", "2.1",
// "2.1.", "II.", "A.".
func numbering(w string) bool {
	w = strings.TrimSuffix(w, ".")
	if w == "" {
		return false
	}
	if strings.Trim(w, "0123456789.") == "" {
		return true
	}
	if strings.Trim(w, "IVXLC") == "" {
		return true
	}
	return len(w) == 1 && w[0] >= 'A' && w[0] <= 'Z'
}

// headingLevel gives a plain-text heading its level: dotted numbers say how
// deep it is ("2.1 Causes" is level 2); everything else is a section.
func headingLevel(s string) int {
	num, _, _ := strings.Cut(s, " ")
	num = strings.TrimSuffix(num, ".")
	if num != "" && strings.Trim(num, "0123456789.") == "" {
		return min(strings.Count(num, ".")+1, 3)
	}
	return 1
}

// tidyTextBlocks merges lists that blank lines split into pieces, and
// turns a numbered one-line "heading" back into a list item when numbered
// items stand next to it.
func tidyTextBlocks(in []ibid.Block) []ibid.Block {
	isOrdered := func(i int) bool {
		if i < 0 || i >= len(in) {
			return false
		}
		if in[i].Type == ibid.List {
			return in[i].Ordered
		}
		_, ordered, ok := listItem(in[i].Text)
		return in[i].Type == ibid.Heading && ok && ordered
	}
	if len(in) == 0 {
		return nil
	}
	out := make([]ibid.Block, 0, len(in))
	for i, b := range in {
		if b.Type == ibid.Heading && isOrdered(i) && (isOrdered(i-1) || isOrdered(i+1)) {
			item, _, _ := listItem(b.Text)
			b = ibid.Block{Type: ibid.List, Ordered: true, Items: []string{item}}
		}
		if n := len(out); n > 0 && b.Type == ibid.List && out[n-1].Type == ibid.List && out[n-1].Ordered == b.Ordered {
			out[n-1].Items = append(out[n-1].Items, b.Items...)
			continue
		}
		out = append(out, b)
	}
	return out
}
