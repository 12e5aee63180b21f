package ibid

import "context"

// Store keeps the library. Every method is safe for concurrent use. Methods
// return *Error values with ENOTFOUND, ECONFLICT or EINVALID codes where the
// caller can act on them.
type Store interface {
	// CreateEssay stores e in one transaction (row, blocks, search entry,
	// fingerprints) and sets its ID, Slug (derived from the title and made
	// unique when empty), Created and Updated. An essay whose Hash is already
	// stored yields ECONFLICT and leaves the store unchanged.
	CreateEssay(ctx context.Context, e *Essay) error
	// UpdateEssay replaces the stored essay with ID e.ID, search entry and
	// fingerprints included.
	UpdateEssay(ctx context.Context, e *Essay) error
	// DeleteEssay removes an essay and everything derived from it.
	DeleteEssay(ctx context.Context, id int64) error

	// Essay returns the essay with the given slug, blocks and text included.
	Essay(ctx context.Context, slug string) (*Essay, error)
	// EssayByID returns the essay with the given ID, blocks and text included.
	EssayByID(ctx context.Context, id int64) (*Essay, error)
	// EssayByHash returns the essay with the given content hash.
	EssayByHash(ctx context.Context, hash string) (*Essay, error)
	// EssayHashes returns the content hashes of the essays with the given
	// IDs; IDs not stored are left out. Caches of text derived from essays
	// use it to notice, cheaply, an essay edited by another process.
	EssayHashes(ctx context.Context, ids []int64) (map[int64]string, error)
	// Version returns the library's version: a number that moves on
	// whenever an essay is created, updated or deleted, and that a reader
	// sees change no earlier than the write it follows is visible. Caches of
	// whatever depends on more than one essay (a rendered page and its
	// related essays) read it before rendering, to notice, for the price of
	// one row, a write by another process on the same library.
	Version(ctx context.Context) (int64, error)
	// Essays lists essays matching f, newest first, without Blocks and
	// Text, with the total number matching.
	Essays(ctx context.Context, f EssayFilter) ([]*Essay, int, error)
	// Subjects lists subjects with their essay counts, by name.
	Subjects(ctx context.Context) ([]Count, error)
	// Topics lists topics with their essay counts, by name; subject, when
	// not empty, restricts them to essays of that subject.
	Topics(ctx context.Context, subject string) ([]Count, error)
	// Search runs a full-text query ranked with titles weighted over bodies.
	Search(ctx context.Context, q SearchQuery) ([]SearchResult, int, error)
	// Related returns up to n essays related to e by shared topics and
	// similar text, most related first.
	Related(ctx context.Context, e *Essay, n int) ([]*Essay, error)

	PrintIndex
	// PrintGroups walks the whole fingerprint index, hash by hash
	// (ascending as uint64), and calls
	// fn once for every stored hash with the IDs of the essays holding it,
	// ascending, each once. The essays slice is reused between calls. The
	// library audit finds the pairs of essays that share prints with it,
	// in one pass instead of one look-up per essay. An error from fn stops
	// the walk and is returned.
	PrintGroups(ctx context.Context, fn func(hash uint64, essays []int64) error) error

	Close() error
}

// EssayFilter selects essays. Zero fields do not filter. MinWords and
// MaxWords are inclusive bounds.
type EssayFilter struct {
	Subject  string
	Topic    string
	MinWords int
	MaxWords int
	Limit    int // 0 means a store default (20)
	Offset   int
}

// Count is a name with the number of essays that carry it.
type Count struct {
	Name  string `json:"name"`
	Slug  string `json:"slug"`
	Count int    `json:"count"`
}

// MaxSearchTerms bounds the distinct words and phrases a search matches:
// stores drop repeated terms and ignore those past the limit, since every
// term adds to the cost of ranking and of each snippet, and nobody types more.
const MaxSearchTerms = 16

// SearchQuery is a full-text query with optional filters.
type SearchQuery struct {
	Query    string // the user's words; quotes make phrases, a leading "-" excludes a word
	Subject  string
	MinWords int
	MaxWords int
	Limit    int
	Offset   int
}

// SearchResult is one essay matching a search. Snippet is plain text from the
// essay with the matched words between SnippetMark and SnippetEnd markers.
type SearchResult struct {
	Essay   *Essay
	Snippet string
	Score   float64 // higher is better
}

// Snippet markers: private-use code points that never occur in essay text,
// so that renderers can turn them into <mark> elements after escaping.
const (
	SnippetMark = "\uE000"
	SnippetEnd  = "\uE001"
)

// Posting says that a stored essay holds a fingerprint: the index keeps
// which essays hold a hash, once each, not where in them (the checker
// aligns the texts themselves to find the passages).
type Posting struct {
	Hash    uint64
	EssayID int64
}

// PrintIndex is the persistent fingerprint index that the originality
// checker queries for candidate sources. Stores implement it.
type PrintIndex interface {
	// Postings returns the postings of the given hashes, each (hash,
	// essay) once, in any order.
	Postings(ctx context.Context, hashes []uint64) ([]Posting, error)
}

// BatchCreator is implemented by stores that can create many essays in one
// transaction, each essay still complete or absent. Bulk imports use it when
// the store offers it. It returns one error (or nil) per essay, with the same
// meaning as CreateEssay's.
type BatchCreator interface {
	CreateEssays(ctx context.Context, es []*Essay) []error
}
