package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/ibid-dev/ibid"
	"github.com/ibid-dev/ibid/internal/printindex"
	"github.com/ibid-dev/ibid/text"
)

var _ ibid.BatchCreator = (*DB)(nil)

// CreateEssays stores several essays in one transaction, each complete or
// absent: a duplicate (of the library or of an earlier essay of the batch)
// is refused with the ECONFLICT error CreateEssay gives and the others are
// kept. Bulk imports use it: one commit, and a handful of statements, for a
// whole batch instead of a commit and six round trips an essay.
//
// Whatever the batch cannot settle by itself — a concurrent writer that
// stored the same text or took a slug meanwhile, an essay too long for the
// search index, a deadlock — aborts the batch's transaction, and the essays
// are then stored one by one through CreateEssay, whose errors say exactly
// what happened to each. It returns one error (or nil) per essay.
func (db *DB) CreateEssays(ctx context.Context, es []*ibid.Essay) []error {
	errs := make([]error, len(es))
	blocks := make([][]byte, len(es))
	for i, e := range es {
		if errs[i] = validate(e); errs[i] != nil {
			continue
		}
		b, err := json.Marshal(e.Blocks)
		if err != nil {
			errs[i] = fmt.Errorf("create essay: %w", err)
			continue
		}
		blocks[i] = b
	}
	err := db.createBatch(ctx, es, blocks, errs)
	if err == nil {
		return errs
	}
	if ctx.Err() != nil {
		for i := range errs {
			if errs[i] == nil {
				errs[i] = fmt.Errorf("create essay: %w", ctx.Err())
			}
		}
		return errs
	}
	// Nothing was written: one at a time, so that each essay gets its own
	// verdict. (createBatch leaves e.Slug, the slug asked for, as it was.)
	for i, e := range es {
		if errs[i] != nil {
			continue // refused by validate or json before any write
		}
		e.ID = 0
		errs[i] = db.CreateEssay(ctx, e)
	}
	return errs
}

// createBatch writes the essays of es whose errs entry is nil in one
// transaction and sets their ID, Slug, Created and Updated; duplicates get
// their ECONFLICT error in errs. An error means that nothing was written.
func (db *DB) createBatch(ctx context.Context, es []*ibid.Essay, blocks [][]byte, errs []error) error {
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	// Duplicates of the library, in one query.
	var hashes []string
	for i, e := range es {
		if errs[i] == nil {
			hashes = append(hashes, e.Hash)
		}
	}
	stored := map[string]string{} // hash → slug, of the library and then of the batch
	rows, err := tx.QueryContext(ctx, "SELECT hash, slug FROM essays WHERE hash = ANY($1::text[])", hashes)
	if err != nil {
		return err
	}
	for rows.Next() {
		var h, s string
		if err := rows.Scan(&h, &s); err != nil {
			rows.Close()
			return err
		}
		stored[h] = s
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	// The essays to write, each once; the slugs they want.
	var todo []int
	seen := map[string]int{}
	for i, e := range es {
		if errs[i] != nil {
			continue
		}
		if _, ok := stored[e.Hash]; ok {
			continue // answered below, with the slug
		}
		if _, ok := seen[e.Hash]; ok {
			continue // an earlier essay of the batch has this text
		}
		seen[e.Hash] = i
		todo = append(todo, i)
	}
	slugs, err := batchSlugs(ctx, tx, es, todo)
	if err != nil {
		return err
	}
	if len(todo) > 0 {
		if err := insertBatch(ctx, tx, es, blocks, todo, slugs); err != nil {
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	// Committed: tell each essay what it is now, and each duplicate which
	// essay it repeats.
	for _, i := range todo {
		es[i].Slug = slugs[i]
		stored[es[i].Hash] = slugs[i]
	}
	for i, e := range es {
		if errs[i] != nil {
			continue
		}
		if j, ok := seen[e.Hash]; ok && j == i {
			continue
		}
		e.ID = 0
		errs[i] = &ibid.Error{Code: ibid.ECONFLICT, Message: fmt.Sprintf("the same essay is already in the library as %q", stored[e.Hash])}
	}
	return nil
}

// batchSlugs picks a free slug for each essay es[i], i in todo, as
// uniqueSlug does for one: the slug of its wish or title, with the first
// free numeric suffix. The advisory locks of every base are taken in one
// statement, in a fixed order, so two batches cannot wait on each other in
// a circle; the slugs are then looked up together, a round trip per
// suffix level rather than per essay.
func batchSlugs(ctx context.Context, tx querier, es []*ibid.Essay, todo []int) (map[int]string, error) {
	base := make(map[int]string, len(todo))
	var bases []string
	for _, i := range todo {
		b := text.Slugify(es[i].Slug)
		if b == "" {
			b = text.Slugify(es[i].Title)
		}
		if b == "" {
			b = "essay"
		}
		base[i] = b
		bases = append(bases, b)
	}
	slices.Sort(bases)
	bases = slices.Compact(bases)
	if len(bases) == 0 {
		return nil, nil
	}
	if _, err := tx.ExecContext(ctx, `SELECT count(pg_advisory_xact_lock($1, h))
		FROM (SELECT DISTINCT hashtext(b) AS h FROM unnest($2::text[]) AS b ORDER BY h) AS l`, lockSlug, bases); err != nil {
		return nil, err
	}
	slug := make(map[int]string, len(todo))
	suffix := make(map[int]int, len(todo))
	used := map[string]bool{} // taken in the library or by an earlier essay of the batch
	pending := slices.Clone(todo)
	for len(pending) > 0 {
		var ask []string
		for _, i := range pending {
			s := base[i]
			if suffix[i] > 0 {
				s = fmt.Sprintf("%s-%d", base[i], suffix[i])
			}
			slug[i] = s
			if !used[s] {
				ask = append(ask, s)
			}
		}
		rows, err := tx.QueryContext(ctx, "SELECT slug FROM essays WHERE slug = ANY($1::text[])", ask)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				rows.Close()
				return nil, err
			}
			used[s] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		// In batch order: the first essay that wants a free slug gets it,
		// the others move on to the next suffix.
		var next []int
		for _, i := range pending {
			if used[slug[i]] {
				if suffix[i] == 0 {
					suffix[i] = 2
				} else {
					suffix[i]++
				}
				next = append(next, i)
				continue
			}
			used[slug[i]] = true
		}
		pending = next
	}
	return slug, nil
}

// insertBatch inserts the essay rows of es[i], i in todo, their topics and
// their prints (one run of the index), in a statement each.
func insertBatch(ctx context.Context, tx querier, es []*ibid.Essay, blocks [][]byte, todo []int, slugs map[int]string) error {
	n := len(todo)
	var (
		slug, title, author, subject, subjectSlug, license, source, blk, body, hash = make([]string, n), make([]string, n),
			make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n),
			make([]string, n), make([]string, n)
		published = make([]*string, n)
		words     = make([]int64, n)
	)
	for k, i := range todo {
		e := es[i]
		slug[k], title[k], author[k], subject[k], subjectSlug[k] = slugs[i], e.Title, e.Author, e.Subject, text.Slugify(e.Subject)
		license[k], source[k], blk[k], body[k], hash[k], words[k] = e.License, e.Source, string(blocks[i]), e.Text, e.Hash, int64(e.Words)
		if d, ok := date(e.Published).(string); ok {
			published[k] = &d
		}
	}
	rows, err := tx.QueryContext(ctx, `INSERT INTO essays
		(slug, title, author, subject, subject_slug, published, license, source, blocks, body, words, hash)
		SELECT slug, title, author, subject, subject_slug, published::date, license, source, blocks::jsonb, body, words, hash
		FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
			$9::text[], $10::text[], $11::int[], $12::text[])
			AS t (slug, title, author, subject, subject_slug, published, license, source, blocks, body, words, hash)
		RETURNING hash, id, created`,
		slug, title, author, subject, subjectSlug, published, license, source, blk, body, words, hash)
	if err != nil {
		return err
	}
	ids := make(map[string]int64, n)
	var created time.Time
	for rows.Next() {
		var h string
		var id int64
		if err := rows.Scan(&h, &id, &created); err != nil {
			rows.Close()
			return err
		}
		ids[h] = id
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if len(ids) != n {
		return fmt.Errorf("create essays: %d of %d rows came back", len(ids), n)
	}
	var tEssay []int64
	var tPos []int32
	var tName, tSlug []string
	docs := make([]printindex.Doc, 0, n)
	for _, i := range todo {
		e := es[i]
		id := ids[e.Hash]
		e.ID, e.Created, e.Updated = id, created.UTC(), created.UTC()
		seen := map[string]bool{}
		for p, t := range e.Topics {
			s := text.Slugify(t)
			if s == "" || seen[s] {
				continue
			}
			seen[s] = true
			tEssay, tPos, tName, tSlug = append(tEssay, id), append(tPos, int32(p)), append(tName, t), append(tSlug, s)
		}
		docs = append(docs, doc(id, e))
	}
	if len(tEssay) > 0 {
		if _, err := tx.ExecContext(ctx, `INSERT INTO topics (essay_id, pos, name, slug)
			SELECT * FROM unnest($1::bigint[], $2::int[], $3::text[], $4::text[])`, tEssay, tPos, tName, tSlug); err != nil {
			return err
		}
	}
	if err := prints.Add(ctx, tx, docs); err != nil {
		return errors.Join(errors.New("create essays: prints"), err)
	}
	return nil
}
