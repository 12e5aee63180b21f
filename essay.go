package ibid

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"
)

// BlockType names the kind of a structural block of an essay.
type BlockType string

// Block types.
const (
	Heading   BlockType = "heading"
	Paragraph BlockType = "paragraph"
	List      BlockType = "list"
	Quote     BlockType = "quote"
)

// Block is one structural unit of an essay: a heading (Level 1–3; level 1 is
// a section, 2 a sub-section, 3 below that), a paragraph, a block quote, or a
// list (Items, Ordered for numbered lists). Text holds inline text without
// markup; runs of whitespace are single spaces.
type Block struct {
	Type    BlockType `json:"type"`
	Level   int       `json:"level,omitempty"`
	Text    string    `json:"text,omitempty"`
	Items   []string  `json:"items,omitempty"`
	Ordered bool      `json:"ordered,omitempty"`
}

// Document is what an extractor produces from an outside file: the structure
// and whatever metadata the file carried. Empty fields are unknown.
type Document struct {
	Title     string
	Author    string
	Subject   string
	Topics    []string
	Published time.Time
	License   string
	Blocks    []Block
	Format    string // "txt", "md", "html", "docx", "pdf"
}

// Text returns the canonical text of the document's blocks.
func (d *Document) Text() string { return CanonicalText(d.Blocks) }

// Essay is a stored essay. Text is the canonical text of Blocks; Words counts
// its words; Hash is the content hash (hex SHA-256 of Title and Text) that
// makes re-import idempotent.
type Essay struct {
	ID        int64
	Slug      string
	Title     string
	Author    string
	Subject   string
	Topics    []string
	Published time.Time // zero when unknown
	License   string
	Source    string // the file (or "demo:…") it was imported from
	Blocks    []Block
	Text      string
	Words     int
	Hash      string
	Created   time.Time
	Updated   time.Time

	// Prints are the fingerprints of Text, computed by the caller and written
	// by the store in the same transaction as the essay. Nil means none.
	Prints []Print
}

// Print is one fingerprint of a text: a hash and the rune offset where the
// unit it was computed from starts. Stores keep them as postings for
// candidate retrieval by the originality checker.
type Print struct {
	Hash   uint64
	Offset int
}

// CanonicalText joins blocks into the canonical text of an essay: one line per
// heading, paragraph, quote or list item, blocks separated by a blank line.
// Word counts, search, fingerprints and highlight offsets all refer to it.
func CanonicalText(blocks []Block) string {
	var b strings.Builder
	for i, bl := range blocks {
		if i > 0 {
			b.WriteString("\n\n")
		}
		if bl.Type == List {
			b.WriteString(strings.Join(bl.Items, "\n"))
			continue
		}
		b.WriteString(bl.Text)
	}
	return b.String()
}

// ContentHash returns the content hash of a canonical text: hex SHA-256. Two
// files with the same text are the same essay, whatever their names.
func ContentHash(text string) string {
	sum := sha256.Sum256([]byte(text))
	return hex.EncodeToString(sum[:])
}

// Default bounds of one essay of the library, for imports, the editors'
// forms and the API (ibid import and serve take --max-essay-words and
// --max-essay-mb). The longest essays and theses run to some 100,000
// words; an essay is read, searched, exported and aligned whole, so one of
// millions of words costs every reader and every check that touches it.
const (
	DefaultMaxEssayWords = 200_000
	DefaultMaxEssayBytes = 5 << 20 // of canonical text
)
