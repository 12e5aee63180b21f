package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ibid-dev/ibid"
	"github.com/ibid-dev/ibid/internal/printindex"
	"github.com/ibid-dev/ibid/internal/sqldb"
	"github.com/ibid-dev/ibid/text"
)

// writeAttempts bounds the retries of a write that lost a slug race to a
// concurrent write (see CreateEssay).
const writeAttempts = 5

// errSlugTaken reports that a concurrent transaction committed the slug a
// write had picked; the write is retried from the start.
var errSlugTaken = errors.New("slug taken concurrently")

// CreateEssay stores e and everything derived from it in one transaction.
func (db *DB) CreateEssay(ctx context.Context, e *ibid.Essay) error {
	if err := validate(e); err != nil {
		return err
	}
	blocks, err := ibid.MarshalBlocks(e.Blocks, e.Text)
	if err != nil {
		return fmt.Errorf("create essay: %w", err)
	}
	for range writeAttempts {
		err = db.create(ctx, e, blocks)
		if !errors.Is(err, errSlugTaken) {
			break
		}
	}
	if errors.Is(err, errSlugTaken) {
		return ibid.Errorf(ibid.ECONFLICT, "could not find a free slug for %q; try again", e.Title)
	}
	return err
}

func (db *DB) create(ctx context.Context, e *ibid.Essay, blocks []byte) error {
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("create essay: %w", err)
	}
	defer tx.Rollback()
	if err := duplicate(ctx, tx, e.Hash); err != nil {
		return err
	}
	slug, err := uniqueSlug(ctx, tx, e.Slug, e.Title, 0)
	if err != nil {
		return fmt.Errorf("create essay: %w", err)
	}
	var id int64
	var created time.Time
	err = tx.QueryRowContext(ctx, `INSERT INTO essays
		(slug, title, author, subject, subject_slug, published, license, source, blocks, body, words, hash)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id, created`,
		slug, e.Title, e.Author, e.Subject, text.Slugify(e.Subject), date(e.Published), e.License, e.Source,
		string(blocks), e.Text, e.Words, e.Hash).Scan(&id, &created)
	if err != nil {
		// Give the connection back before writeError asks the pool for
		// another: a full pool of failed writes must not wait on itself.
		tx.Rollback()
		return db.writeError(ctx, "create essay", e.Hash, err)
	}
	if err := writeDerived(ctx, tx, id, e); err != nil {
		return fmt.Errorf("create essay: %w", err)
	}
	if err := prints.Add(ctx, tx, []printindex.Doc{doc(id, e)}); err != nil {
		return fmt.Errorf("create essay: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return db.writeError(ctx, "create essay", e.Hash, err)
	}
	e.ID, e.Slug, e.Created, e.Updated = id, slug, created.UTC(), created.UTC()
	return nil
}

// duplicate returns the ECONFLICT error of the SQLite store when an essay
// with the given content hash is already stored.
func duplicate(ctx context.Context, q querier, hash string) error {
	var slug string
	err := q.QueryRowContext(ctx, "SELECT slug FROM essays WHERE hash = $1", hash).Scan(&slug)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	} else if err != nil {
		return fmt.Errorf("create essay: %w", err)
	}
	return &ibid.Error{Code: ibid.ECONFLICT, Message: fmt.Sprintf("the same essay is already in the library as %q", slug)}
}

// writeError turns the errors a write can meet at insert or commit time into
// the store's own: a concurrent insert of the same content (the unique hash
// index catches what the earlier check could not see), a lost slug race, or
// an essay too big for the search index.
func (db *DB) writeError(ctx context.Context, op, hash string, err error) error {
	code, constraint := pgCode(err)
	switch {
	case code == uniqueViolation && constraint == "essays_hash_key":
		if op == "create essay" {
			if dup := duplicate(ctx, db.db, hash); dup != nil {
				return dup
			}
		}
		return ibid.Errorf(ibid.ECONFLICT, "another essay already has this content")
	case code == uniqueViolation && constraint == "essays_slug_key":
		return errSlugTaken
	case code == programLimitExceeded:
		return &ibid.Error{Code: ibid.ETOOLARGE, Message: "the essay is too long for the search index", Err: err}
	}
	return fmt.Errorf("%s: %w", op, err)
}

// UpdateEssay replaces the essay with ID e.ID. An empty e.Slug keeps the
// stored one.
func (db *DB) UpdateEssay(ctx context.Context, e *ibid.Essay) error {
	if err := validate(e); err != nil {
		return err
	}
	blocks, err := ibid.MarshalBlocks(e.Blocks, e.Text)
	if err != nil {
		return fmt.Errorf("update essay: %w", err)
	}
	for range writeAttempts {
		err = db.update(ctx, e, blocks)
		if !errors.Is(err, errSlugTaken) {
			break
		}
	}
	if errors.Is(err, errSlugTaken) {
		return ibid.Errorf(ibid.ECONFLICT, "could not find a free slug for %q; try again", e.Title)
	}
	return err
}

func (db *DB) update(ctx context.Context, e *ibid.Essay, blocks []byte) error {
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("update essay: %w", err)
	}
	defer tx.Rollback()
	var oldSlug string
	var created time.Time
	// FOR UPDATE makes concurrent updates of one essay take turns.
	err = tx.QueryRowContext(ctx, "SELECT slug, created FROM essays WHERE id = $1 FOR UPDATE", e.ID).Scan(&oldSlug, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return ibid.Errorf(ibid.ENOTFOUND, "no essay with id %d", e.ID)
	} else if err != nil {
		return fmt.Errorf("update essay: %w", err)
	}
	var other int64
	err = tx.QueryRowContext(ctx, "SELECT id FROM essays WHERE hash = $1 AND id <> $2", e.Hash, e.ID).Scan(&other)
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
	var updated time.Time
	err = tx.QueryRowContext(ctx, `UPDATE essays SET slug = $1, title = $2, author = $3, subject = $4, subject_slug = $5,
		published = $6, license = $7, source = $8, blocks = $9, body = $10, words = $11, hash = $12, updated = now()
		WHERE id = $13 RETURNING updated`,
		slug, e.Title, e.Author, e.Subject, text.Slugify(e.Subject), date(e.Published), e.License, e.Source,
		string(blocks), e.Text, e.Words, e.Hash, e.ID).Scan(&updated)
	if err != nil {
		tx.Rollback()
		return db.writeError(ctx, "update essay", e.Hash, err)
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM topics WHERE essay_id = $1", e.ID); err != nil {
		return fmt.Errorf("update essay: %w", err)
	}
	if err := writeDerived(ctx, tx, e.ID, e); err != nil {
		return fmt.Errorf("update essay: %w", err)
	}
	// A tombstone hides the old prints, a new run holds the new ones.
	if err := prints.Remove(ctx, tx, e.ID); err != nil {
		return fmt.Errorf("update essay: %w", err)
	}
	if err := prints.Add(ctx, tx, []printindex.Doc{doc(e.ID, e)}); err != nil {
		return fmt.Errorf("update essay: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return db.writeError(ctx, "update essay", e.Hash, err)
	}
	e.Slug, e.Created, e.Updated = slug, created.UTC(), updated.UTC()
	return nil
}

// DeleteEssay removes an essay; its topics follow by cascade, its search
// entry lives in its own row, and a tombstone hides its prints.
func (db *DB) DeleteEssay(ctx context.Context, id int64) error {
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("delete essay: %w", err)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, "DELETE FROM essays WHERE id = $1", id)
	if err != nil {
		return fmt.Errorf("delete essay: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("delete essay: %w", err)
	} else if n == 0 {
		return ibid.Errorf(ibid.ENOTFOUND, "no essay with id %d", id)
	}
	if err := prints.Remove(ctx, tx, id); err != nil {
		return fmt.Errorf("delete essay: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("delete essay: %w", err)
	}
	return nil
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
	// PostgreSQL text must be valid UTF-8 without NUL characters; say so
	// instead of failing inside the server.
	for _, s := range append([]string{e.Title, e.Author, e.Subject, e.License, e.Source, e.Text, e.Slug}, e.Topics...) {
		if strings.IndexByte(s, 0) >= 0 {
			return ibid.Errorf(ibid.EINVALID, "an essay must not contain NUL characters")
		}
		if !utf8.ValidString(s) {
			return ibid.Errorf(ibid.EINVALID, "an essay must be valid UTF-8 text")
		}
	}
	return nil
}

// querier is what *sql.DB, *sql.Tx and *sql.Conn share.
type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// writeDerived writes the topics of an essay row. The search entry is a
// generated column of the row itself; the prints go to the index.
func writeDerived(ctx context.Context, tx *sql.Tx, id int64, e *ibid.Essay) error {
	var names, slugs []string
	var pos []int32
	seen := map[string]bool{}
	for i, t := range e.Topics {
		s := text.Slugify(t)
		if s == "" || seen[s] {
			continue
		}
		seen[s] = true
		names, slugs, pos = append(names, t), append(slugs, s), append(pos, int32(i))
	}
	if len(names) > 0 {
		if _, err := tx.ExecContext(ctx, `INSERT INTO topics (essay_id, pos, name, slug)
			SELECT $1, p, n, s FROM unnest($2::int[], $3::text[], $4::text[]) AS t (p, n, s)`,
			id, pos, names, slugs); err != nil {
			return err
		}
	}
	return nil
}

// doc is an essay's prints as the index takes them.
func doc(id int64, e *ibid.Essay) printindex.Doc {
	hs := make([]uint64, len(e.Prints))
	for i, p := range e.Prints {
		hs[i] = p.Hash
	}
	return printindex.Doc{Essay: id, Hashes: hs}
}

// uniqueSlug returns want (or the slug of title when want is empty), with a
// numeric suffix when another essay than self already uses it. A
// transaction-scoped advisory lock on the base slug makes concurrent writes
// that want the same slug take turns: under READ COMMITTED, the one that
// waited sees the other's committed row and moves on to the next suffix.
// Writes with different bases can still meet (a base "a-2" and a suffixed
// "a"); the unique index catches those and the write is retried.
func uniqueSlug(ctx context.Context, tx *sql.Tx, want, title string, self int64) (string, error) {
	base := text.Slugify(want)
	if base == "" {
		base = text.Slugify(title)
	}
	if base == "" {
		base = "essay"
	}
	if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1, hashtext($2))", lockSlug, base); err != nil {
		return "", err
	}
	slug := base
	for i := 2; ; i++ {
		var id int64
		err := tx.QueryRowContext(ctx, "SELECT id FROM essays WHERE slug = $1", slug).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && id == self) {
			return slug, nil
		}
		if err != nil {
			return "", err
		}
		slug = fmt.Sprintf("%s-%d", base, i)
	}
}

// date returns t as a DATE parameter, NULL when unknown.
func date(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format("2006-01-02")
}

const essayCols = sqldb.EssayCols

// dialect is how the queries shared with the SQLite store (listing, counts,
// topics, related essays) speak to PostgreSQL: lists as one array
// parameter, unknown dates (NULL) last, names compared bytewise (COLLATE
// "C") so that order and the name chosen for a slug do not depend on the
// database's locale.
var dialect = sqldb.Dialect{
	Numbered:  true,
	InInts:    func(c, ph string) string { return c + " = ANY(" + ph + "::bigint[])" },
	Ints:      func(ns []int64) any { return ns },
	InStrings: func(c, ph string) string { return c + " = ANY(" + ph + "::text[])" },
	Strings:   func(ss []string) any { return ss },
	NullsLast: " NULLS LAST",
	Bytewise:  ` COLLATE "C"`,
	Scan:      scanEssay,
}

// scanner is a row to scan.
type scanner = sqldb.Scanner

func scanEssay(s scanner, extra ...any) (*ibid.Essay, error) {
	var e ibid.Essay
	var published sql.NullTime
	dest := append([]any{&e.ID, &e.Slug, &e.Title, &e.Author, &e.Subject, &published, &e.License, &e.Source,
		&e.Words, &e.Hash, &e.Created, &e.Updated}, extra...)
	if err := s.Scan(dest...); err != nil {
		return nil, err
	}
	if published.Valid {
		p := published.Time
		e.Published = time.Date(p.Year(), p.Month(), p.Day(), 0, 0, 0, 0, time.UTC)
	}
	e.Created, e.Updated = e.Created.UTC(), e.Updated.UTC()
	return &e, nil
}

// Essay returns the essay with the given slug.
func (db *DB) Essay(ctx context.Context, slug string) (*ibid.Essay, error) {
	return db.essayWhere(ctx, "slug = $1", slug, fmt.Sprintf("no essay %q", slug))
}

// EssayByID returns the essay with the given ID.
func (db *DB) EssayByID(ctx context.Context, id int64) (*ibid.Essay, error) {
	return db.essayWhere(ctx, "id = $1", id, fmt.Sprintf("no essay with id %d", id))
}

// EssayByHash returns the essay with the given content hash.
func (db *DB) EssayByHash(ctx context.Context, hash string) (*ibid.Essay, error) {
	return db.essayWhere(ctx, "hash = $1", hash, "no essay with this content")
}

// Version implements ibid.Store: the counter that the trigger of migration
// 004 moves on with every write to an essay row.
func (db *DB) Version(ctx context.Context) (int64, error) {
	var v int64
	if err := db.db.QueryRowContext(ctx, "SELECT version FROM library_version WHERE id = 1").Scan(&v); err != nil {
		return 0, fmt.Errorf("library version: %w", err)
	}
	return v, nil
}

// EssayHashes implements ibid.Store.
func (db *DB) EssayHashes(ctx context.Context, ids []int64) (map[int64]string, error) {
	out := make(map[int64]string, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := db.db.QueryContext(ctx, "SELECT id, hash FROM essays WHERE id = ANY($1)", ids)
	if err != nil {
		return nil, fmt.Errorf("essay hashes: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var h string
		if err := rows.Scan(&id, &h); err != nil {
			return nil, fmt.Errorf("essay hashes: %w", err)
		}
		out[id] = h
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("essay hashes: %w", err)
	}
	return out, nil
}

func (db *DB) essayWhere(ctx context.Context, where string, arg any, notFound string) (*ibid.Essay, error) {
	if s, ok := arg.(string); ok && (strings.IndexByte(s, 0) >= 0 || !utf8.ValidString(s)) {
		// No stored key is like that, and the server would refuse it as
		// text: a slug from a mangled URL is simply not found.
		return nil, &ibid.Error{Code: ibid.ENOTFOUND, Message: notFound}
	}
	var blocks []byte
	var body string
	row := db.db.QueryRowContext(ctx, "SELECT "+essayCols+", blocks, body FROM essays WHERE "+where, arg)
	e, err := scanEssay(row, &blocks, &body)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, &ibid.Error{Code: ibid.ENOTFOUND, Message: notFound}
	} else if err != nil {
		return nil, fmt.Errorf("get essay: %w", err)
	}
	e.Text = body
	if e.Blocks, err = ibid.UnmarshalBlocks(blocks, body); err != nil {
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
	return dialect.TopicsOf(ctx, db.db, ids)
}

func (db *DB) fillTopics(ctx context.Context, list []*ibid.Essay) error {
	return dialect.FillTopics(ctx, db.db, list)
}

// Essays lists essays matching f, newest first.
func (db *DB) Essays(ctx context.Context, f ibid.EssayFilter) ([]*ibid.Essay, int, error) {
	return dialect.Essays(ctx, db.db, f)
}

// Subjects lists subjects with their essay counts.
func (db *DB) Subjects(ctx context.Context) ([]ibid.Count, error) {
	return dialect.Subjects(ctx, db.db)
}

// Topics lists topics with their essay counts, optionally within a subject.
func (db *DB) Topics(ctx context.Context, subject string) ([]ibid.Count, error) {
	return dialect.Topics(ctx, db.db, subject)
}

// readTx begins a read-only transaction on one snapshot, so that a merge
// of the fingerprint index committed meanwhile cannot hide a run.
func (db *DB) readTx(ctx context.Context) (*sql.Tx, error) {
	return db.db.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
}

// Postings returns the postings of the given fingerprint hashes, ordered by
// hash (as a uint64) and essay, each once.
func (db *DB) Postings(ctx context.Context, hashes []uint64) ([]ibid.Posting, error) {
	tx, err := db.readTx(ctx)
	if err != nil {
		return nil, fmt.Errorf("postings: %w", err)
	}
	defer tx.Rollback()
	ps, err := prints.Lookup(ctx, tx, &db.printCache, hashes)
	if err != nil {
		return nil, err
	}
	out := make([]ibid.Posting, len(ps))
	for i, p := range ps {
		out[i] = ibid.Posting{Hash: p.Hash, EssayID: p.Essay}
	}
	return out, nil
}

// SetTimes sets an essay's Created and Updated times, which CreateEssay
// always sets to the present: copying a library keeps the originals.
// PostgreSQL keeps them to the microsecond.
func (db *DB) SetTimes(ctx context.Context, id int64, created, updated time.Time) error {
	res, err := db.db.ExecContext(ctx, "UPDATE essays SET created = $1, updated = $2 WHERE id = $3", created.UTC(), updated.UTC(), id)
	if err != nil {
		return fmt.Errorf("set times: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("set times: %w", err)
	} else if n == 0 {
		return ibid.Errorf(ibid.ENOTFOUND, "no essay with id %d", id)
	}
	return nil
}

// PrintGroups implements ibid.Store: one merging walk of the index's runs
// in a read-only transaction.
func (db *DB) PrintGroups(ctx context.Context, fn func(hash uint64, essays []int64) error) error {
	tx, err := db.readTx(ctx)
	if err != nil {
		return fmt.Errorf("print groups: %w", err)
	}
	defer tx.Rollback()
	return prints.Walk(ctx, tx, fn)
}

// OptimizePrints merges the runs of the fingerprint index other than its
// largest (or all of them, see printindex.Index.Optimize): imports call
// it at the end, so that lookups visit few runs.
func (db *DB) OptimizePrints(ctx context.Context) error {
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("optimize prints: %w", err)
	}
	defer tx.Rollback()
	if err := prints.Optimize(ctx, tx); err != nil {
		return err
	}
	return tx.Commit()
}

// PrintStats describes the fingerprint index (runs, blocks, postings,
// bytes of block data, tombstones).
func (db *DB) PrintStats(ctx context.Context) (printindex.Stats, error) {
	return prints.Stats(ctx, db.db)
}
