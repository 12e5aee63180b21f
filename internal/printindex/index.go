// Package printindex is the fingerprint index of the SQL stores: which
// essays hold a print's hash. It is a log-structured merge of sorted runs
// kept in three tables over database/sql, shared by the SQLite and the
// PostgreSQL store through a small Dialect.
//
// Every write transaction that adds essays adds one run: their distinct
// (hash, essay) pairs, sorted, cut into blocks by the leading bits of the
// hash (as many bits as make blocks of the dialect's size) and delta-coded, a
// few bytes a posting, written as rows whose keys ascend (appends, not
// random writes). A lookup fetches, by primary key, the blocks of every run
// that may hold the hashes asked for, in one query. Runs of a similar size
// are merged once there are Fanout of them, in the transaction that made
// the last one, so that a lookup visits few runs; Optimize merges them all.
//
// An essay updated or deleted leaves a tombstone (essay, run limit): its
// postings in runs older than the limit are dead. Reads skip them, merges
// drop them, and a tombstone goes once no run older than its limit remains.
// The schema is each store's migration; see docs/printindex.md.
package printindex

import (
	"bytes"
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"math/bits"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/ibid-dev/ibid/internal/sqldb"
)

// Querier is what *sql.Tx (and *sql.DB, *sql.Conn) offer. Every method of
// Index that writes must run inside a transaction, and the reads should
// too, so that a merge committed meanwhile cannot hide a run from them.
type Querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// Dialect is what differs between the SQL databases.
type Dialect struct {
	// Numbered turns ? placeholders into $1, $2, ….
	Numbered bool
	// ByList is the SQL that selects cols (qualified with t.) from table
	// t whose column col is in the list of integers of the query's only
	// parameter, and List makes that parameter.
	ByList func(cols, table, col string) string
	List   func([]int64) any
	// Block is the most postings a block holds on average (at least
	// half as many): a lookup decodes whole blocks, so smaller blocks
	// cost fewer bytes read per hash looked up, larger ones less row
	// overhead per posting and, where rows do not share pages well,
	// less space lost at the end of each page.
	Block int
}

// SQLite passes lists as one JSON array, read with json_each: one
// parameter however many numbers (SQLite takes at most 32,766, and
// preparing a statement of thousands costs more than running it).
// Its blocks are small: rows of 1 to 1.5 kB left a third of each 4 kB page
// empty, rows of 100 to 300 bytes lose a few per cent.
// CROSS JOIN keeps json_each the outer loop: SQLite would otherwise copy
// an IN list into a temporary index first (a tenth of a lookup's time).
var SQLite = Dialect{
	ByList: func(cols, table, col string) string {
		return "SELECT " + cols + " FROM json_each(?) AS j CROSS JOIN " + table + " AS t ON t." + col + " = j.value"
	},
	List:  sqldb.SQLiteInts,
	Block: 32,
}

// PostgreSQL passes lists as one bigint array.
// A row costs about 40 bytes of header and pointer plus its primary-key
// entry, so its blocks are larger; 128 postings (about 1 kB) stay well
// under the 2 kB at which PostgreSQL would move a value out of line.
var PostgreSQL = Dialect{
	Numbered: true,
	ByList: func(cols, table, col string) string {
		return "SELECT " + cols + " FROM " + table + " AS t WHERE t." + col + " = ANY(?::bigint[])"
	},
	List:  func(ns []int64) any { return ns },
	Block: 128,
}

// Fanout is how many runs of one size class make a merge.
const Fanout = 8

// Index is the fingerprint index in the tables print_runs, print_blocks,
// print_tombstones and print_state of a database of the given dialect.
type Index struct {
	d Dialect
}

// New returns the index of a database of dialect d.
func New(d Dialect) *Index { return &Index{d: d} }

func (ix *Index) sql(q string) string {
	if !ix.d.Numbered {
		return q
	}
	var b strings.Builder
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
		} else {
			b.WriteByte(q[i])
		}
	}
	return b.String()
}

// run is a row of print_runs.
type run struct {
	id       int64
	postings int64
	layout
	base int64 // the smallest essay id of the run
}

func (ix *Index) runs(ctx context.Context, q Querier) ([]run, error) {
	rows, err := q.QueryContext(ctx, "SELECT id, postings, bits, shape, base FROM print_runs ORDER BY id")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []run
	for rows.Next() {
		var r run
		if err := rows.Scan(&r.id, &r.postings, &r.bits, &r.shape, &r.base); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// lock takes the index's write lock (the print_state row, held to the end
// of the transaction: PostgreSQL writers take turns on the index, and SQLite
// has one writer anyway) and returns the next run id.
func (ix *Index) lock(ctx context.Context, q Querier) (int64, error) {
	var next int64
	err := q.QueryRowContext(ctx, "UPDATE print_state SET next_run = next_run WHERE id = 1 RETURNING next_run").Scan(&next)
	if err != nil {
		return 0, fmt.Errorf("print index: lock: %w", err)
	}
	return next, nil
}

func (ix *Index) allocate(ctx context.Context, q Querier) (int64, error) {
	var id int64
	err := q.QueryRowContext(ctx, "UPDATE print_state SET next_run = next_run + 1 WHERE id = 1 RETURNING next_run - 1").Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("print index: new run: %w", err)
	}
	return id, nil
}

// Doc is an essay's prints as Add takes them.
type Doc struct {
	Essay  int64
	Hashes []uint64 // in any order, repeats allowed
}

// Add writes the postings of docs as one run, then merges runs while a size
// class holds Fanout of them. Essays added again (updated) must be
// removed first in the same transaction.
func (ix *Index) Add(ctx context.Context, tx Querier, docs []Doc) error {
	var n int
	for _, d := range docs {
		n += len(d.Hashes)
	}
	if n == 0 {
		return nil
	}
	ps := make([]Pair, 0, n)
	base := int64(-1)
	for _, d := range docs {
		for _, h := range d.Hashes {
			ps = append(ps, Pair{h, d.Essay})
		}
		if len(d.Hashes) > 0 && (base < 0 || d.Essay < base) {
			base = d.Essay
		}
	}
	ps = sortPairs(ps)
	ps = slices.Compact(ps)
	if _, err := ix.lock(ctx, tx); err != nil {
		return err
	}
	id, err := ix.allocate(ctx, tx)
	if err != nil {
		return err
	}
	w := ix.newWriter(tx, id, int64(len(ps)), base)
	for _, p := range ps {
		if err := w.add(ctx, p); err != nil {
			return err
		}
	}
	if err := w.close(ctx); err != nil {
		return err
	}
	return ix.compact(ctx, tx, false)
}

// sortPairs sorts ps in (hash, essay) order, returning the sorted slice
// (ps or a buffer of the same length). Pairs come grouped by essay, the
// essays mostly ascending (a batch's ids): then a stable radix sort on the
// hash, four passes of 16 bits, is the whole sort — a fifth of the time a
// comparison sort of a 200-essay batch took on the import's one writer.
func sortPairs(ps []Pair) []Pair {
	if !slices.IsSortedFunc(ps, func(a, b Pair) int { return cmp.Compare(a.Essay, b.Essay) }) || len(ps) < 1024 {
		slices.SortFunc(ps, comparePairs)
		return ps
	}
	src, dst := ps, make([]Pair, len(ps))
	var count [1 << 16]int
	for shift := uint(0); shift < 64; shift += 16 {
		clear(count[:])
		for _, p := range src {
			count[(p.Hash>>shift)&0xffff]++
		}
		if count[(src[0].Hash>>shift)&0xffff] == len(src) {
			continue // every pair has the same digit here
		}
		sum := 0
		for i, c := range count {
			count[i] = sum
			sum += c
		}
		for _, p := range src {
			d := (p.Hash >> shift) & 0xffff
			dst[count[d]] = p
			count[d]++
		}
		src, dst = dst, src
	}
	return src
}

// Remove leaves tombstones for essays: their postings written before now
// are dead. Call it before Add when an essay's prints are replaced. It
// moves next_run on, as every write of the index does, so that next_run is
// the index's version (see Cache).
func (ix *Index) Remove(ctx context.Context, tx Querier, essays ...int64) error {
	if len(essays) == 0 {
		return nil
	}
	if _, err := ix.lock(ctx, tx); err != nil {
		return err
	}
	next, err := ix.allocate(ctx, tx)
	if err != nil {
		return err
	}
	for _, e := range essays {
		if _, err := tx.ExecContext(ctx, ix.sql(`INSERT INTO print_tombstones (essay_id, run_limit) VALUES (?, ?)
			ON CONFLICT (essay_id) DO UPDATE SET run_limit = excluded.run_limit`), e, next); err != nil {
			return fmt.Errorf("print index: tombstone: %w", err)
		}
	}
	return nil
}

// Optimize merges the runs other than the largest into one, or all of
// them into one when those hold at least an eighth as many postings as the
// largest: after an import, lookups visit at most two runs, and importing
// a few essays into a large library rewrites the few, not the library.
// Merging drops dead postings and the tombstones no longer needed.
func (ix *Index) Optimize(ctx context.Context, tx Querier) error {
	if _, err := ix.lock(ctx, tx); err != nil {
		return err
	}
	return ix.compact(ctx, tx, true)
}

// sizeClass groups runs whose sizes are within a factor of 8 (Fanout).
func sizeClass(n int64) int { return bits.Len64(uint64(n)) / 3 }

// compact merges the runs of any size class that holds Fanout runs, until
// none does; all merges them all into one.
func (ix *Index) compact(ctx context.Context, tx Querier, all bool) error {
	for {
		runs, err := ix.runs(ctx, tx)
		if err != nil {
			return fmt.Errorf("print index: %w", err)
		}
		var pick []run
		if all {
			var tombs int
			if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM print_tombstones").Scan(&tombs); err != nil {
				return fmt.Errorf("print index: %w", err)
			}
			largest, rest := 0, int64(0)
			for i, r := range runs {
				if r.postings > runs[largest].postings {
					largest = i
				}
				rest += r.postings
			}
			if len(runs) > 0 {
				rest -= runs[largest].postings
			}
			switch {
			case len(runs) > 0 && rest*Fanout < runs[largest].postings:
				if small := append(slices.Clone(runs[:largest]), runs[largest+1:]...); len(small) > 1 {
					pick = small
				}
			case len(runs) > 1 || (len(runs) == 1 && tombs > 0):
				pick = runs
			}
		} else {
			classes := map[int][]run{}
			for _, r := range runs {
				c := sizeClass(r.postings)
				classes[c] = append(classes[c], r)
				if len(classes[c]) >= Fanout {
					pick = classes[c]
					break
				}
			}
		}
		if len(pick) == 0 {
			return nil
		}
		if err := ix.merge(ctx, tx, pick); err != nil {
			return fmt.Errorf("print index: merge: %w", err)
		}
		if all {
			return nil
		}
	}
}

// tombstones reads every tombstone.
func (ix *Index) tombstones(ctx context.Context, q Querier) (map[int64]int64, error) {
	rows, err := q.QueryContext(ctx, "SELECT essay_id, run_limit FROM print_tombstones")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]int64{}
	for rows.Next() {
		var e, l int64
		if err := rows.Scan(&e, &l); err != nil {
			return nil, err
		}
		out[e] = l
	}
	return out, rows.Err()
}

// merge writes the live postings of runs as one new run and deletes them.
func (ix *Index) merge(ctx context.Context, tx Querier, runs []run) error {
	tombs, err := ix.tombstones(ctx, tx)
	if err != nil {
		return err
	}
	var total int64
	base := runs[0].base
	for _, r := range runs {
		total += r.postings
		base = min(base, r.base)
	}
	id, err := ix.allocate(ctx, tx)
	if err != nil {
		return err
	}
	w := ix.newWriter(tx, id, total, base)
	m := ix.newMerger(tx, runs, tombs)
	page, err := ix.prepared(ctx, tx, pageQuery)
	if err != nil {
		return err
	}
	if page != nil {
		defer page.Close()
		for _, rd := range m.rds {
			rd.page = page
		}
	}
	for {
		p, ok, err := m.next(ctx)
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		if err := w.add(ctx, p); err != nil {
			return err
		}
	}
	if err := w.close(ctx); err != nil {
		return err
	}
	for _, r := range runs {
		lo, hi := runRange(r.id)
		if _, err := tx.ExecContext(ctx, ix.sql("DELETE FROM print_blocks WHERE key >= ? AND key < ?"), lo, hi); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, ix.sql("DELETE FROM print_runs WHERE id = ?"), r.id); err != nil {
			return err
		}
	}
	// A tombstone is needed while a run older than its limit remains.
	_, err = tx.ExecContext(ctx, `DELETE FROM print_tombstones
		WHERE run_limit <= (SELECT COALESCE(MIN(id), (SELECT next_run FROM print_state WHERE id = 1)) FROM print_runs)`)
	return err
}

// writer writes a run from postings given in (hash, essay) order.
type writer struct {
	ix  *Index
	q   Querier
	run int64
	layout
	base  int64
	n     int64
	cur   []Pair
	pfx   uint64
	buf   []byte
	keys  []int64
	datas [][]byte
	full  *sql.Stmt // the insertRows-row INSERT, prepared once a writer
}

// preparer is what *sql.Tx offers besides Querier: a statement run many
// times in a transaction is prepared once (re-preparing the 100-row block
// INSERT for every 100 blocks was 1.9 of the 6.4 s it took in a
// 20,000-essay import).
type preparer interface {
	PrepareContext(ctx context.Context, query string) (*sql.Stmt, error)
}

// prepared returns query prepared on q when q can prepare, nil otherwise.
// The statement ends with q's transaction.
func (ix *Index) prepared(ctx context.Context, q Querier, query string) (*sql.Stmt, error) {
	p, ok := q.(preparer)
	if !ok {
		return nil, nil
	}
	return p.PrepareContext(ctx, ix.sql(query))
}

func (ix *Index) newWriter(q Querier, id, total, base int64) *writer {
	return &writer{ix: ix, q: q, run: id, layout: layout{bits: prefixBits(total, ix.d.Block), shape: shapeFlatten}, base: base}
}

func (w *writer) add(ctx context.Context, p Pair) error {
	pfx := w.prefix(p.Hash)
	if len(w.cur) > 0 {
		last := w.cur[len(w.cur)-1]
		if last == p {
			return nil
		}
		if pfx != w.pfx {
			if err := w.flushBlock(ctx); err != nil {
				return err
			}
		}
	}
	w.pfx = pfx
	w.cur = append(w.cur, p)
	w.n++
	return nil
}

// insertRows is how many blocks one INSERT writes.
const insertRows = 100

func (w *writer) flushBlock(ctx context.Context) error {
	if len(w.cur) == 0 {
		return nil
	}
	data := appendBlock(nil, w.cur, w.start(w.pfx), w.base)
	w.keys = append(w.keys, blockKey(w.run, w.pfx))
	w.datas = append(w.datas, data)
	w.cur = w.cur[:0]
	if len(w.keys) >= insertRows {
		return w.flushRows(ctx)
	}
	return nil
}

func (w *writer) flushRows(ctx context.Context) error {
	if len(w.keys) == 0 {
		return nil
	}
	args := make([]any, 0, 2*len(w.keys))
	for i := range w.keys {
		args = append(args, w.keys[i], w.datas[i])
	}
	q := "INSERT INTO print_blocks (key, data) VALUES " + strings.TrimSuffix(strings.Repeat("(?, ?),", len(w.keys)), ",")
	var err error
	if len(w.keys) == insertRows {
		if w.full == nil {
			if w.full, err = w.ix.prepared(ctx, w.q, q); err != nil {
				return fmt.Errorf("print index: write blocks: %w", err)
			}
		}
		if w.full != nil {
			_, err = w.full.ExecContext(ctx, args...)
		} else {
			_, err = w.q.ExecContext(ctx, w.ix.sql(q), args...)
		}
	} else {
		_, err = w.q.ExecContext(ctx, w.ix.sql(q), args...)
	}
	if err != nil {
		return fmt.Errorf("print index: write blocks: %w", err)
	}
	w.keys, w.datas = w.keys[:0], w.datas[:0]
	return nil
}

func (w *writer) close(ctx context.Context) error {
	if err := w.flushBlock(ctx); err != nil {
		return err
	}
	if err := w.flushRows(ctx); err != nil {
		return err
	}
	if w.full != nil {
		w.full.Close()
		w.full = nil
	}
	if w.n == 0 {
		return nil
	}
	_, err := w.q.ExecContext(ctx, w.ix.sql("INSERT INTO print_runs (id, postings, bits, shape, base) VALUES (?, ?, ?, ?, ?)"), w.run, w.n, w.bits, w.shape, w.base)
	if err != nil {
		return fmt.Errorf("print index: write run: %w", err)
	}
	return nil
}

// reader reads a run's postings in order, a page of blocks at a time (one
// query each, so that no result stays open while the transaction writes:
// pgx allows one at a time on a connection).
type reader struct {
	ix     *Index
	q      Querier
	r      run
	from   int64
	buf    []Pair
	pos    int
	done   bool
	shared []byte
	page   *sql.Stmt // the page query prepared, when the merge prepared it
}

// readPage is how many blocks a reader fetches at once.
const readPage = 256

// pageQuery reads a page of a run's blocks from a key on.
var pageQuery = "SELECT key, data FROM print_blocks WHERE key >= ? AND key < ? ORDER BY key LIMIT " + strconv.Itoa(readPage)

func (rd *reader) fill(ctx context.Context) error {
	rd.buf, rd.pos = rd.buf[:0], 0
	_, hi := runRange(rd.r.id)
	var rows *sql.Rows
	var err error
	if rd.page != nil {
		rows, err = rd.page.QueryContext(ctx, rd.from, hi)
	} else {
		rows, err = rd.q.QueryContext(ctx, rd.ix.sql(pageQuery), rd.from, hi)
	}
	if err != nil {
		return err
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var key int64
		if err := rows.Scan(&key, &rd.shared); err != nil {
			return err
		}
		pfx := uint64(key & (1<<32 - 1))
		if rd.buf, err = decodeBlock(rd.buf, rd.shared, rd.r.start(pfx), rd.r.base); err != nil {
			return err
		}
		rd.from = key + 1
		n++
	}
	if n < readPage {
		rd.done = true
	}
	return rows.Err()
}

// peek returns the reader's current posting.
func (rd *reader) peek(ctx context.Context) (Pair, bool, error) {
	for rd.pos >= len(rd.buf) {
		if rd.done {
			return Pair{}, false, nil
		}
		if err := rd.fill(ctx); err != nil {
			return Pair{}, false, err
		}
	}
	return rd.buf[rd.pos], true, nil
}

// merger merges runs' readers in (hash, essay) order, without dead
// postings or repeats.
type merger struct {
	rds   []*reader
	heap  []int // indexes of readers with a current posting, a min-heap
	cur   []Pair
	tombs map[int64]int64
	init  bool
	last  Pair
	any   bool
}

func (ix *Index) newMerger(q Querier, runs []run, tombs map[int64]int64) *merger {
	m := &merger{tombs: tombs}
	for _, r := range runs {
		m.rds = append(m.rds, &reader{ix: ix, q: q, r: r, from: r.id << 32})
	}
	return m
}

func (m *merger) lessAt(i, j int) bool { return less(m.cur[m.heap[i]], m.cur[m.heap[j]]) }

func (m *merger) down(i int) {
	for {
		l := 2*i + 1
		if l >= len(m.heap) {
			return
		}
		c := l
		if r := l + 1; r < len(m.heap) && m.lessAt(r, l) {
			c = r
		}
		if !m.lessAt(c, i) {
			return
		}
		m.heap[i], m.heap[c] = m.heap[c], m.heap[i]
		i = c
	}
}

func (m *merger) next(ctx context.Context) (Pair, bool, error) {
	if !m.init {
		m.init = true
		m.cur = make([]Pair, len(m.rds))
		for i, rd := range m.rds {
			p, ok, err := rd.peek(ctx)
			if err != nil {
				return Pair{}, false, err
			}
			if ok {
				m.cur[i] = p
				m.heap = append(m.heap, i)
			}
		}
		for i := len(m.heap)/2 - 1; i >= 0; i-- {
			m.down(i)
		}
	}
	for len(m.heap) > 0 {
		i := m.heap[0]
		p := m.cur[i]
		rd := m.rds[i]
		rd.pos++
		q, ok, err := rd.peek(ctx)
		if err != nil {
			return Pair{}, false, err
		}
		if ok {
			m.cur[i] = q
		} else {
			m.heap[0] = m.heap[len(m.heap)-1]
			m.heap = m.heap[:len(m.heap)-1]
		}
		if len(m.heap) > 0 {
			m.down(0)
		}
		if l, dead := m.tombs[p.Essay]; dead && rd.r.id < l {
			continue
		}
		if m.any && m.last == p {
			continue
		}
		m.last, m.any = p, true
		return p, true, nil
	}
	return Pair{}, false, nil
}

// Walk calls fn for every hash in the index, ascending, with the essays
// that hold it, ascending. ids is reused between calls; an error from fn
// stops the walk and is returned.
func (ix *Index) Walk(ctx context.Context, q Querier, fn func(hash uint64, essays []int64) error) error {
	runs, err := ix.runs(ctx, q)
	if err != nil {
		return fmt.Errorf("print index: %w", err)
	}
	tombs, err := ix.tombstones(ctx, q)
	if err != nil {
		return fmt.Errorf("print index: %w", err)
	}
	m := ix.newMerger(q, runs, tombs)
	var ids []int64
	var cur uint64
	for {
		p, ok, err := m.next(ctx)
		if err != nil {
			return fmt.Errorf("print index: %w", err)
		}
		if !ok {
			break
		}
		if len(ids) > 0 && p.Hash != cur {
			if err := fn(cur, ids); err != nil {
				return err
			}
			ids = ids[:0]
		}
		cur = p.Hash
		ids = append(ids, p.Essay)
	}
	if len(ids) > 0 {
		return fn(cur, ids)
	}
	return nil
}

// Cache keeps the list of runs and the tombstones of one database's index
// between lookups, with the version they are of: next_run, which every write
// of the index moves on (a new run, a merge, a tombstone). A lookup reads the
// version in its transaction and reloads only when it moved, so that it
// costs one small query and the blocks' (reading every tombstone, or
// sending every essay found to the database to ask for theirs, cost more
// than the blocks in a 100,000-essay library: common prints are held by
// thousands of essays).
//
// It also keeps blocks, up to MaxBytes: a block's key names one run and
// one prefix, runs are never changed once written and their ids never used
// again (next_run only grows, and only committed runs are seen), so a kept
// block is right for as long as its run exists, whatever the version. A
// lookup then fetches from the database only the blocks it does not hold:
// most of a check's hashes are in no library essay, and each of them read
// and scanned its block through SQLite (B-tree descent and a pread). Blocks
// of runs that a merge removed are dropped when the version moves; beyond
// MaxBytes the oldest kept go first.
//
// The zero Cache is empty and keeps up to DefaultCacheBytes; a Cache must
// serve one database only.
type Cache struct {
	// MaxBytes bounds the blocks kept (their bytes plus an estimate of the
	// map's cost for each); 0 means DefaultCacheBytes, < 0 keeps none.
	MaxBytes int

	mu      sync.RWMutex
	ok      bool
	version int64
	runs    []run
	tombs   map[int64]int64
	blocks  map[int64]kept
	fifo    []int64 // keys in the order kept, from head on; may hold keys since dropped
	head    int
	seen    []uint64 // the doorkeeper's bits
	seenN   int
	bytes   int
}

// DefaultCacheBytes is how many bytes of blocks a Cache keeps by default:
// all of a library of 7,000 or so essays (a posting is 8.5 bytes, an essay
// about 850 postings), a part of a larger one.
const DefaultCacheBytes = 64 << 20

// blockOverhead estimates what a kept block costs beyond its bytes: the
// map entry (key, slice header, filter) and the key in the fifo.
const blockOverhead = 96

// kept is a block in a Cache, with a filter of its hashes: a lookup scans
// it only if one of the asked hashes may be in it. A check asks for a
// block's one or two hashes, most of them in no essay, and scanning the
// block's varints up to where the hash would be was most of a lookup once
// the blocks were in memory. The filter is built the second time a block
// is used (filtered tells): a block read once and then dropped, as most are
// in a library many times larger than the Cache, costs no filter.
type kept struct {
	data     []byte
	f        filter
	filtered bool
}

// filter is a Bloom filter of 256 bits with 3 probes: a block of SQLite's
// 32 postings or fewer passes 3 % of hashes it does not hold (PostgreSQL's
// blocks of up to 128, more; they are still scanned right).
type filter [4]uint64

func probes(h uint64) (a, b, c uint64) {
	x := h * 0x9e3779b97f4a7c15
	return x >> 56, (x >> 48) & 255, (x >> 40) & 255
}

func (f *filter) add(h uint64) {
	a, b, c := probes(h)
	f[a>>6] |= 1 << (a & 63)
	f[b>>6] |= 1 << (b & 63)
	f[c>>6] |= 1 << (c & 63)
}

func (f *filter) may(h uint64) bool {
	a, b, c := probes(h)
	return f[a>>6]&(1<<(a&63)) != 0 && f[b>>6]&(1<<(b&63)) != 0 && f[c>>6]&(1<<(c&63)) != 0
}

// filterOf returns the filter of a block's hashes.
func filterOf(data []byte, start uint64) (filter, error) {
	var f filter
	err := blockHashes(data, start, f.add)
	return f, err
}

func (c *Cache) limit() int {
	if c.MaxBytes == 0 {
		return DefaultCacheBytes
	}
	return max(c.MaxBytes, 0)
}

// keep adds blocks (keys and their data, which the Cache takes) and drops
// the oldest while over the limit. Called with c.mu held.
func (c *Cache) keep(keys []int64, datas []kept) {
	lim := c.limit()
	if c.blocks == nil {
		c.blocks = map[int64]kept{}
	}
	for i, k := range keys {
		n := len(datas[i].data) + blockOverhead
		if n > lim {
			continue
		}
		if old, ok := c.blocks[k]; ok {
			c.bytes -= len(old.data) + blockOverhead
		} else {
			c.fifo = append(c.fifo, k)
		}
		c.blocks[k] = datas[i]
		c.bytes += n
	}
	for c.bytes > lim && c.head < len(c.fifo) {
		k := c.fifo[c.head]
		c.head++
		if d, ok := c.blocks[k]; ok {
			delete(c.blocks, k)
			c.bytes -= len(d.data) + blockOverhead
		}
	}
	// The queue moves down only once half of it is gone, not at every
	// call (a full Cache holds a few hundred thousand keys).
	if c.head > 1024 && 2*c.head > len(c.fifo) {
		c.fifo = append(c.fifo[:0], c.fifo[c.head:]...)
		c.head = 0
	}
}

// doorBits is the size of the doorkeeper (128 kB), cleared once a quarter
// of its bits were set.
const doorBits = 1 << 20

// admit says whether to keep a block of n bytes just read: while the Cache
// has room, always; once it is full, only the second time the block is
// read (since the doorkeeper was last cleared). In a library many times
// larger than the Cache most blocks are read once; copying, keeping and
// then dropping them cost a lookup about a third more than reading alone
// (PAN13 lookups through a Cache of 200 kB). Called with c.mu held.
func (c *Cache) admit(key int64, n int) bool {
	if c.bytes+n+blockOverhead <= c.limit() {
		return true
	}
	if c.seen == nil || c.seenN >= doorBits/4 {
		c.seen = make([]uint64, doorBits/64)
		c.seenN = 0
	}
	b := (uint64(key) * 0x9e3779b97f4a7c15) >> (64 - 20)
	w, m := b/64, uint64(1)<<(b%64)
	if c.seen[w]&m != 0 {
		return true
	}
	c.seen[w] |= m
	c.seenN++
	return false
}

// forget drops the blocks of runs not in runs. Called with c.mu held.
func (c *Cache) forget(runs []run) {
	if len(c.blocks) == 0 {
		return
	}
	live := make(map[int64]bool, len(runs))
	for _, r := range runs {
		live[r.id] = true
	}
	kept := c.fifo[:0]
	for _, k := range c.fifo[c.head:] {
		d, ok := c.blocks[k]
		if !ok {
			continue
		}
		if !live[k>>32] {
			delete(c.blocks, k)
			c.bytes -= len(d.data) + blockOverhead
			continue
		}
		kept = append(kept, k)
	}
	c.fifo, c.head = kept, 0
}

// state returns the runs and tombstones of the index as q sees it.
func (ix *Index) state(ctx context.Context, q Querier, c *Cache) ([]run, map[int64]int64, error) {
	var v int64
	if err := q.QueryRowContext(ctx, "SELECT next_run FROM print_state WHERE id = 1").Scan(&v); err != nil {
		return nil, nil, err
	}
	if c != nil {
		c.mu.RLock()
		if c.ok && c.version == v {
			runs, tombs := c.runs, c.tombs
			c.mu.RUnlock()
			return runs, tombs, nil
		}
		c.mu.RUnlock()
	}
	runs, err := ix.runs(ctx, q)
	if err != nil {
		return nil, nil, err
	}
	tombs, err := ix.tombstones(ctx, q)
	if err != nil {
		return nil, nil, err
	}
	if c != nil {
		c.mu.Lock()
		// A lookup in an older snapshot may come after one in a newer:
		// the newest version wins (versions only grow).
		if !c.ok || v > c.version {
			c.ok, c.version, c.runs, c.tombs = true, v, runs, tombs
			c.forget(runs)
		}
		c.mu.Unlock()
	}
	return runs, tombs, nil
}

// Lookup returns the live postings of the given hashes, ordered by hash
// then essay, each once. c (which may be nil) keeps what does not change
// between lookups: the runs, the tombstones and blocks already read. A
// transaction that has written the index must pass a nil c: its runs may
// be rolled back and their ids used again.
func (ix *Index) Lookup(ctx context.Context, q Querier, c *Cache, hashes []uint64) ([]Pair, error) {
	hs := slices.Clone(hashes)
	slices.Sort(hs)
	hs = slices.Compact(hs)
	if len(hs) == 0 {
		return nil, nil
	}
	runs, tombs, err := ix.state(ctx, q, c)
	if err != nil {
		return nil, fmt.Errorf("postings: %w", err)
	}
	// The blocks to read, in key order (runs ascend by id, and a run's
	// prefixes by hash), each with the asked hashes of its prefix,
	// hs[lo[i]:hi[i]], and the run it is of.
	var keys []int64
	var lo, hi []int32
	var of []int
	for ri, r := range runs {
		last := uint64(0)
		for i, h := range hs {
			p := r.prefix(h)
			if i == 0 || p != last {
				if len(keys) > 0 && of[len(of)-1] == ri {
					hi[len(hi)-1] = int32(i)
				}
				keys = append(keys, blockKey(r.id, p))
				lo = append(lo, int32(i))
				hi = append(hi, int32(len(hs)))
				of = append(of, ri)
				last = p
			}
		}
	}
	if len(keys) == 0 {
		return nil, nil
	}
	datas := make([]kept, len(keys))
	held := make([]bool, len(keys))
	missing := keys
	if c != nil && c.limit() > 0 {
		missing = nil
		c.mu.RLock()
		for i, k := range keys {
			if d, ok := c.blocks[k]; ok {
				datas[i], held[i] = d, true
			} else {
				missing = append(missing, k)
			}
		}
		c.mu.RUnlock()
	}
	res := make([]Pair, 0, 4*len(hs))
	scan := func(i int, data []byte) error {
		r := runs[of[i]]
		from := len(res)
		var err error
		if res, err = scanBlock(res, data, r.start(uint64(keys[i]&(1<<32-1))), r.base, hs[lo[i]:hi[i]]); err != nil {
			return fmt.Errorf("postings: block %d: %w", keys[i], err)
		}
		if len(tombs) > 0 {
			kept := res[:from]
			for _, p := range res[from:] {
				if l, ok := tombs[p.Essay]; !ok || r.id >= l {
					kept = append(kept, p)
				}
			}
			res = kept
		}
		return nil
	}
	if len(missing) > 0 {
		rows, err := q.QueryContext(ctx, ix.sql(ix.d.ByList("t.key, t.data", "print_blocks", "key")), ix.d.List(missing))
		if err != nil {
			return nil, fmt.Errorf("postings: %w", err)
		}
		defer rows.Close()
		var data sql.RawBytes
		// Blocks read go to one buffer, and only those the Cache admits
		// are copied on their own: see Cache.admit.
		var arena []byte
		var from, to []int
		if c != nil && c.limit() > 0 {
			arena = make([]byte, 0, 320*len(missing))
			from, to = make([]int, len(keys)), make([]int, len(keys))
		}
		for rows.Next() {
			var key int64
			if err := rows.Scan(&key, &data); err != nil {
				return nil, fmt.Errorf("postings: %w", err)
			}
			i, ok := slices.BinarySearch(keys, key)
			if !ok {
				return nil, fmt.Errorf("postings: block %d not asked for", key)
			}
			if c == nil || c.limit() <= 0 {
				// Without a cache the block's bytes are read in place
				// (RawBytes): copies of them were a third of a lookup's
				// time in a large library.
				if err := scan(i, data); err != nil {
					return nil, err
				}
				continue
			}
			from[i] = len(arena)
			arena = append(arena, data...)
			to[i] = len(arena)
		}
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("postings: %w", err)
		}
		rows.Close()
		if c != nil && c.limit() > 0 {
			var got []int64
			var gotData []kept
			c.mu.Lock()
			for _, k := range missing {
				i, _ := slices.BinarySearch(keys, k)
				if to[i] > from[i] {
					datas[i].data = arena[from[i]:to[i]:to[i]]
				}
				if !c.admit(k, to[i]-from[i]) {
					if datas[i].data == nil {
						datas[i].data = []byte{}
					}
					continue
				}
				if datas[i].data != nil {
					datas[i].data = bytes.Clone(datas[i].data)
				} else {
					// A key without a block (no posting has that
					// prefix, and none will: the run is never
					// written again) is kept as an empty block, its
					// filter empty.
					datas[i] = kept{data: []byte{}, filtered: true}
				}
				got = append(got, k)
				gotData = append(gotData, datas[i])
			}
			c.keep(got, gotData)
			c.mu.Unlock()
		}
	}
	if c != nil && c.limit() > 0 {
		var late []int // held blocks without a filter yet
		for i, d := range datas {
			if held[i] && !d.filtered {
				late = append(late, i)
			}
			if held[i] && d.filtered {
				may := false
				for _, h := range hs[lo[i]:hi[i]] {
					if d.f.may(h) {
						may = true
						break
					}
				}
				if !may {
					continue
				}
			}
			if err := scan(i, d.data); err != nil {
				return nil, err
			}
		}
		if len(late) > 0 {
			fs := make([]filter, len(late))
			for x, i := range late {
				if fs[x], err = filterOf(datas[i].data, runs[of[i]].start(uint64(keys[i]&(1<<32-1)))); err != nil {
					return nil, fmt.Errorf("postings: block %d: %w", keys[i], err)
				}
			}
			c.mu.Lock()
			for x, i := range late {
				// Only if the block is still the one read.
				if d, ok := c.blocks[keys[i]]; ok && !d.filtered && len(d.data) > 0 && &d.data[0] == &datas[i].data[0] {
					d.f, d.filtered = fs[x], true
					c.blocks[keys[i]] = d
				}
			}
			c.mu.Unlock()
		}
	}
	// Blocks are scanned in key order, so the postings of one run are
	// sorted already; several runs need a sort.
	if !slices.IsSortedFunc(res, comparePairs) {
		slices.SortFunc(res, comparePairs)
	}
	return slices.Compact(res), nil
}

// Stats describes the index's size.
type Stats struct {
	Runs, Blocks, Postings, Bytes, Tombstones int64
}

// Stats counts runs, blocks, postings, the bytes of the blocks' data and
// the tombstones.
func (ix *Index) Stats(ctx context.Context, q Querier) (Stats, error) {
	var s Stats
	err := q.QueryRowContext(ctx, "SELECT COUNT(*), COALESCE(SUM(postings), 0) FROM print_runs").Scan(&s.Runs, &s.Postings)
	if err == nil {
		err = q.QueryRowContext(ctx, "SELECT COUNT(*), COALESCE(SUM(LENGTH(data)), 0) FROM print_blocks").Scan(&s.Blocks, &s.Bytes)
	}
	if err == nil {
		err = q.QueryRowContext(ctx, "SELECT COUNT(*) FROM print_tombstones").Scan(&s.Tombstones)
	}
	if err != nil {
		return s, fmt.Errorf("print index stats: %w", err)
	}
	return s, nil
}

// Legacy moves the postings of the table prints(hash, essay_id, offset)
// that ibid kept before this index into one run, for the migration that
// replaces it. It reads the table in primary-key pages, hashes of the top
// bit last (the table orders them as int64s, the index as uint64s).
func (ix *Index) Legacy(ctx context.Context, tx Querier) error {
	var total int64
	var base sql.NullInt64
	if err := tx.QueryRowContext(ctx, "SELECT COUNT(*), MIN(essay_id) FROM prints").Scan(&total, &base); err != nil {
		return fmt.Errorf("print index: legacy prints: %w", err)
	}
	if total == 0 {
		return nil
	}
	if _, err := ix.lock(ctx, tx); err != nil {
		return err
	}
	id, err := ix.allocate(ctx, tx)
	if err != nil {
		return err
	}
	w := ix.newWriter(tx, id, total, base.Int64)
	const page = 50000
	for _, half := range []string{"hash >= 0", "hash < 0"} {
		var lastH, lastE int64
		first := true
		for {
			cond := half
			args := []any{}
			if !first {
				cond += " AND (hash > ? OR (hash = ? AND essay_id > ?))"
				args = append(args, lastH, lastH, lastE)
			}
			rows, err := tx.QueryContext(ctx, ix.sql("SELECT hash, essay_id FROM prints WHERE "+cond+
				" ORDER BY hash, essay_id LIMIT "+strconv.Itoa(page)), args...)
			if err != nil {
				return fmt.Errorf("print index: legacy prints: %w", err)
			}
			var batch []Pair
			for rows.Next() {
				var h, e int64
				if err := rows.Scan(&h, &e); err != nil {
					rows.Close()
					return fmt.Errorf("print index: legacy prints: %w", err)
				}
				batch = append(batch, Pair{uint64(h), e})
				lastH, lastE = h, e
			}
			err = rows.Err()
			rows.Close()
			if err != nil {
				return fmt.Errorf("print index: legacy prints: %w", err)
			}
			for _, p := range batch {
				if err := w.add(ctx, p); err != nil {
					return err
				}
			}
			first = false
			if len(batch) < page {
				break
			}
		}
	}
	return w.close(ctx)
}
