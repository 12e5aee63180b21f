// Package extract turns outside files (plain text, Markdown, HTML, Word .docx
// and PDF) into ibid.Documents: a title, whatever metadata the file carries,
// and the structure of the body as headings, paragraphs, lists and quotes.
//
// It is pure: no storage, no network. Every entry point bounds its work by
// Options, and every failure it reports is an *ibid.Error with the code
// EINVALID or ETOOLARGE and a one-line message a user can act on.
package extract

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/ibid-dev/ibid"
	"github.com/ibid-dev/ibid/text"
)

// Default limits, used where Options leave a field zero.
const (
	DefaultMaxBytes    int64 = 50 << 20
	DefaultMaxUnpacked int64 = 200 << 20
	DefaultMaxXMLDepth       = 256
	// DefaultTimeout bounds the reading of one PDF, the only format whose
	// cost is not bounded by its size alone (content streams can loop).
	DefaultTimeout = 60 * time.Second
	// DefaultMaxWords is the word budget of a document: the library's
	// bound on an essay.
	DefaultMaxWords = ibid.DefaultMaxEssayWords
	// maxZipEntries bounds the central directory of a .docx: real documents
	// have a few dozen parts, archives with millions are an attack.
	maxZipEntries = 10000 // spelt out in the error messages
)

// Options bound the work done on one file. Zero values mean defaults.
type Options struct {
	MaxBytes    int64 // input size limit, default 50 MiB
	MaxUnpacked int64 // total decompressed size for DOCX parts, default 200 MiB (zip bombs)
	MaxXMLDepth int   // default 256
	// Timeout bounds a PDF's extraction, default 60 s. The checker asks for
	// less: its whole request has a deadline, and a reader waiting on a
	// check should hear "too slow" before the server gives up on it.
	Timeout time.Duration
	// MaxWords is the word budget of a document, default DefaultMaxWords,
	// negative for none. PDF and Word documents stop being read once they
	// are over it, so that a small file of millions of words costs no
	// more than one just over the budget; other formats are bounded by
	// their size and counted once parsed. A document over the budget is
	// refused with ETOOLARGE. Words are counted between spaces, with a
	// tenth more (at least 100) allowed, since the title is counted too
	// and callers count words by Unicode rules afterwards: a document at
	// their limit must get through.
	MaxWords int
}

func (o Options) withDefaults() Options {
	if o.MaxBytes <= 0 {
		o.MaxBytes = DefaultMaxBytes
	}
	if o.MaxUnpacked <= 0 {
		o.MaxUnpacked = DefaultMaxUnpacked
	}
	if o.MaxXMLDepth <= 0 {
		o.MaxXMLDepth = DefaultMaxXMLDepth
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.MaxWords == 0 {
		o.MaxWords = DefaultMaxWords
	}
	return o
}

// wordBudget counts the words of a document as it is read.
type wordBudget struct {
	max   int // the budget as the caller gave it; ≤ 0: none
	left  int
	space bool // the last byte seen was a space (or nothing was seen)
}

func newWordBudget(opt Options) *wordBudget {
	return &wordBudget{max: opt.MaxWords, left: opt.MaxWords + max(opt.MaxWords/10, 100), space: true}
}

// add counts the words that start in p: runs of bytes other than ASCII
// spaces. It returns the ETOOLARGE error once the budget is spent.
func (b *wordBudget) add(p string) error {
	if b.max <= 0 {
		return nil
	}
	var n int
	n, b.space = wordStarts(p, b.space)
	if b.left -= n; b.left < 0 {
		return b.err()
	}
	return nil
}

// budgetSpace marks the bytes the word budget counts as spaces, 1 for a
// space.
var budgetSpace = [256]uint8{' ': 1, '\n': 1, '\t': 1, '\r': 1, '\f': 1}

// wordStarts counts the bytes of p that start a run of non-spaces
// (budgetSpace), space saying whether the byte before p was a space, and
// reports whether p's last byte is one (space, when p is empty). It has no
// branch per byte: the budget reads every byte of every text and Markdown
// file twice, and the branchy loop was a tenth of reading plain text.
func wordStarts[S string | []byte](p S, space bool) (int, bool) {
	var prev uint8
	if space {
		prev = 1
	}
	n := 0
	for i := 0; i < len(p); i++ {
		sp := budgetSpace[p[i]]
		n += int(prev &^ sp) // a space before, none here
		prev = sp
	}
	return n, prev == 1
}

// word counts one word (pdftotext's <word> elements).
func (b *wordBudget) word() error {
	if b.max <= 0 {
		return nil
	}
	if b.left--; b.left < 0 {
		return b.err()
	}
	return nil
}

// gap marks a boundary between words that the bytes do not show.
func (b *wordBudget) gap() { b.space = true }

func (b *wordBudget) err() error {
	return ibid.Errorf(ibid.ETOOLARGE, "document is over the limit of %s words", thousands(b.max))
}

// rawWords refuses, before it is parsed, a text, Markdown or HTML file
// whose raw words alone are far over the budget: parsing costs several
// times a file's size, and a file of millions of words would be parsed
// only to be refused. Markup makes words of its own (list markers, link
// targets, and in HTML whatever is left between tags), so the file may
// have twice the budget's words (three times for HTML, whose text outside
// tags is counted) before it is refused here; the exact count comes after
// parsing.
func rawWords(data []byte, format string, opt Options) error {
	if opt.MaxWords <= 0 {
		return nil
	}
	factor := 0
	switch format {
	case "txt", "md":
		factor = 2
	case "html":
		factor = 3
	default:
		return nil
	}
	limit := factor*opt.MaxWords + 100
	var words int
	if format == "html" {
		words = htmlTextWords(data, limit)
	} else {
		// In chunks, so that a file of millions of words stops being
		// counted soon after the limit.
		space := true
		for len(data) > 0 && words <= limit {
			chunk := data[:min(len(data), 64<<10)]
			data = data[len(chunk):]
			var n int
			n, space = wordStarts(chunk, space)
			words += n
		}
	}
	if words > limit {
		return (&wordBudget{max: opt.MaxWords}).err()
	}
	return nil
}

// htmlTextWords counts the words of data outside tags, as rawWords does,
// up to limit+1: a tag is a boundary between words.
func htmlTextWords(data []byte, limit int) int {
	words := 0
	space, inTag := true, false
	for _, c := range data {
		switch {
		case c == '<':
			inTag, space = true, true
			continue
		case c == '>':
			inTag = false
			continue
		case inTag:
			continue
		}
		sp := budgetSpace[c] == 1
		if !sp && space {
			if words++; words > limit {
				return words
			}
		}
		space = sp
	}
	return words
}

// blocks counts the words of parsed blocks.
func (b *wordBudget) blocks(bs []ibid.Block) error {
	for _, bl := range bs {
		b.gap()
		if err := b.add(bl.Text); err != nil {
			return err
		}
		for _, it := range bl.Items {
			b.gap()
			if err := b.add(it); err != nil {
				return err
			}
		}
	}
	return nil
}

// thousands writes n with thousands separators: "100,000".
func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// parser is one format's extractor: it fills the blocks and metadata of a
// document; Read then tidies the result the same way for every format.
type parser func(data []byte, opt Options) (*ibid.Document, error)

var formats = map[string]struct {
	format string
	parse  parser
}{
	".txt":      {"txt", parseText},
	".md":       {"md", parseMarkdown},
	".markdown": {"md", parseMarkdown},
	".html":     {"html", parseHTML},
	".htm":      {"html", parseHTML},
	".docx":     {"docx", parseDOCX},
	".pdf":      {"pdf", parsePDF},
}

// formatOrder is the order in which Formats lists the extensions: by
// format, the usual spelling first.
var formatOrder = []string{".txt", ".md", ".markdown", ".html", ".htm", ".docx", ".pdf"}

// Formats lists the file extensions Read accepts, with the dot.
func Formats() []string {
	return append([]string(nil), formatOrder...)
}

// Supported reports whether Read accepts a file with this name.
func Supported(name string) bool {
	_, ok := formats[strings.ToLower(filepath.Ext(name))]
	return ok
}

// Read extracts the document in data. The format comes from the extension
// of name, whose base also serves as the title of last resort.
func Read(name string, data []byte, opt Options) (*ibid.Document, error) {
	ext := strings.ToLower(filepath.Ext(name))
	f, ok := formats[ext]
	if !ok {
		if ext == "" {
			return nil, ibid.Errorf(ibid.EINVALID, "file %q has no extension (supported: %s)", printable(filepath.Base(name)), strings.Join(Formats(), ", "))
		}
		return nil, ibid.Errorf(ibid.EINVALID, "unsupported file type %s (supported: %s)", printable(ext), strings.Join(Formats(), ", "))
	}
	return run(name, data, opt, f.format, f.parse)
}

// Text extracts a plain-text document.
func Text(name string, data []byte, opt Options) (*ibid.Document, error) {
	return run(name, data, opt, "txt", parseText)
}

// Markdown extracts a Markdown document with optional front matter.
func Markdown(name string, data []byte, opt Options) (*ibid.Document, error) {
	return run(name, data, opt, "md", parseMarkdown)
}

// HTML extracts the main text of an HTML page.
func HTML(name string, data []byte, opt Options) (*ibid.Document, error) {
	return run(name, data, opt, "html", parseHTML)
}

// DOCX extracts a Word (Office Open XML) document.
func DOCX(name string, data []byte, opt Options) (*ibid.Document, error) {
	return run(name, data, opt, "docx", parseDOCX)
}

// PDF extracts the text layer of a PDF file, with pdftotext when it is on
// PATH and a pure-Go reader otherwise.
func PDF(name string, data []byte, opt Options) (*ibid.Document, error) {
	return run(name, data, opt, "pdf", parsePDF)
}

// File reads the file at path and extracts it like Read. Files larger than
// opt.MaxBytes are refused before they are read.
func File(path string, opt Options) (*ibid.Document, error) {
	opt = opt.withDefaults()
	if !Supported(path) {
		// Answer before touching the file: the message does not depend on it.
		return Read(path, nil, opt)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fileError(path, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fileError(path, err)
	}
	if st.IsDir() {
		return nil, ibid.Errorf(ibid.EINVALID, "%s is a directory", printable(filepath.Base(path)))
	}
	if st.Size() > opt.MaxBytes {
		return nil, tooLarge(st.Size(), opt.MaxBytes)
	}
	// Read one byte past the limit so that a file growing under us is
	// still caught.
	data, err := io.ReadAll(io.LimitReader(f, opt.MaxBytes+1))
	if err != nil {
		return nil, fileError(path, err)
	}
	return Read(path, data, opt)
}

func fileError(path string, err error) error {
	if os.IsNotExist(err) {
		return &ibid.Error{Code: ibid.ENOTFOUND, Message: fmt.Sprintf("file %s not found", printable(filepath.Base(path))), Err: err}
	}
	if os.IsPermission(err) {
		return &ibid.Error{Code: ibid.EINVALID, Message: fmt.Sprintf("file %s cannot be read (permission denied)", printable(filepath.Base(path))), Err: err}
	}
	return fmt.Errorf("extract: read %s: %w", path, err)
}

func run(name string, data []byte, opt Options, format string, parse parser) (*ibid.Document, error) {
	opt = opt.withDefaults()
	if int64(len(data)) > opt.MaxBytes {
		return nil, tooLarge(int64(len(data)), opt.MaxBytes)
	}
	// An empty .docx gets the Word-specific message, like any other file
	// that is not a zip archive.
	if len(data) == 0 && format != "docx" {
		return nil, ibid.Errorf(ibid.EINVALID, "empty file")
	}
	if err := rawWords(data, format, opt); err != nil {
		return nil, err
	}
	doc, err := parse(data, opt)
	if err != nil {
		return nil, err
	}
	// PDF and Word count as they read; the others are counted here.
	if err := newWordBudget(opt).blocks(doc.Blocks); err != nil {
		return nil, err
	}
	doc.Format = format
	finish(doc, name)
	if len(doc.Blocks) == 0 {
		return nil, ibid.Errorf(ibid.EINVALID, "no text found")
	}
	return doc, nil
}

// printable makes a string from a file name or a file's bytes fit for a
// one-line message: valid UTF-8, no control characters, at most 120 runes.
func printable(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsPrint(r) {
			return r
		}
		return '?'
	}, strings.ToValidUTF8(s, "?"))
	if utf8.RuneCountInString(s) > 120 {
		s = string([]rune(s)[:120]) + "…"
	}
	return s
}

func tooLarge(size, limit int64) error {
	return ibid.Errorf(ibid.ETOOLARGE, "file is %s; the limit is %s", humanSize(size), humanSize(limit))
}

// humanSize writes a byte count the way people read file sizes: "73.2 MB",
// "50 MB", "12 KB", "300 bytes". MB here are MiB, so that the default
// limit of 50 MiB reads as the round "50 MB" users were told.
func humanSize(n int64) string {
	unit := func(v float64, suffix string) string {
		s := fmt.Sprintf("%.1f", v)
		s = strings.TrimSuffix(s, ".0")
		return s + " " + suffix
	}
	switch {
	case n >= 1<<30:
		return unit(float64(n)/(1<<30), "GB")
	case n >= 1<<20:
		return unit(float64(n)/(1<<20), "MB")
	case n >= 1<<10:
		return unit(float64(n)/(1<<10), "KB")
	case n == 1:
		return "1 byte"
	}
	return fmt.Sprintf("%d bytes", n)
}

// finish tidies a parsed document the same way for every format: inline
// text normalised, empty blocks dropped, the title chosen and removed from
// the body, heading levels shifted so the shallowest becomes 1, metadata
// trimmed.
func finish(doc *ibid.Document, name string) {
	doc.Title = text.Normalize(doc.Title)
	doc.Author = text.Normalize(doc.Author)
	doc.Subject = text.Normalize(doc.Subject)
	doc.License = text.Normalize(doc.License)
	doc.Topics = cleanTopics(doc.Topics)
	doc.Blocks = cleanBlocks(doc.Blocks)

	// Title: metadata first; a heading that repeats it is dropped. Otherwise
	// a leading heading of the top level is the title. The file name is the
	// last resort.
	if doc.Title != "" {
		for i, b := range doc.Blocks {
			if b.Type != ibid.Heading {
				continue
			}
			if sameTitle(b.Text, doc.Title) {
				doc.Blocks = append(doc.Blocks[:i:i], doc.Blocks[i+1:]...)
			}
			break // only the first heading may repeat the title
		}
	} else if len(doc.Blocks) > 0 && doc.Blocks[0].Type == ibid.Heading && doc.Blocks[0].Level == minLevel(doc.Blocks) && !sectionName(doc.Blocks[0].Text) {
		doc.Title = doc.Blocks[0].Text
		doc.Blocks = doc.Blocks[1:]
	}
	if doc.Title == "" {
		doc.Title = titleFromName(name)
	}
	normalizeLevels(doc.Blocks)
}

// sectionName reports whether a heading is a stock section name, which
// opens an essay whose title is elsewhere rather than being its title.
func sectionName(s string) bool {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "introduction", "abstract", "summary", "contents", "table of contents", "preface",
		"foreword", "background", "overview", "executive summary", "acknowledgements", "acknowledgments":
		return true
	}
	return false
}

// sameTitle reports whether a heading repeats a metadata title, allowing
// for case and for a site name appended to an HTML <title> ("Title | Site").
func sameTitle(heading, title string) bool {
	h, t := strings.ToLower(text.Normalize(heading)), strings.ToLower(text.Normalize(title))
	if h == t {
		return true
	}
	for _, sep := range []string{" | ", " - ", " – ", " — ", " · ", " :: "} {
		if strings.HasPrefix(t, h+sep) || strings.HasSuffix(t, sep+h) {
			return true
		}
	}
	return false
}

func cleanBlocks(in []ibid.Block) []ibid.Block {
	out := in[:0]
	for _, b := range in {
		switch b.Type {
		case ibid.List:
			items := b.Items[:0]
			for _, it := range b.Items {
				if it = text.Normalize(it); it != "" && hasVisible(it) {
					items = append(items, it)
				}
			}
			if len(items) == 0 {
				continue
			}
			out = append(out, ibid.Block{Type: ibid.List, Items: items, Ordered: b.Ordered})
		default:
			b.Text = text.Normalize(b.Text)
			b.Items, b.Ordered = nil, false
			if b.Type != ibid.Heading {
				b.Level = 0
			}
			if b.Text == "" || !hasVisible(b.Text) {
				continue
			}
			out = append(out, b)
		}
	}
	return out
}

// hasVisible reports whether s has a rune other than punctuation used as
// decoration (rules of dashes, rows of stars).
func hasVisible(s string) bool {
	for _, r := range s {
		switch r {
		case '-', '–', '—', '_', '*', '=', '~', '#', '.', '•', '·', ' ':
		default:
			return true
		}
	}
	return false
}

// minLevel returns the shallowest heading level in blocks (DOCX's Title
// style is level 0), or 1 when there is no heading.
func minLevel(blocks []ibid.Block) int {
	m, found := 1, false
	for _, b := range blocks {
		if b.Type == ibid.Heading && (!found || b.Level < m) {
			m, found = b.Level, true
		}
	}
	return m
}

// normalizeLevels shifts heading levels so that the shallowest present
// becomes 1, and folds anything deeper than 3 into 3.
func normalizeLevels(blocks []ibid.Block) {
	m := minLevel(blocks)
	for i := range blocks {
		if blocks[i].Type != ibid.Heading {
			continue
		}
		l := blocks[i].Level - m + 1
		blocks[i].Level = min(max(l, 1), 3)
	}
}

func cleanTopics(in []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, t := range in {
		t = strings.Trim(text.Normalize(t), `"'#`)
		t = strings.TrimSpace(t)
		k := strings.ToLower(t)
		if t == "" || seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, t)
	}
	return out
}

// setMeta sets one metadata field of doc by the name PDF's Info dictionary
// gives it; other names are ignored. (PDF's Creator is the program that
// made the file, not a person.)
func setMeta(doc *ibid.Document, key, v string) {
	switch strings.ToLower(key) {
	case "title":
		doc.Title = v
	case "author":
		doc.Author = v
	case "subject":
		doc.Subject = v
	case "keywords":
		doc.Topics = splitList(v)
	case "creationdate":
		doc.Published = parseDate(v)
	}
}

// splitList splits a keywords field on commas and semicolons.
func splitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' })
}

// titleFromName turns a file name into words: "soviet-policy_1917.txt"
// becomes "Soviet policy 1917".
func titleFromName(name string) string {
	base := filepath.Base(strings.ReplaceAll(name, `\`, "/"))
	base = strings.TrimSuffix(base, filepath.Ext(base))
	base = strings.Map(func(r rune) rune {
		if r == '-' || r == '_' || r == '.' || r == '+' {
			return ' '
		}
		return r
	}, base)
	base = text.Normalize(base)
	if base == "" || base == "/" {
		return "Untitled"
	}
	r, n := utf8.DecodeRuneInString(base)
	return string(unicode.ToUpper(r)) + base[n:]
}

// parseDate reads the dates found in front matter and metadata: YYYY-MM-DD,
// RFC 3339 and its relatives, and PDF's D:YYYYMMDDHHmmSS. It returns the
// zero time when s is none of them.
func parseDate(s string) time.Time {
	s = strings.TrimSpace(strings.Trim(strings.TrimSpace(s), `"'`))
	if len(s) < 4 || !(s[0] >= '0' && s[0] <= '9' || s[0] == '+' || s[0] == '-') {
		// Every layout below starts with a four-character year.
		return time.Time{}
	}
	layouts := []string{
		time.RFC3339Nano,
		"2006-01-02T15:04:05Z07",
		"2006-01-02T15:04:05",
		"2006-01-02 15:04:05Z07:00",
		"2006-01-02 15:04:05 -0700",
		"2006-01-02 15:04:05",
		"2006-01-02T15:04Z07:00",
		"2006-01-02",
		"2006-01",
		"2006",
	}
	for _, l := range layouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}
