package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/ibid-dev/ibid"
	"github.com/ibid-dev/ibid/internal/sqldb"
	"github.com/ibid-dev/ibid/text"
	"golang.org/x/text/unicode/norm"
)

// Title matches weigh ten times body matches in bm25.
const titleWeight, bodyWeight = 10.0, 1.0

// ftsQuery turns what a user typed into a safe FTS5 query: words and
// "quoted phrases" must all match, a leading "-" excludes a word or phrase,
// and the last word also matches as a prefix (so "revol" finds
// "revolution" while typing). FTS5 operators typed by the user are treated as
// words, never as syntax. Repeated terms count once and only the first
// ibid.MaxSearchTerms distinct terms are kept: FTS5's snippet and ranking
// cost grows with the square of the terms ("a a a …", 250 times, took 28 s).
// It returns "" when nothing positive is left.
func ftsQuery(q string) string {
	pos, neg, _ := ftsTerms(q)
	return joinTerms(pos, neg)
}

// ftsTerms parses q as ftsQuery does and returns its positive and negative
// terms as FTS5 strings, and the word typed last when the last positive
// term is that word as a prefix (`"revol"*`), else "".
func ftsTerms(q string) (pos, neg []string, prefix string) {
	type term struct {
		words []string
		not   bool
	}
	var terms []term
	seen := map[string]bool{}
	for len(q) > 0 {
		q = strings.TrimLeftFunc(q, unicode.IsSpace)
		if q == "" {
			break
		}
		not := false
		if q[0] == '-' {
			not = true
			q = q[1:]
		}
		var chunk string
		if strings.HasPrefix(q, `"`) {
			end := strings.IndexByte(q[1:], '"')
			if end < 0 {
				chunk, q = q[1:], ""
			} else {
				chunk, q = q[1:1+end], q[2+end:]
			}
		} else {
			end := strings.IndexFunc(q, unicode.IsSpace)
			if end < 0 {
				end = len(q)
			}
			chunk, q = q[:end], q[end:]
		}
		var words []string
		for _, t := range text.Tokens(chunk) {
			words = append(words, t.Text)
		}
		if len(words) == 0 {
			continue
		}
		// Case folding is the tokenizer's (unicode61), so "A" repeats "a".
		key := strings.ToLower(strings.Join(words, " "))
		if not {
			key = "-" + key
		}
		if seen[key] {
			// A repeat adds nothing to the match; but when it ends the
			// query it is the word being typed, which is matched as a
			// prefix, so it moves to the end.
			if q == "" && !not {
				i := slices.IndexFunc(terms, func(t term) bool { return !t.not && strings.ToLower(strings.Join(t.words, " ")) == key })
				terms = append(slices.Delete(terms, i, i+1), term{words, not})
			}
			continue
		}
		if len(terms) == ibid.MaxSearchTerms {
			break
		}
		seen[key] = true
		terms = append(terms, term{words, not})
	}
	for i, t := range terms {
		quoted := make([]string, len(t.words))
		for j, w := range t.words {
			quoted[j] = `"` + strings.ReplaceAll(w, `"`, `""`) + `"`
		}
		s := strings.Join(quoted, " + ")
		if len(t.words) > 1 {
			s = "(" + s + ")"
		}
		if t.not {
			neg = append(neg, s)
			continue
		}
		if i == len(terms)-1 && len(t.words) == 1 && len([]rune(t.words[0])) >= 3 {
			s += "*"
			prefix = t.words[0]
		}
		pos = append(pos, s)
	}
	return pos, neg, prefix
}

// joinTerms makes one FTS5 query of ftsTerms' terms; "" when pos is empty.
func joinTerms(pos, neg []string) string {
	if len(pos) == 0 {
		return ""
	}
	out := strings.Join(pos, " AND ")
	for _, n := range neg {
		out += " NOT " + n
	}
	return out
}

// rankCap bounds how many matching essays a search ranks, as in the
// PostgreSQL store. bm25 reads each match's column sizes: in a library of a
// million generated essays a word that half of them hold (527,022 matches)
// took 3.8–10 s to rank in full, past the search deadline. Past the cap the
// ranked pool is the first rankCap essays whose titles match (the ones the
// title weight would put first anyway) and the first rankCap matches in the
// index's order; the total is still exact, and a query with fewer matches
// is ranked exactly as before.
var rankCap = 2000 // a variable so that tests can make it small

// Search runs a ranked full-text query.
func (db *DB) Search(ctx context.Context, q ibid.SearchQuery) ([]ibid.SearchResult, int, error) {
	pos, neg, prefix := ftsTerms(q.Query)
	match := joinTerms(pos, neg)
	if match == "" {
		return nil, 0, nil
	}
	// The essays table is joined only to filter: counting the matches of
	// a frequent word through it read a row for each (0.27 s against
	// 0.03 s for 173,074 matches). from adds its parameters to p.
	from := func(p *sqldb.Params, match string) string {
		m := p.Add(match)
		if where := sqldb.Filter(p, q.Subject, "", q.MinWords, q.MaxWords); where != "" {
			return " FROM essays_fts JOIN essays e ON e.id = essays_fts.rowid WHERE essays_fts MATCH " + m + where
		}
		return " FROM essays_fts WHERE essays_fts MATCH " + m
	}
	var total int
	p := dialect.Params()
	if err := db.r.QueryRowContext(ctx, "SELECT COUNT(*)"+from(p, match), p.Args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("search: %w", err)
	}
	limit, offset := sqldb.Limits(q.Limit, q.Offset)
	if offset >= total {
		return nil, total, nil
	}
	rank := fmt.Sprintf("SELECT essays_fts.rowid AS id, bm25(essays_fts, %g, %g) AS rank", titleWeight, bodyWeight)
	var ids []int64
	ranks := map[int64]float64{}
	if pool := max(rankCap, offset+limit); total > pool {
		// Past the cap: the title matches first (among the first pool
		// of them), each ranked, then the rest of the first pool matches,
		// ranked. The pool's size is spelt out: FTS5 stops there.
		// (A rowid IN (…) beside MATCH seeks every listed essay with a
		// fresh MATCH: 27 s for 729 titles of a prefix query.)
		n := " LIMIT " + strconv.Itoa(pool)
		// (The query is made before p.Args is read: Go does not order a
		// field's read against the calls of the same argument list.)
		p := dialect.Params()
		query := rank + from(p, "("+match+") AND ({title} : ("+match+"))") + n
		titles, err := db.ranked(ctx, query, p.Args, ranks)
		if err != nil {
			return nil, 0, err
		}
		p = dialect.Params()
		query = rank + from(p, match) + n
		first, err := db.ranked(ctx, query, p.Args, ranks)
		if err != nil {
			return nil, 0, err
		}
		byRank := func(a, b int64) int { return cmp.Or(cmp.Compare(ranks[a], ranks[b]), cmp.Compare(a, b)) }
		slices.SortFunc(titles, byRank)
		slices.SortFunc(first, byRank)
		seen := make(map[int64]bool, len(titles))
		for _, id := range titles {
			seen[id] = true
		}
		all := titles
		for _, id := range first {
			if !seen[id] {
				all = append(all, id)
			}
		}
		ids = all[min(offset, len(all)):min(offset+limit, len(all))]
	} else {
		// Ranking reads only the index; the essays' rows are read for the
		// page alone, and the snippets, which re-read each essay's text and
		// cost the more the more terms there are, too (in one query SQLite
		// makes them for every match before sorting: 300 matches of a
		// 60-term query took 31 s).
		p := dialect.Params()
		query := rank + from(p, match) + " ORDER BY rank, id LIMIT " + p.Add(limit) + " OFFSET " + p.Add(offset)
		var err error
		if ids, err = db.ranked(ctx, query, p.Args, ranks); err != nil {
			return nil, 0, err
		}
	}
	list, err := dialect.Summaries(ctx, db.r, ids)
	if err != nil {
		return nil, 0, fmt.Errorf("search: %w", err)
	}
	out := make([]ibid.SearchResult, len(list))
	for i, e := range list {
		out[i] = ibid.SearchResult{Essay: e, Score: -ranks[e.ID]} // bm25 is lower-is-better
	}
	snip := fmt.Sprintf(`SELECT snippet(essays_fts, 1, '%s', '%s', '…', 28) FROM essays_fts WHERE essays_fts MATCH ? AND rowid = ?`,
		ibid.SnippetMark, ibid.SnippetEnd)
	for i := range out {
		id := out[i].Essay.ID
		err := sql.ErrNoRows
		if prefix != "" {
			// FTS5 answers a prefix query, even for one row, by merging
			// the postings of every word that begins so (in a library of
			// 100,000 generated essays, 0.2 s a snippet for "mar*"): the
			// snippet asks instead for the essay's own words that begin
			// with the prefix, each looked up directly (0.3 ms).
			var words []string
			if words, err = db.prefixWords(ctx, id, prefix); err != nil {
				return nil, 0, err
			}
			err = sql.ErrNoRows
			if len(words) > 0 {
				alt := make([]string, len(words))
				for k, w := range words {
					alt[k] = `"` + w + `"`
				}
				m := joinTerms(append(slices.Clip(pos[:len(pos)-1]), "("+strings.Join(alt, " OR ")+")"), nil)
				err = db.r.QueryRowContext(ctx, snip, m, id).Scan(&out[i].Snippet)
			}
		}
		if errors.Is(err, sql.ErrNoRows) {
			// No prefix, or the essay matches it only where its words
			// differ from their stems ("hoping" for "hope*"): FTS5's own
			// prefix query. An essay deleted since the ranking keeps an
			// empty snippet.
			err = db.r.QueryRowContext(ctx, snip, match, id).Scan(&out[i].Snippet)
		}
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, 0, fmt.Errorf("search: snippet: %w", err)
		}
	}
	if err := db.fillTopics(ctx, list); err != nil {
		return nil, 0, err
	}
	return out, total, nil
}

// ranked runs a query of (id, rank) rows, keeps each rank in ranks and
// returns the ids in the order of the rows.
func (db *DB) ranked(ctx context.Context, query string, args []any, ranks map[int64]float64) ([]int64, error) {
	rows, err := db.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		var r float64
		if err := rows.Scan(&id, &r); err != nil {
			return nil, fmt.Errorf("search: %w", err)
		}
		ids = append(ids, id)
		ranks[id] = r
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	return ids, nil
}

// Related ranks other essays by shared topics (3 points each), the same
// subject (1 point) and text similarity: a full-text query made of e's most
// characteristic words, whose top results earn up to 3 points by rank.
func (db *DB) Related(ctx context.Context, e *ibid.Essay, n int) ([]*ibid.Essay, error) {
	return dialect.Related(ctx, db.r, e, n, func(ctx context.Context) (map[int64]float64, error) {
		return db.similar(ctx, e)
	})
}

// similar gives up to 3 points, by rank, to the 20 essays that FTS5 ranks
// best for the most distinctive words of e.
func (db *DB) similar(ctx context.Context, e *ibid.Essay) (map[int64]float64, error) {
	words, err := db.distinctive(ctx, text.Keywords(e.Title+"\n"+e.Text, 16), 8)
	if err != nil || len(words) == 0 {
		return nil, err
	}
	quoted := make([]string, len(words))
	for i, w := range words {
		quoted[i] = `"` + w + `"`
	}
	const pool = 20
	rows, err := db.r.QueryContext(ctx, fmt.Sprintf(`SELECT rowid FROM essays_fts WHERE essays_fts MATCH ?
		ORDER BY bm25(essays_fts, %g, %g) LIMIT %d`, titleWeight, bodyWeight, pool), strings.Join(quoted, " OR "))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	score := map[int64]float64{}
	rank := 0
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		score[id] += 3 * float64(pool-rank) / pool
		rank++
	}
	return score, rows.Err()
}

// dfCap bounds the document frequencies that distinctive counts.
const dfCap = 50

// distinctive keeps the n words of words (most frequent first) that the
// fewest essays contain, as long as at least two and fewer than dfCap do:
// the words that tie an essay to a few others rather than to the whole
// library. Ranking a query of rare words is also far cheaper than one of
// common words, which match most of the library.
func (db *DB) distinctive(ctx context.Context, words []string, n int) ([]string, error) {
	// The index holds stemmed terms; ask the tokenizer-free vocabulary for
	// the document frequency of each word's terms by matching it.
	type wdf struct {
		w  string
		df int
		i  int
	}
	var list []wdf
	for i, w := range words {
		var df int
		// Counting stops at dfCap: past it a word is common, and counting
		// every essay that holds a common word is what made this slow.
		if err := db.r.QueryRowContext(ctx, "SELECT COUNT(*) FROM (SELECT 1 FROM essays_fts WHERE essays_fts MATCH ? LIMIT ?)", `"`+w+`"`, dfCap).Scan(&df); err != nil {
			return nil, err
		}
		if df >= 2 && df < dfCap {
			list = append(list, wdf{w, df, i})
		}
	}
	sort.Slice(list, func(a, b int) bool {
		if list[a].df != list[b].df {
			return list[a].df < list[b].df
		}
		return list[a].i < list[b].i
	})
	out := make([]string, 0, n)
	for _, x := range list {
		if len(out) == n {
			break
		}
		out = append(out, x.w)
	}
	return out, nil
}

// maxPrefixWords bounds the words a prefix stands for in a snippet's query:
// each is a phrase of the query, and FTS5's snippet costs the square of
// them. The ones past it are not marked.
const maxPrefixWords = 12

// prefixWords returns the distinct words of essay id's title and body that
// begin with prefix, the first maxPrefixWords of them (none when the essay
// is gone).
func (db *DB) prefixWords(ctx context.Context, id int64, prefix string) ([]string, error) {
	var title, body string
	err := db.r.QueryRowContext(ctx, "SELECT title, body FROM essays WHERE id = ?", id).Scan(&title, &body)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("search: snippet: %w", err)
	}
	p := foldFTS(prefix)
	seen := map[string]bool{}
	var out []string
	for _, s := range []string{title, body} {
		out = wordsWithPrefix(s, p, seen, out)
	}
	return out, nil
}

// wordsWithPrefix appends to out the words of s whose folded form (see
// foldFTS) begins with p, each once (seen holds the folded forms already
// in out), until out holds maxPrefixWords. Words are runs of letters,
// digits and marks, as FTS5's unicode61 tokenizer cuts them; each is
// appended as written, so that the tokenizer makes of it what it made of
// the essay's own word.
func wordsWithPrefix(s, p string, seen map[string]bool, out []string) []string {
	inWord := func(r rune) bool {
		return unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Co, r)
	}
	ascii := isASCII(p)
	for len(s) > 0 && len(out) < maxPrefixWords {
		start := strings.IndexFunc(s, inWord)
		if start < 0 {
			break
		}
		s = s[start:]
		end := strings.IndexFunc(s, func(r rune) bool { return !inWord(r) })
		if end < 0 {
			end = len(s)
		}
		w := s[:end]
		s = s[end:]
		if ascii && isASCII(w) && (len(w) < len(p) || !strings.EqualFold(w[:len(p)], p)) {
			continue // the common case, without a copy
		}
		f := foldFTS(w)
		if strings.HasPrefix(f, p) && !seen[f] {
			seen[f] = true
			out = append(out, w)
		}
	}
	return out
}

// foldFTS folds a word as the unicode61 tokenizer with remove_diacritics
// does, near enough to compare prefixes: lower case, accents dropped.
func foldFTS(w string) string {
	if isASCII(w) {
		return strings.ToLower(w)
	}
	var b strings.Builder
	for _, r := range norm.NFKD.String(w) {
		if !unicode.Is(unicode.Mn, r) {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
