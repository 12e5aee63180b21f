package postgres

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/ibid-dev/ibid"
	"github.com/ibid-dev/ibid/internal/sqldb"
	"github.com/ibid-dev/ibid/text"
)

// rankWeights are ts_rank_cd's weights for D, C, B and A lexemes: bodies are
// D and titles A, so a title match counts ten times a body match, the ratio
// the SQLite store gives bm25.
const rankWeights = "'{0.1, 0.2, 0.4, 1.0}'"

// headlineOptions make ts_headline mark matches with ibid's snippet markers
// and return a short passage around them, like FTS5's snippet of 28 tokens.
var headlineOptions = fmt.Sprintf(`StartSel="%s", StopSel="%s", MaxWords=28, MinWords=12, MaxFragments=2, FragmentDelimiter=" … "`,
	ibid.SnippetMark, ibid.SnippetEnd)

// maxQueryBytes bounds what is handed to the query parser; nobody types more
// and the parser's work grows with it.
const maxQueryBytes = 1000

// tsquery returns the SQL expression (with its parameters added to p) of the
// text-search query for what a user typed. websearch_to_tsquery reads the
// user's syntax (words, "phrases", -exclusions, or) and never fails on any
// input. Its syntax has no prefixes, so when the query ends in a plain word
// that word is taken out and matched as a prefix instead (so "litvin" finds
// "Litvinov" while typing): it goes through to_tsquery, which does fail on
// syntax, so only a run of letters and digits is ever given to it.
func tsquery(p *sqldb.Params, q string) string {
	q = capTerms(cleanQuery(q))
	rest, last := splitPrefix(q)
	if last == "" {
		return "websearch_to_tsquery('english', " + p.Add(q) + ")"
	}
	return "(websearch_to_tsquery('english', " + p.Add(rest) + ") && to_tsquery('english', " + p.Add(last+":*") + "))"
}

// cleanQuery makes q acceptable to the server as text: valid UTF-8 without
// NUL characters, at most maxQueryBytes long.
func cleanQuery(q string) string {
	q = strings.ToValidUTF8(q, " ")
	q = strings.ReplaceAll(q, "\x00", " ")
	if len(q) > maxQueryBytes {
		cut := maxQueryBytes
		for cut > 0 && !utf8.RuneStart(q[cut]) {
			cut--
		}
		q = q[:cut]
	}
	return q
}

// capTerms drops the repeats of a word or excluded word and keeps the
// first ibid.MaxSearchTerms terms (words, "phrases", exclusions), as the
// SQLite store does: each term adds to the cost of matching and of the
// headlines, and repeating one adds nothing to what matches.
func capTerms(q string) string {
	var out []string
	seen := map[string]bool{}
	inPhrase := false
	n := 0
	for _, f := range strings.Fields(q) {
		odd := strings.Count(f, `"`)%2 == 1
		if !inPhrase {
			// f starts a term: a whole word, or the first of a phrase.
			key := strings.ToLower(f)
			if !odd && seen[key] {
				continue
			}
			if n == ibid.MaxSearchTerms {
				break
			}
			seen[key] = true
			n++
		}
		if odd {
			inPhrase = !inPhrase
		}
		out = append(out, f)
	}
	if len(out) == 0 {
		return q
	}
	return strings.Join(out, " ")
}

// splitPrefix splits q into the query before its last word and that word,
// when the last word is plain (only letters, marks and digits, at least
// three runes, outside any quotes, not excluded, not part of an "or";
// trailing stars are dropped) and so
// safe and sensible to match as a prefix. Otherwise it returns q and "".
func splitPrefix(q string) (rest, last string) {
	trimmed := strings.TrimRightFunc(q, unicode.IsSpace)
	i := strings.LastIndexFunc(trimmed, unicode.IsSpace) + 1
	// A trailing star is how other search boxes ask for a prefix.
	word, before := strings.TrimRight(trimmed[i:], "*"), trimmed[:i]
	if utf8.RuneCountInString(word) < 3 || strings.Count(before, `"`)%2 != 0 {
		return q, ""
	}
	for _, r := range word {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.IsMark(r) {
			return q, ""
		}
	}
	prev := strings.Fields(before)
	if strings.EqualFold(word, "or") || (len(prev) > 0 && strings.EqualFold(prev[len(prev)-1], "or")) {
		return q, ""
	}
	return before, word
}

// rankCap bounds how many matching essays a search ranks. Ranking reads
// each match's whole tsvector (out of TOAST), about 25 µs apiece: a word
// most of a 100,000-essay library holds took 2.3 s to rank in full. Past
// the cap the ranked pool is the essays whose titles match (the ones a
// title weight would put first anyway) plus the first rankCap matches the
// index yields; the total is still exact, and a query with fewer matches
// is ranked exactly as before.
var rankCap = 2000 // a variable so that tests can make it small

// Search runs a ranked full-text query. A query without any positive term
// (nothing but exclusions or stop words) finds nothing, as in the SQLite
// store, rather than everything.
func (db *DB) Search(ctx context.Context, q ibid.SearchQuery) ([]ibid.SearchResult, int, error) {
	p := dialect.Params()
	query := tsquery(p, q.Query)
	where := sqldb.Filter(p, q.Subject, "", q.MinWords, q.MaxWords)
	// querytree is the part of a query an index can answer: 'T' or empty
	// when there is no positive term.
	with := "WITH q AS (SELECT " + query + " AS q) "
	from := " FROM essays e, q WHERE querytree(q.q) NOT IN ('', 'T') AND e.search @@ q.q" + where
	countArgs := len(p.Args) // the count needs neither headline options nor paging
	limit, offset := sqldb.Limits(q.Limit, q.Offset)
	// The pool's size is spelt out, not a parameter: with a parameter the
	// cached generic plan assumes a small LIMIT and scans the table in
	// order, which for a rare word means reading all of it.
	poolSize := strconv.Itoa(max(rankCap, offset+limit))
	// The title subquery also tests the whole vector: "river -flood"
	// matches a title without "flood" whose body has it.
	pool := ", pool AS MATERIALIZED ((SELECT e.id" + from + " AND to_tsvector('english', e.title) @@ q.q LIMIT " + poolSize +
		") UNION (SELECT e.id" + from + " LIMIT " + poolSize + ")), total AS (SELECT COUNT(*) AS n" + from + ") "
	// The headline, which re-parses the whole body, is computed only for
	// the page, after ranking.
	sql := with + pool + "SELECT " + essayCols + ", ts_headline('english', body, q, " + p.Add(headlineOptions) + "), rank, total.n FROM (" +
		"SELECT " + sqldb.Prefixed("e.", essayCols) + ", e.body, q.q, ts_rank_cd(" + rankWeights + ", e.search, q.q) AS rank" +
		" FROM essays e, q WHERE e.id IN (SELECT id FROM pool)" +
		" ORDER BY rank DESC, e.id LIMIT " + p.Add(limit) + " OFFSET " + p.Add(offset) + ") page, total ORDER BY rank DESC, id"
	rows, err := db.db.QueryContext(ctx, sql, p.Args...)
	if err != nil {
		return nil, 0, fmt.Errorf("search: %w", err)
	}
	defer rows.Close()
	var out []ibid.SearchResult
	var list []*ibid.Essay
	total := 0
	for rows.Next() {
		var r ibid.SearchResult
		e, err := scanEssay(rows, &r.Snippet, &r.Score, &total)
		if err != nil {
			return nil, 0, fmt.Errorf("search: %w", err)
		}
		r.Essay = e
		out = append(out, r)
		list = append(list, e)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("search: %w", err)
	}
	if len(out) == 0 && offset > 0 {
		// A page past the end still reports how many there are.
		if err := db.db.QueryRowContext(ctx, with+"SELECT COUNT(*)"+from, p.Args[:countArgs]...).Scan(&total); err != nil {
			return nil, 0, fmt.Errorf("search: %w", err)
		}
	}
	if err := db.fillTopics(ctx, list); err != nil {
		return nil, 0, err
	}
	return out, total, nil
}

// Related ranks other essays by shared topics (3 points each), the same
// subject (1 point) and text similarity: a full-text query made of e's most
// characteristic words, whose top results earn up to 3 points by rank. The
// scoring is the SQLite store's, so both stores suggest alike.
func (db *DB) Related(ctx context.Context, e *ibid.Essay, n int) ([]*ibid.Essay, error) {
	return dialect.Related(ctx, db.db, e, n, func(ctx context.Context) (map[int64]float64, error) {
		return db.similar(ctx, text.Keywords(strings.ToValidUTF8(e.Title+"\n"+e.Text, " "), 40), 8)
	})
}

// dfCap bounds the document frequencies that similar counts, as in the
// SQLite store.
const dfCap = 50

// similar scores essays by the distinctive words they share with a text:
// of words (most frequent in the text first) it keeps the n that the fewest
// essays contain, as long as at least two and fewer than dfCap do, and gives
// each essay holding them up to 3 points by rank, rarer words weighing
// more. It is the SQLite store's full-text ranking of those words, done
// through the GIN index alone: a ranking query over essays' tsvectors reads
// every matching essay's whole vector, which took seconds in a large
// library, while at most dfCap identifiers per word come straight from the
// index.
func (db *DB) similar(ctx context.Context, words []string, n int) (map[int64]float64, error) {
	if len(words) == 0 {
		return nil, nil
	}
	// GIN answers "which essays hold this word" with a bitmap of all of
	// them before LIMIT applies, so a word most essays hold costs a pass
	// over the whole library (0.24 s a page at 100,000 essays, for words
	// that are then ignored). The planner's statistics already list the
	// commonest lexemes with their frequencies (most_common_elems, kept by
	// ANALYZE and autovacuum): words known to be in more than dfCap essays
	// are skipped before they are looked up.
	rows, err := db.db.QueryContext(ctx, `WITH common AS MATERIALIZED (
			SELECT coalesce(array_agg(c.lexeme), '{}') AS lexemes FROM pg_stats s,
				unnest(s.most_common_elems::text::text[], s.most_common_elem_freqs) AS c (lexeme, freq)
			WHERE s.schemaname = current_schema() AND s.tablename = 'essays' AND s.attname = 'search'
				AND c.lexeme IS NOT NULL
				AND c.freq * (SELECT reltuples FROM pg_class WHERE oid = 'essays'::regclass) > $2)
		SELECT w.i, e.id FROM common, unnest($1::text[]) WITH ORDINALITY AS w (word, i)
		CROSS JOIN LATERAL (SELECT id FROM essays WHERE search @@ plainto_tsquery('english', w.word) LIMIT $2) e
		WHERE NOT (tsvector_to_array(to_tsvector('english', w.word)) && common.lexemes)`, words, dfCap)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	holders := make([][]int64, len(words))
	for rows.Next() {
		var i, id int64
		if err := rows.Scan(&i, &id); err != nil {
			return nil, err
		}
		holders[i-1] = append(holders[i-1], id)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var keep []int // indexes into words, rarest first, ties in text order
	for i, h := range holders {
		if len(h) >= 2 && len(h) < dfCap {
			keep = append(keep, i)
		}
	}
	sort.SliceStable(keep, func(a, b int) bool { return len(holders[keep[a]]) < len(holders[keep[b]]) })
	if len(keep) > n {
		keep = keep[:n]
	}
	// Weight each essay by the inverse frequencies of the words it holds,
	// then turn the top pool into rank points as the SQLite store does.
	weight := map[int64]float64{}
	for _, i := range keep {
		idf := math.Log(1 + float64(dfCap)/float64(len(holders[i])))
		for _, id := range holders[i] {
			weight[id] += idf
		}
	}
	ids := make([]int64, 0, len(weight))
	for id := range weight {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(a, b int) bool {
		if weight[ids[a]] != weight[ids[b]] {
			return weight[ids[a]] > weight[ids[b]]
		}
		return ids[a] < ids[b]
	})
	const pool = 20
	out := map[int64]float64{}
	for rank, id := range ids {
		if rank == pool {
			break
		}
		out[id] = 3 * float64(pool-rank) / pool
	}
	return out, nil
}
