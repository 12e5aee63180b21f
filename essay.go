package ibid

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
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

// BlockShape describes the structure of blocks without their text: one
// token per block, "h" and the level for a heading, "p" for a paragraph,
// "q" for a quote, "l" (bulleted) or "o" (numbered) and the item count for a
// list, separated by spaces. With the canonical text it gives the blocks
// back (BlocksFromShape), so that stores need not keep every essay's text
// twice. ok is false for blocks that the canonical text cannot give back
// exactly (a line break inside a text or an item, fields a block of its
// type does not use): stores keep those whole.
func BlockShape(blocks []Block) (shape string, ok bool) {
	var b strings.Builder
	for i, bl := range blocks {
		if i > 0 {
			b.WriteByte(' ')
		}
		switch bl.Type {
		case Heading:
			b.WriteString("h" + strconv.Itoa(bl.Level))
		case Paragraph:
			b.WriteByte('p')
		case Quote:
			b.WriteByte('q')
		case List:
			if bl.Ordered {
				b.WriteByte('o')
			} else {
				b.WriteByte('l')
			}
			b.WriteString(strconv.Itoa(len(bl.Items)))
		default:
			return "", false
		}
	}
	shape = b.String()
	back, err := BlocksFromShape(shape, CanonicalText(blocks))
	if err != nil || len(back) != len(blocks) {
		return "", false
	}
	for i := range blocks {
		if !sameBlock(blocks[i], back[i]) {
			return "", false
		}
	}
	return shape, true
}

// sameBlock reports whether two blocks are equal, an empty list of items
// being the same as none (as they are once stored as JSON).
func sameBlock(a, b Block) bool {
	return a.Type == b.Type && a.Level == b.Level && a.Text == b.Text && a.Ordered == b.Ordered &&
		slices.Equal(a.Items, b.Items)
}

// BlocksFromShape rebuilds blocks from their shape (BlockShape) and their
// canonical text.
func BlocksFromShape(shape, text string) ([]Block, error) {
	bad := func(why string) ([]Block, error) {
		return nil, fmt.Errorf("block shape %.40q: %s", shape, why)
	}
	var out []Block
	rest := text
	// line takes the text up to the next line break (or the end).
	line := func() string {
		i := strings.IndexByte(rest, '\n')
		if i < 0 {
			s := rest
			rest = ""
			return s
		}
		s := rest[:i]
		rest = rest[i:]
		return s
	}
	toks := strings.Fields(shape)
	for i, tok := range toks {
		if i > 0 {
			if !strings.HasPrefix(rest, "\n\n") {
				return bad("blocks and text differ")
			}
			rest = rest[2:]
		}
		var bl Block
		switch tok[0] {
		case 'h':
			n, err := strconv.Atoi(tok[1:])
			if err != nil {
				return bad("bad heading level")
			}
			bl = Block{Type: Heading, Level: n, Text: line()}
		case 'p':
			bl = Block{Type: Paragraph, Text: line()}
		case 'q':
			bl = Block{Type: Quote, Text: line()}
		case 'l', 'o':
			n, err := strconv.Atoi(tok[1:])
			if err != nil || n < 0 || n > len(text)+1 {
				return bad("bad item count")
			}
			bl = Block{Type: List, Ordered: tok[0] == 'o'}
			for k := range n {
				if k > 0 {
					if !strings.HasPrefix(rest, "\n") {
						return bad("blocks and text differ")
					}
					rest = rest[1:]
				}
				bl.Items = append(bl.Items, line())
			}
		default:
			return bad("unknown block " + tok)
		}
		if len(tok) > 1 && (tok[0] == 'p' || tok[0] == 'q') {
			return bad("unknown block " + tok)
		}
		out = append(out, bl)
	}
	if rest != "" {
		return bad("text left over")
	}
	return out, nil
}

// MarshalBlocks gives the JSON that stores keep for an essay's blocks,
// beside its text: the blocks' shape as a JSON string when text is their
// canonical text and gives them back, else the blocks themselves as a JSON
// array. Keeping the shape roughly halves what an essay row weighs, since
// the text is kept once (as the body) instead of twice.
func MarshalBlocks(blocks []Block, text string) ([]byte, error) {
	if shape, ok := BlockShape(blocks); ok && CanonicalText(blocks) == text {
		return json.Marshal(shape)
	}
	return json.Marshal(blocks)
}

// UnmarshalBlocks reads what MarshalBlocks wrote, given the essay's
// canonical text.
func UnmarshalBlocks(data []byte, text string) ([]Block, error) {
	if len(data) > 0 && data[0] == '"' {
		var shape string
		if err := json.Unmarshal(data, &shape); err != nil {
			return nil, err
		}
		return BlocksFromShape(shape, text)
	}
	var blocks []Block
	err := json.Unmarshal(data, &blocks)
	return blocks, err
}
