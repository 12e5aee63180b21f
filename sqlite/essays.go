package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/ibid-dev/ibid"
	"github.com/ibid-dev/ibid/internal/printindex"
	"github.com/ibid-dev/ibid/internal/sqldb"
	"github.com/ibid-dev/ibid/text"
)

const dateLayout = "2006-01-02"

// CreateEssay stores e and everything derived from it in one transaction.
func (db *DB) CreateEssay(ctx context.Context, e *ibid.Essay) error {
	return db.CreateEssays(ctx, []*ibid.Essay{e})[0]
}

// CreateEssays stores several essays in one transaction: an essay that is
// refused (a duplicate, say) is skipped before anything of it is written and
// the others are kept, and a crash before the commit leaves none of them.
// Bulk imports use it because with one commit per essay the write-ahead log
// rewrites every index page an essay touches, and fingerprints touch pages
// all over the index. It returns one error (or nil) per essay.
func (db *DB) CreateEssays(ctx context.Context, es []*ibid.Essay) []error {
	errs := make([]error, len(es))
	fail := func(err error) []error {
		for i := range errs {
			if errs[i] == nil {
				errs[i] = fmt.Errorf("create essay: %w", err)
			}
		}
		for _, e := range es {
			e.ID, e.Slug = 0, ""
		}
		return errs
	}
	for i, e := range es {
		errs[i] = validate(e)
	}
	blocks, blockErrs := marshalBlocks(es, errs)
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return fail(err)
	}
	defer tx.Rollback()
	now := time.Now().UTC()
	stored := make([]bool, len(es))
	// The statements of createIn are prepared once for the batch: SQLite
	// parsed and planned each again for every essay (a fifth of writing
	// an essay row).
	st := &stmtCache{tx: tx}
	for i, e := range es {
		if errs[i] != nil {
			continue
		}
		// Duplicates are found by createIn before it writes anything, so
		// only an unexpected failure (disk full, say) can stop an essay
		// half-way, and that aborts the whole batch.
		err := createIn(ctx, st, e, now, blocks[i], blockErrs[i])
		switch {
		case err == nil:
			stored[i] = true
		case ibid.ErrorCode(err) == ibid.ECONFLICT:
			errs[i] = err
		default:
			return fail(err)
		}
	}
	// The batch's search entries go in together, after its essay rows:
	// FTS5 flushes what it holds in memory to a new segment of its index
	// whenever a statement opens a savepoint, as each essay row's insert
	// does (its triggers and unique keys), so entries written between the
	// rows cost a tiny segment each and then the merging of hundreds of
	// them (3.3 of the 6.1 s of writing 5,000 generated essays).
	var ids []int64
	for i, e := range es {
		if stored[i] {
			ids = append(ids, e.ID)
		}
	}
	if len(ids) > 0 {
		if _, err := tx.ExecContext(ctx, `INSERT INTO essays_fts (rowid, title, body)
			SELECT id, title, body FROM essays WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id`,
			sqldb.SQLiteInts(ids)); err != nil {
			return fail(err)
		}
	}
	// The batch's prints go into the index as one run: sorted, appended.
	var docs []printindex.Doc
	for i, e := range es {
		if stored[i] {
			docs = append(docs, doc(e))
		}
	}
	if err := prints.Add(ctx, tx, docs); err != nil {
		return fail(err)
	}
	if err := tx.Commit(); err != nil {
		return fail(err)
	}
	for i, e := range es {
		if stored[i] {
			e.Created, e.Updated = now, now
		}
	}
	return errs
}

// marshalBlocks returns ibid.MarshalBlocks of each essay whose err is nil,
// made on every core before the batch's transaction: it was half of the
// time the one writer spent on an essay's row.
func marshalBlocks(es []*ibid.Essay, errs []error) ([][]byte, []error) {
	out, outErrs := make([][]byte, len(es)), make([]error, len(es))
	workers := min(runtime.GOMAXPROCS(0), 1+len(es)/16)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(es); i += workers {
				if errs[i] == nil {
					out[i], outErrs[i] = ibid.MarshalBlocks(es[i].Blocks, es[i].Text)
				}
			}
		}()
	}
	wg.Wait()
	return out, outErrs
}

// createIn inserts one essay inside a transaction and sets its ID and Slug;
// blocks and blocksErr are ibid.MarshalBlocks of its blocks.
func createIn(ctx context.Context, tx querier, e *ibid.Essay, now time.Time, blocks []byte, blocksErr error) error {
	var dup string
	err := tx.QueryRowContext(ctx, "SELECT slug FROM essays WHERE hash = ?", e.Hash).Scan(&dup)
	if err == nil {
		return &ibid.Error{Code: ibid.ECONFLICT, Message: fmt.Sprintf("the same essay is already in the library as %q", dup)}
	} else if !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("create essay: %w", err)
	}
	slug, err := uniqueSlug(ctx, tx, e.Slug, e.Title, 0)
	if err != nil {
		return fmt.Errorf("create essay: %w", err)
	}
	if blocksErr != nil {
		return fmt.Errorf("create essay: %w", blocksErr)
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO essays
		(slug, title, author, subject, subject_slug, published, license, source, blocks, body, words, hash, created, updated)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		slug, e.Title, e.Author, e.Subject, text.Slugify(e.Subject), formatDate(e.Published), e.License, e.Source,
		string(blocks), e.Text, e.Words, e.Hash, now.Format(time.RFC3339Nano), now.Format(time.RFC3339Nano))
	if err != nil {
		return fmt.Errorf("create essay: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return fmt.Errorf("create essay: %w", err)
	}
	// The search entry is written by CreateEssays, for the whole batch.
	if err := writeTopics(ctx, tx, id, e); err != nil {
		return fmt.Errorf("create essay: %w", err)
	}
	e.ID, e.Slug = id, slug
	return nil
}

// UpdateEssay replaces the essay with ID e.ID. An empty e.Slug keeps the
// stored one.
func (db *DB) UpdateEssay(ctx context.Context, e *ibid.Essay) error {
	if err := validate(e); err != nil {
		return err
	}
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("update essay: %w", err)
	}
	defer tx.Rollback()
	var oldSlug, oldTitle, oldBody, created string
	err = tx.QueryRowContext(ctx, "SELECT slug, title, body, created FROM essays WHERE id = ?", e.ID).Scan(&oldSlug, &oldTitle, &oldBody, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return ibid.Errorf(ibid.ENOTFOUND, "no essay with id %d", e.ID)
	} else if err != nil {
		return fmt.Errorf("update essay: %w", err)
	}
	var other int64
	err = tx.QueryRowContext(ctx, "SELECT id FROM essays WHERE hash = ? AND id <> ?", e.Hash, e.ID).Scan(&other)
	if err == nil {
		return ibid.Errorf(ibid.ECONFLICT, "another essay already has this content")
	} else if !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("update essay: %w", err)
	}
	slug := oldSlug
	if e.Slug != "" && e.Slug != oldSlug {
		if slug, err = uniqueSlug(ctx, tx, e.Slug, e.Title, e.ID); err != nil {
			return fmt.Errorf("update essay: %w", err)
		}
	}
	blocks, err := ibid.MarshalBlocks(e.Blocks, e.Text)
	if err != nil {
		return fmt.Errorf("update essay: %w", err)
	}
	// The FTS index must be told the old values before the row changes.
	if _, err := tx.ExecContext(ctx, "INSERT INTO essays_fts (essays_fts, rowid, title, body) VALUES ('delete', ?, ?, ?)", e.ID, oldTitle, oldBody); err != nil {
		return fmt.Errorf("update essay: %w", err)
	}
	now := time.Now().UTC()
	if _, err := tx.ExecContext(ctx, `UPDATE essays SET slug = ?, title = ?, author = ?, subject = ?, subject_slug = ?,
		published = ?, license = ?, source = ?, blocks = ?, body = ?, words = ?, hash = ?, updated = ? WHERE id = ?`,
		slug, e.Title, e.Author, e.Subject, text.Slugify(e.Subject), formatDate(e.Published), e.License, e.Source,
		string(blocks), e.Text, e.Words, e.Hash, now.Format(time.RFC3339Nano), e.ID); err != nil {
		return fmt.Errorf("update essay: %w", err)
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM topics WHERE essay_id = ?", e.ID); err != nil {
		return fmt.Errorf("update essay: %w", err)
	}
	if err := writeDerived(ctx, tx, e.ID, e); err != nil {
		return fmt.Errorf("update essay: %w", err)
	}
	// A tombstone hides the old prints, a new run holds the new ones.
	if err := prints.Remove(ctx, tx, e.ID); err != nil {
		return fmt.Errorf("update essay: %w", err)
	}
	if err := prints.Add(ctx, tx, []printindex.Doc{doc(e)}); err != nil {
		return fmt.Errorf("update essay: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("update essay: %w", err)
	}
	e.Slug, e.Updated = slug, now
	e.Created, _ = time.Parse(time.RFC3339Nano, created)
	return nil
}

// DeleteEssay removes an essay; topics follow by cascade, the search entry
// explicitly, and a tombstone hides its prints.
func (db *DB) DeleteEssay(ctx context.Context, id int64) error {
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("delete essay: %w", err)
	}
	defer tx.Rollback()
	var title, body string
	err = tx.QueryRowContext(ctx, "SELECT title, body FROM essays WHERE id = ?", id).Scan(&title, &body)
	if errors.Is(err, sql.ErrNoRows) {
		return ibid.Errorf(ibid.ENOTFOUND, "no essay with id %d", id)
	} else if err != nil {
		return fmt.Errorf("delete essay: %w", err)
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO essays_fts (essays_fts, rowid, title, body) VALUES ('delete', ?, ?, ?)", id, title, body); err != nil {
		return fmt.Errorf("delete essay: %w", err)
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM essays WHERE id = ?", id); err != nil {
		return fmt.Errorf("delete essay: %w", err)
	}
	if err := prints.Remove(ctx, tx, id); err != nil {
		return fmt.Errorf("delete essay: %w", err)
	}
	return tx.Commit()
}

func validate(e *ibid.Essay) error {
	switch {
	case strings.TrimSpace(e.Title) == "":
		return ibid.Errorf(ibid.EINVALID, "an essay needs a title")
	case e.Hash == "":
		return ibid.Errorf(ibid.EINVALID, "an essay needs a content hash")
	case strings.TrimSpace(e.Text) == "":
		return ibid.Errorf(ibid.EINVALID, "an essay needs some text")
	}
	return nil
}

// querier is what createIn needs of a transaction: a *sql.Tx, or a
// stmtCache of one.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// stmtCache runs queries in tx with statements prepared on first use and
// kept until the transaction ends (which closes them).
type stmtCache struct {
	tx    *sql.Tx
	stmts map[string]*sql.Stmt
}

// stmt returns the prepared statement of query, or nil when it cannot be
// prepared: the caller then runs query on tx, which reports the error.
func (c *stmtCache) stmt(ctx context.Context, query string) *sql.Stmt {
	if s, ok := c.stmts[query]; ok {
		return s
	}
	s, err := c.tx.PrepareContext(ctx, query)
	if err != nil {
		return nil
	}
	if c.stmts == nil {
		c.stmts = map[string]*sql.Stmt{}
	}
	c.stmts[query] = s
	return s
}

func (c *stmtCache) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if s := c.stmt(ctx, query); s != nil {
		return s.ExecContext(ctx, args...)
	}
	return c.tx.ExecContext(ctx, query, args...)
}

func (c *stmtCache) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if s := c.stmt(ctx, query); s != nil {
		return s.QueryRowContext(ctx, args...)
	}
	return c.tx.QueryRowContext(ctx, query, args...)
}

// writeDerived writes what is derived from an essay row apart from its
// prints: its search entry and topics.
func writeDerived(ctx context.Context, tx *sql.Tx, id int64, e *ibid.Essay) error {
	if _, err := tx.ExecContext(ctx, "INSERT INTO essays_fts (rowid, title, body) VALUES (?, ?, ?)", id, e.Title, e.Text); err != nil {
		return err
	}
	return writeTopics(ctx, tx, id, e)
}

// writeTopics writes an essay's topics, each slug once.
func writeTopics(ctx context.Context, tx querier, id int64, e *ibid.Essay) error {
	seen := map[string]bool{}
	for i, t := range e.Topics {
		s := text.Slugify(t)
		if s == "" || seen[s] {
			continue
		}
		seen[s] = true
		if _, err := tx.ExecContext(ctx, "INSERT INTO topics (essay_id, pos, name, slug) VALUES (?, ?, ?, ?)", id, i, t, s); err != nil {
			return err
		}
	}
	return nil
}

// doc is an essay's prints as the index takes them.
func doc(e *ibid.Essay) printindex.Doc {
	hs := make([]uint64, len(e.Prints))
	for i, p := range e.Prints {
		hs[i] = p.Hash
	}
	return printindex.Doc{Essay: e.ID, Hashes: hs}
}

// uniqueSlug returns want (or the slug of title when want is empty), with a
// numeric suffix when another essay than self already uses it.
func uniqueSlug(ctx context.Context, tx querier, want, title string, self int64) (string, error) {
	base := text.Slugify(want)
	if base == "" {
		base = text.Slugify(title)
	}
	if base == "" {
		base = "essay"
	}
	slug := base
	for i := 2; ; i++ {
		var id int64
		err := tx.QueryRowContext(ctx, "SELECT id FROM essays WHERE slug = ?", slug).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && id == self) {
			return slug, nil
		}
		if err != nil {
			return "", err
		}
		slug = fmt.Sprintf("%s-%d", base, i)
	}
}

func formatDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(dateLayout)
}

const essayCols = sqldb.EssayCols

// dialect is how the queries shared with the PostgreSQL store (listing,
// counts, topics, related essays) speak to SQLite.
var dialect = sqldb.Dialect{
	InInts:    sqldb.SQLiteIn,
	Ints:      sqldb.SQLiteInts,
	InStrings: sqldb.SQLiteIn,
	Strings:   sqldb.SQLiteStrings,
	Bytewise:  " COLLATE BINARY",
	Scan:      scanEssay,
}

func scanEssay(s sqldb.Scanner, extra ...any) (*ibid.Essay, error) {
	var e ibid.Essay
	var published, created, updated string
	dest := append([]any{&e.ID, &e.Slug, &e.Title, &e.Author, &e.Subject, &published, &e.License, &e.Source,
		&e.Words, &e.Hash, &created, &updated}, extra...)
	if err := s.Scan(dest...); err != nil {
		return nil, err
	}
	if published != "" {
		e.Published, _ = time.Parse(dateLayout, published)
	}
	e.Created, _ = time.Parse(time.RFC3339Nano, created)
	e.Updated, _ = time.Parse(time.RFC3339Nano, updated)
	return &e, nil
}

// Essay returns the essay with the given slug.
func (db *DB) Essay(ctx context.Context, slug string) (*ibid.Essay, error) {
	return db.essayWhere(ctx, "slug = ?", slug, fmt.Sprintf("no essay %q", slug))
}

// EssayByID returns the essay with the given ID.
func (db *DB) EssayByID(ctx context.Context, id int64) (*ibid.Essay, error) {
	return db.essayWhere(ctx, "id = ?", id, fmt.Sprintf("no essay with id %d", id))
}

// EssayByHash returns the essay with the given content hash.
func (db *DB) EssayByHash(ctx context.Context, hash string) (*ibid.Essay, error) {
	return db.essayFrom(ctx, db.byHash.QueryRowContext(ctx, hash), "no essay with this content")
}

// Version implements ibid.Store: the counter that the triggers of migration
// 004 move on with every write to an essay row.
func (db *DB) Version(ctx context.Context) (int64, error) {
	var v int64
	if err := db.version.QueryRowContext(ctx).Scan(&v); err != nil {
		return 0, fmt.Errorf("library version: %w", err)
	}
	return v, nil
}

// EssayHashes implements ibid.Store.
func (db *DB) EssayHashes(ctx context.Context, ids []int64) (map[int64]string, error) {
	out := make(map[int64]string, len(ids))
	const part = 500 // well under SQLite's limit on host parameters
	for len(ids) > 0 {
		n := min(len(ids), part)
		args := make([]any, n)
		for i, id := range ids[:n] {
			args[i] = id
		}
		rows, err := db.r.QueryContext(ctx, "SELECT id, hash FROM essays WHERE id IN (?"+strings.Repeat(",?", n-1)+")", args...)
		if err != nil {
			return nil, fmt.Errorf("essay hashes: %w", err)
		}
		for rows.Next() {
			var id int64
			var h string
			if err := rows.Scan(&id, &h); err != nil {
				rows.Close()
				return nil, fmt.Errorf("essay hashes: %w", err)
			}
			out[id] = h
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("essay hashes: %w", err)
		}
		ids = ids[n:]
	}
	return out, nil
}

func (db *DB) essayWhere(ctx context.Context, where string, arg any, notFound string) (*ibid.Essay, error) {
	return db.essayFrom(ctx, db.r.QueryRowContext(ctx, essayWhereQuery(where), arg), notFound)
}

// essayWhereQuery is the query of essayWhere.
func essayWhereQuery(where string) string {
	return "SELECT " + essayCols + ", blocks, body FROM essays WHERE " + where
}

// essayFrom reads the essay of a row of essayWhereQuery, with its topics.
func (db *DB) essayFrom(ctx context.Context, row *sql.Row, notFound string) (*ibid.Essay, error) {
	var blocks string
	var body string
	e, err := scanEssay(row, &blocks, &body)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, &ibid.Error{Code: ibid.ENOTFOUND, Message: notFound}
	} else if err != nil {
		return nil, fmt.Errorf("get essay: %w", err)
	}
	e.Text = body
	if e.Blocks, err = ibid.UnmarshalBlocks([]byte(blocks), body); err != nil {
		return nil, fmt.Errorf("get essay %d: blocks: %w", e.ID, err)
	}
	topics, err := db.topicsOf(ctx, []int64{e.ID})
	if err != nil {
		return nil, err
	}
	e.Topics = topics[e.ID]
	return e, nil
}

func (db *DB) topicsOf(ctx context.Context, ids []int64) (map[int64][]string, error) {
	return dialect.TopicsOf(ctx, db.r, ids)
}

func (db *DB) fillTopics(ctx context.Context, list []*ibid.Essay) error {
	return dialect.FillTopics(ctx, db.r, list)
}

// Essays lists essays matching f, newest first.
func (db *DB) Essays(ctx context.Context, f ibid.EssayFilter) ([]*ibid.Essay, int, error) {
	return dialect.Essays(ctx, db.r, f)
}

// Subjects lists subjects with their essay counts.
func (db *DB) Subjects(ctx context.Context) ([]ibid.Count, error) {
	return dialect.Subjects(ctx, db.r)
}

// Topics lists topics with their essay counts, optionally within a subject.
func (db *DB) Topics(ctx context.Context, subject string) ([]ibid.Count, error) {
	return dialect.Topics(ctx, db.r, subject)
}

// Postings returns the postings of the given fingerprint hashes, ordered
// by hash (as a uint64) and essay, each once. A long list is looked up in
// parallel parts on the read pool, each a range of hashes read in a
// transaction of its own (a check waits for it): a merge committed between
// two parts' snapshots moves postings between runs, but each part sees all
// of its own range's postings in one state or the other.
func (db *DB) Postings(ctx context.Context, hashes []uint64) ([]ibid.Posting, error) {
	keys := slices.Clone(hashes)
	slices.Sort(keys)
	keys = slices.Compact(keys)
	parts := min(runtime.GOMAXPROCS(0), 1+len(keys)/500)
	size := (len(keys) + parts - 1) / max(parts, 1)
	results := make([][]printindex.Pair, parts)
	errs := make([]error, parts)
	var wg sync.WaitGroup
	for i := range parts {
		lo, hi := i*size, min((i+1)*size, len(keys))
		if lo >= hi {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], errs[i] = db.postings(ctx, keys[lo:hi])
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	var out []ibid.Posting
	for _, r := range results {
		for _, p := range r {
			out = append(out, ibid.Posting{Hash: p.Hash, EssayID: p.Essay})
		}
	}
	return out, nil
}

func (db *DB) postings(ctx context.Context, keys []uint64) ([]printindex.Pair, error) {
	tx, err := db.r.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("postings: %w", err)
	}
	defer tx.Rollback()
	return prints.Lookup(ctx, tx, &db.printCache, keys)
}
