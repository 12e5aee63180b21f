// Package sqldb is the database/sql code that the SQLite and PostgreSQL
// stores share: listing essays, counting subjects and topics, reading
// topics, and the frame of related-essay scoring. What differs between the
// two databases — placeholders, how a list travels as one parameter, NULL
// order, collation, how a row's types scan — is a small Dialect; what is
// each store's own (full-text search, its part of the related score, the
// writes) stays in the store.
package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/ibid-dev/ibid"
	"github.com/ibid-dev/ibid/text"
)

// Querier is what *sql.DB, *sql.Tx and *sql.Conn offer.
type Querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// Scanner is a row to scan: *sql.Row or *sql.Rows.
type Scanner interface{ Scan(...any) error }

// Dialect is what differs between the databases for the shared queries.
type Dialect struct {
	// Numbered writes placeholders as $1, $2, … instead of ?.
	Numbered bool
	// InInts is the SQL that tests column c against a list of integers
	// passed as the one parameter ph (a placeholder); Ints makes that
	// parameter. InStrings and Strings do the same for text.
	InInts    func(c, ph string) string
	Ints      func([]int64) any
	InStrings func(c, ph string) string
	Strings   func([]string) any
	// NullsLast follows DESC in the newest-first order ("" where unknown
	// dates are '' rather than NULL).
	NullsLast string
	// Bytewise is the collation that compares text byte by byte, so
	// that names sort the same whatever the database's locale.
	Bytewise string
	// Scan reads the columns EssayCols (and then extra) of a row.
	Scan func(s Scanner, extra ...any) (*ibid.Essay, error)
}

// SQLiteIn tests c against a list that travels to SQLite as one JSON
// array, read with json_each: one parameter however long the list (SQLite
// takes at most 32,766 parameters, and preparing a statement with
// thousands costs more than running it).
func SQLiteIn(c, ph string) string { return c + " IN (SELECT value FROM json_each(" + ph + "))" }

// SQLiteInts is the JSON array of ns.
func SQLiteInts(ns []int64) any {
	buf := make([]byte, 0, 12*len(ns)+2)
	buf = append(buf, '[')
	for i, n := range ns {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = strconv.AppendInt(buf, n, 10)
	}
	return string(append(buf, ']'))
}

// SQLiteStrings is the JSON array of ss.
func SQLiteStrings(ss []string) any {
	if ss == nil {
		ss = []string{}
	}
	b, _ := json.Marshal(ss) // strings always marshal
	return string(b)
}

// EssayCols are the columns of an essay's summary, in Dialect.Scan's order.
const EssayCols = "id, slug, title, author, subject, published, license, source, words, hash, created, updated"

// Prefixed puts p (a table alias and a dot) before each column of cols.
func Prefixed(p, cols string) string {
	parts := strings.Split(cols, ", ")
	for i := range parts {
		parts[i] = p + parts[i]
	}
	return strings.Join(parts, ", ")
}

// Params collects the parameters of a query built from optional pieces, so
// that its placeholders never miscount. User text only ever travels as a
// parameter.
type Params struct {
	Numbered bool
	Args     []any
}

// Params starts the parameters of a query in d's placeholders.
func (d *Dialect) Params() *Params { return &Params{Numbered: d.Numbered} }

// Add appends v and returns its placeholder.
func (p *Params) Add(v any) string {
	p.Args = append(p.Args, v)
	if p.Numbered {
		return "$" + strconv.Itoa(len(p.Args))
	}
	return "?"
}

// Filter turns the common filters into a WHERE fragment (starting with
// " AND" when not empty) over the essays table aliased e.
func Filter(p *Params, subject, topic string, minWords, maxWords int) string {
	var b strings.Builder
	if subject != "" {
		b.WriteString(" AND e.subject_slug = " + p.Add(text.Slugify(subject)))
	}
	if topic != "" {
		b.WriteString(" AND e.id IN (SELECT essay_id FROM topics WHERE slug = " + p.Add(text.Slugify(topic)) + ")")
	}
	if minWords > 0 {
		b.WriteString(" AND e.words >= " + p.Add(minWords))
	}
	if maxWords > 0 {
		b.WriteString(" AND e.words <= " + p.Add(maxWords))
	}
	return b.String()
}

// Limits bounds a page: 20 by default, at most 1,000, from offset 0 up.
func Limits(limit, offset int) (int, int) {
	if limit <= 0 {
		limit = 20
	}
	if limit > 1000 {
		limit = 1000
	}
	if offset < 0 {
		offset = 0
	}
	return limit, offset
}

// Essays lists essays matching f, newest first, with the total.
func (d *Dialect) Essays(ctx context.Context, q Querier, f ibid.EssayFilter) ([]*ibid.Essay, int, error) {
	p := d.Params()
	where := Filter(p, f.Subject, f.Topic, f.MinWords, f.MaxWords)
	var total int
	if err := q.QueryRowContext(ctx, "SELECT COUNT(*) FROM essays e WHERE 1=1"+where, p.Args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("list essays: %w", err)
	}
	limit, offset := Limits(f.Limit, f.Offset)
	rows, err := q.QueryContext(ctx, "SELECT "+Prefixed("e.", EssayCols)+" FROM essays e WHERE 1=1"+where+
		" ORDER BY e.published DESC"+d.NullsLast+", e.id DESC LIMIT "+p.Add(limit)+" OFFSET "+p.Add(offset), p.Args...)
	if err != nil {
		return nil, 0, fmt.Errorf("list essays: %w", err)
	}
	defer rows.Close()
	var list []*ibid.Essay
	for rows.Next() {
		e, err := d.Scan(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("list essays: %w", err)
		}
		list = append(list, e)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("list essays: %w", err)
	}
	if err := d.FillTopics(ctx, q, list); err != nil {
		return nil, 0, err
	}
	return list, total, nil
}

// TopicsOf returns the topics of the given essays in their stored order.
func (d *Dialect) TopicsOf(ctx context.Context, q Querier, ids []int64) (map[int64][]string, error) {
	out := make(map[int64][]string, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	p := d.Params()
	rows, err := q.QueryContext(ctx, "SELECT essay_id, name FROM topics WHERE "+d.InInts("essay_id", p.Add(d.Ints(ids)))+
		" ORDER BY essay_id, pos", p.Args...)
	if err != nil {
		return nil, fmt.Errorf("topics: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			return nil, fmt.Errorf("topics: %w", err)
		}
		out[id] = append(out[id], name)
	}
	return out, rows.Err()
}

// FillTopics sets the Topics of each essay of list.
func (d *Dialect) FillTopics(ctx context.Context, q Querier, list []*ibid.Essay) error {
	ids := make([]int64, len(list))
	for i, e := range list {
		ids[i] = e.ID
	}
	topics, err := d.TopicsOf(ctx, q, ids)
	if err != nil {
		return err
	}
	for _, e := range list {
		e.Topics = topics[e.ID]
	}
	return nil
}

// Subjects lists subjects with their essay counts, by slug. Names and slugs
// compare bytewise, so that the order and the name chosen for a slug do not
// depend on the database's locale.
func (d *Dialect) Subjects(ctx context.Context, q Querier) ([]ibid.Count, error) {
	return counts(ctx, q, "SELECT MIN(subject"+d.Bytewise+"), subject_slug, COUNT(*) FROM essays"+
		" WHERE subject_slug <> '' GROUP BY subject_slug ORDER BY subject_slug"+d.Bytewise)
}

// Topics lists topics with their essay counts, optionally within a subject.
func (d *Dialect) Topics(ctx context.Context, q Querier, subject string) ([]ibid.Count, error) {
	if subject == "" {
		return counts(ctx, q, "SELECT MIN(name"+d.Bytewise+"), slug, COUNT(*) FROM topics GROUP BY slug ORDER BY slug"+d.Bytewise)
	}
	p := d.Params()
	return counts(ctx, q, "SELECT MIN(t.name"+d.Bytewise+"), t.slug, COUNT(*) FROM topics t JOIN essays e ON e.id = t.essay_id"+
		" WHERE e.subject_slug = "+p.Add(text.Slugify(subject))+" GROUP BY t.slug ORDER BY t.slug"+d.Bytewise, p.Args...)
}

func counts(ctx context.Context, q Querier, query string, args ...any) ([]ibid.Count, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("counts: %w", err)
	}
	defer rows.Close()
	var out []ibid.Count
	for rows.Next() {
		var c ibid.Count
		if err := rows.Scan(&c.Name, &c.Slug, &c.Count); err != nil {
			return nil, fmt.Errorf("counts: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// relatedPerTopic bounds the essays a topic gives points to in Related:
// its newest ones. A page shows a handful of related essays, and an essay
// sharing a rarer topic, or more of them, still ranks first; at 1,000,000
// essays the essay page's p50 was 12 ms with 1,000 a topic, 7.3–8.2 ms
// with 250.
const relatedPerTopic = 250

// Related ranks other essays for e: 3 points for each topic they share
// with it (among the topic's relatedPerTopic newest essays), the points that similar gives (the store's full-text part: up
// to 3 for the essays whose text is most like e's), and 1 more for the
// same subject; the n best, ties by id, as summaries with their topics.
func (d *Dialect) Related(ctx context.Context, q Querier, e *ibid.Essay, n int,
	similar func(ctx context.Context) (map[int64]float64, error)) ([]*ibid.Essay, error) {
	if n <= 0 {
		return nil, nil
	}
	score := map[int64]float64{}
	// Each topic gives its points to its relatedPerTopic newest essays
	// only: one topic of a large library can hold a tenth of it, and
	// reading and scoring all of them was most of an essay page's time
	// (p50 25–29 ms, p99 330–358 ms at 1,000,000 essays, where a topic
	// held up to 79,467 essays). An index range, newest first, per topic.
	seen := map[string]bool{}
	for _, t := range e.Topics {
		slug := text.Slugify(t)
		if seen[slug] {
			continue
		}
		seen[slug] = true
		p := d.Params()
		query := "SELECT essay_id FROM topics WHERE slug = " + p.Add(slug) + " ORDER BY essay_id DESC LIMIT " + strconv.Itoa(relatedPerTopic)
		rows, err := q.QueryContext(ctx, query, p.Args...)
		if err != nil {
			return nil, fmt.Errorf("related: %w", err)
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, fmt.Errorf("related: %w", err)
			}
			score[id] += 3
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("related: %w", err)
		}
	}
	sim, err := similar(ctx)
	if err != nil {
		return nil, fmt.Errorf("related: %w", err)
	}
	for id, pts := range sim {
		score[id] += pts
	}
	delete(score, e.ID)
	if e.Subject != "" && len(score) > 0 {
		// The subject adds one point, so only essays within a point of
		// the n-th best score can still make the list: the others (often
		// thousands sharing one common topic) are not looked up.
		ids := make([]int64, 0, len(score))
		for id := range score {
			ids = append(ids, id)
		}
		if len(ids) > n {
			sort.Slice(ids, func(i, j int) bool { return score[ids[i]] > score[ids[j]] })
			floor := score[ids[n-1]] - 1
			k := sort.Search(len(ids), func(i int) bool { return score[ids[i]] < floor })
			ids = ids[:k]
		}
		// The subject is compared here, not in the query: with it there,
		// SQLite walked the subject's index (a twelfth of the library)
		// instead of looking the listed ids up.
		p := d.Params()
		subject := text.Slugify(e.Subject)
		rows, err := q.QueryContext(ctx, "SELECT id, subject_slug FROM essays WHERE "+d.InInts("id", p.Add(d.Ints(ids))), p.Args...)
		if err != nil {
			return nil, fmt.Errorf("related: %w", err)
		}
		for rows.Next() {
			var id int64
			var slug string
			if err := rows.Scan(&id, &slug); err == nil && slug == subject {
				score[id]++
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("related: %w", err)
		}
	}
	ids := make([]int64, 0, len(score))
	for id := range score {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool {
		if score[ids[i]] != score[ids[j]] {
			return score[ids[i]] > score[ids[j]]
		}
		return ids[i] < ids[j]
	})
	if len(ids) > n {
		ids = ids[:n]
	}
	if len(ids) == 0 {
		return nil, nil
	}
	out, err := d.Summaries(ctx, q, ids)
	if err != nil {
		return nil, fmt.Errorf("related: %w", err)
	}
	return out, d.FillTopics(ctx, q, out)
}

// Summaries reads the summaries (EssayCols) of the essays ids in one query,
// in the order of ids; an essay deleted meanwhile is left out.
func (d *Dialect) Summaries(ctx context.Context, q Querier, ids []int64) ([]*ibid.Essay, error) {
	p := d.Params()
	rows, err := q.QueryContext(ctx, "SELECT "+EssayCols+" FROM essays WHERE "+d.InInts("id", p.Add(d.Ints(ids))), p.Args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	byID := make(map[int64]*ibid.Essay, len(ids))
	for rows.Next() {
		r, err := d.Scan(rows)
		if err != nil {
			return nil, err
		}
		byID[r.ID] = r
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]*ibid.Essay, 0, len(ids))
	for _, id := range ids {
		if r := byID[id]; r != nil {
			out = append(out, r)
		}
	}
	return out, nil
}
