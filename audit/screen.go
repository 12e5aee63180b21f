package audit

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sort"
	"sync"

	"github.com/ibid-dev/ibid"
	"github.com/ibid-dev/ibid/internal/par"
	"github.com/ibid-dev/ibid/originality"
)

// Similar is an essay that a screened essay copies or paraphrases, or that
// copies it.
type Similar struct {
	// EssayID is the stored essay; 0 when the essay is Earlier.
	EssayID int64
	// Earlier, when EssayID is 0, is the index of an earlier essay of the
	// same Screen call: one of the same import, not stored yet.
	Earlier    int
	Slug       string // empty for an Earlier essay
	Title      string
	Similarity float64 // the larger of the two essays' shares
}

// Screen compares essays about to be stored (in import order, with their
// Text, Hash and Prints set) with the library and with each other, before
// any of them is stored, so that an import can report or refuse copies and
// paraphrases and still store each essay in one transaction. It returns,
// for each essay, the essays it shares passages with at a similarity of at
// least minSim (DefaultMin when 0), most similar first.
//
// An essay is compared with the earlier essays of es as if they were
// stored already, except those that will not be: the ones whose text is in
// the library or earlier in es (re-imports, which Screen never reports) and,
// when reject is set, the ones Screen reports (which the import refuses).
//
// Only candidates sharing enough prints with an essay are aligned (see the
// package documentation): one look-up of the index for the whole batch,
// then alignments only where a copy is likely, so a bulk import of
// unrelated essays pays for the look-up alone.
func Screen(ctx context.Context, st ibid.Store, es []*ibid.Essay, minSim float64, reject bool) ([][]Similar, error) {
	return ScreenAfter(ctx, st, nil, es, minSim, reject)
}

// ScreenAfter is Screen for essays that will be stored after prior, essays
// that are not in the library yet but will be (a bulk import's previous
// batch, stored while this one is screened): es are compared with prior as
// with their own earlier essays, and prior are not screened themselves.
// Similar.Earlier then counts prior first: k < len(prior) is prior[k], the
// rest es[k-len(prior)]. A prior essay that the library holds by the time
// of the look-up is found as an Earlier essay only, not twice.
func ScreenAfter(ctx context.Context, st ibid.Store, prior, es []*ibid.Essay, minSim float64, reject bool) ([][]Similar, error) {
	sc := &Screener{Store: st, Min: minSim, Reject: reject}
	return sc.Screen(ctx, prior, es)
}

// A Screener screens the batches of one import in turn (Screen, as
// ScreenAfter does), keeping between calls the tables it reuses and the
// texts it prepared for the last two calls: an essay prepared as a
// candidate or as a screened essay of one batch is often a candidate
// again in the next two (as prior, then as stored), and preparing a text
// for the aligner costs about as much as aligning it. The zero value is
// not ready; set Store. Screen is called by one goroutine at a time;
// Stored may be called from another.
type Screener struct {
	Store ibid.Store
	// Min is the smallest similarity reported; 0 means DefaultMin.
	Min float64
	// Reject: the essays reported are refused, not compared with later
	// ones (see Screen).
	Reject bool
	// Workers is the number of texts prepared and aligned at once; 0
	// means GOMAXPROCS.
	Workers int

	table    hashTable
	cur, old map[string]*originality.Text // prepared texts by content hash

	mu     sync.Mutex
	counts []idCount // the essays Stored, by ID

	floor int64 // the largest essay ID seen by an earlier call (Screen's goroutine only)
}

// storedPrior says which of the stored essays ids (found holding the
// batch's hashes) are essays of prior, stored by the writer since: the ones
// whose text is a prior essay's, among those above every ID the Screener
// saw before (an essay is given an ID above every stored one, so prior's,
// stored after the last call's look-up, are all above it) and not given to
// Stored. Without prior it says none.
func (sc *Screener) storedPrior(ctx context.Context, ids []int64, priorHash map[string]bool) ([]bool, error) {
	isPrior := make([]bool, len(ids))
	floor := sc.floor
	for _, id := range ids {
		sc.floor = max(sc.floor, id)
	}
	if len(priorHash) == 0 {
		return isPrior, nil
	}
	var ask []int64
	var at []int
	for d, id := range ids {
		if id > floor {
			if _, ok := sc.printCount(id); !ok {
				ask = append(ask, id)
				at = append(at, d)
			}
		}
	}
	if len(ask) == 0 {
		return isPrior, nil
	}
	hashes, err := sc.Store.EssayHashes(ctx, ask)
	if err != nil {
		return nil, fmt.Errorf("audit: essay hashes: %w", err)
	}
	for k, id := range ask {
		isPrior[at[k]] = priorHash[hashes[id]]
	}
	return isPrior, nil
}

// idCount is a stored essay's number of distinct prints.
type idCount struct {
	id int64
	n  int32
}

// Stored tells the Screener that es, essays of its earlier calls, are now
// in the library (their IDs set): when a later call finds one of them as a
// stored candidate, it judges the prints they share against the smaller
// of the two essays' print counts, as it would have while the essay was
// still an earlier essay of a batch, rather than against the screened
// essay's own alone (a stored essay's count is not otherwise at hand). So
// what an import reports does not depend on where its batches were cut.
// It reads es's Prints: call it before dropping them.
func (sc *Screener) Stored(es []*ibid.Essay) {
	add := make([]idCount, 0, len(es))
	for _, e := range es {
		if e.ID != 0 && len(e.Prints) > 0 {
			add = append(add, idCount{e.ID, int32(countDistinct(e.Prints))})
		}
	}
	cmpID := func(a, b idCount) int { return cmp.Compare(a.id, b.id) }
	slices.SortFunc(add, cmpID)
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if len(sc.counts) > 0 && len(add) > 0 && add[0].id < sc.counts[len(sc.counts)-1].id {
		// IDs out of order (another writer meanwhile): sort a new
		// slice, so that a lookup never reads one being sorted.
		sc.counts = slices.Concat(sc.counts, add)
		slices.SortFunc(sc.counts, cmpID)
		return
	}
	sc.counts = append(sc.counts, add...)
}

// printCount is the number of distinct prints of a stored essay given to
// Stored.
func (sc *Screener) printCount(id int64) (int, bool) {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	k, ok := slices.BinarySearchFunc(sc.counts, id, func(c idCount, id int64) int { return cmp.Compare(c.id, id) })
	if !ok {
		return 0, false
	}
	return int(sc.counts[k].n), true
}

// countDistinct is the number of distinct hashes of prints.
func countDistinct(ps []ibid.Print) int {
	sorted := true
	n := 0
	for j, p := range ps {
		if j > 0 && p.Hash < ps[j-1].Hash {
			sorted = false
			break
		}
		if j == 0 || p.Hash != ps[j-1].Hash {
			n++
		}
	}
	if sorted {
		return n
	}
	return len(distinctHashes(ps))
}

// Screen is ScreenAfter with the Screener's store and settings.
//
// It counts the prints each essay shares with every candidate (stored
// essays through one look-up of the index for the whole batch, earlier
// essays of prior and es through a table of their hashes), decides which
// candidates to align exactly as an essay-by-essay pass would, and then
// prepares and aligns them on every core: without RejectSimilar, which
// essays later ones are compared with does not depend on what the
// alignments find, so they can all wait for the end; with it, an essay's
// candidates are aligned (in parallel) before the next essay is looked at.
func (sc *Screener) Screen(ctx context.Context, prior, es []*ibid.Essay) ([][]Similar, error) {
	st, minSim, reject := sc.Store, sc.Min, sc.Reject
	if minSim <= 0 {
		minSim = DefaultMin
	}
	out := make([][]Similar, len(es))
	from := len(prior)
	es = append(slices.Clip(prior), es...)
	// Each essay's distinct hashes, ascending, and all of them: sorted
	// slices and one walk rather than maps (maps of the batch's hashes
	// were a third of the screen's CPU in an import of the PAN13 sources).
	distinct := make([][]uint64, len(es))
	total, looked := 0, 0
	for i, e := range es {
		distinct[i] = distinctHashes(e.Prints)
		total += len(distinct[i])
		if i >= from {
			looked += len(distinct[i])
		}
	}
	if looked == 0 {
		return out, nil
	}
	// prior's essays go into the table first: a hash that more than
	// maxGroup of them hold is cut for every essay of es whatever the
	// library holds, so it is not looked up.
	sc.table.reset(total)
	for i := range from {
		sc.table.add(distinct[i], int32(i))
	}
	all := make([]uint64, 0, looked)
	for _, hs := range distinct[from:] {
		for _, h := range hs {
			if sc.table.slot(h).size <= maxGroup {
				all = append(all, h)
			}
		}
	}
	sortHashes(all)
	all = slices.Compact(all)
	var posts []ibid.Posting
	if len(all) > 0 {
		var err error
		if posts, err = st.Postings(ctx, all); err != nil {
			return nil, fmt.Errorf("audit: postings: %w", err)
		}
	}
	// The stored essays holding each hash, each once: hash held[k] is held
	// by the essays storedIDs[ids[at[k]:at[k+1]]] (ids are dense indexes
	// of storedIDs, so that counting is an array increment). Stores give
	// postings by hash and essay.
	if !slices.IsSortedFunc(posts, cmpPosting) {
		posts = slices.Clone(posts)
		slices.SortFunc(posts, cmpPosting)
	}
	priorHash := make(map[string]bool, len(prior))
	for _, e := range prior {
		priorHash[e.Hash] = true
	}
	dense := map[int64]int32{}
	var storedIDs []int64
	for _, p := range posts {
		if _, ok := dense[p.EssayID]; !ok {
			dense[p.EssayID] = int32(len(storedIDs))
			storedIDs = append(storedIDs, p.EssayID)
		}
	}
	// Essays of prior that the writer stored meanwhile are left out: they
	// are compared as earlier essays, and counted there once.
	isPrior, err := sc.storedPrior(ctx, storedIDs, priorHash)
	if err != nil {
		return nil, err
	}
	var held []uint64
	var at []int
	ids := make([]int32, 0, len(posts))
	last := int64(-1)
	for _, p := range posts {
		d := dense[p.EssayID]
		if isPrior[d] {
			continue
		}
		if len(held) == 0 || held[len(held)-1] != p.Hash {
			held = append(held, p.Hash)
			at = append(at, len(ids))
		} else if last == p.EssayID {
			continue
		}
		last = p.EssayID
		ids = append(ids, d)
	}
	at = append(at, len(ids))
	dense = nil

	sc.old, sc.cur = sc.cur, map[string]*originality.Text{}
	texts := make([]*lazyText, len(es)) // es's texts, prepared when first aligned
	textOf := func(k int) *lazyText {
		if texts[k] == nil {
			texts[k] = sc.lazy(es[k].Hash, es[k].Text)
		}
		return texts[k]
	}
	stored := make([]*storedEssay, len(storedIDs)) // read once per call
	hashes := map[string]bool{}                    // texts stored or to be stored
	for _, e := range prior {
		hashes[e.Hash] = true
	}
	sharedStored := make([]int32, len(storedIDs))
	sharedBatch := make([]int32, len(es))
	var touchedStored, touchedBatch []int32
	var jobs []alignJob
	for i, e := range es {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if i < from {
			continue // in the table already
		}
		if hashes[e.Hash] {
			continue // a re-import: stays a no-op
		}
		o := i - from // e's place in out
		n := len(distinct[i])
		touchedStored, touchedBatch = touchedStored[:0], touchedBatch[:0]
		pos := 0 // distinct[i] and held ascend: one walk of both
		for _, h := range distinct[i] {
			pos = seek(held, pos, h)
			var hs []int32 // the stored essays holding h
			if pos < len(held) && held[pos] == h {
				hs = ids[at[pos]:at[pos+1]]
			}
			// A hash held by more than maxGroup earlier essays, stored
			// or of the batch, is a common phrase: counted for none.
			slot := sc.table.slot(h)
			if len(hs)+int(slot.size) > maxGroup {
				continue
			}
			for _, d := range hs {
				if sharedStored[d] == 0 {
					touchedStored = append(touchedStored, d)
				}
				sharedStored[d]++
			}
			touchedBatch = sc.table.count(slot, sharedBatch, touchedBatch)
		}
		mine := len(jobs)
		dup := false
		for _, d := range touchedStored {
			c := int(sharedStored[d])
			sharedStored[d] = 0
			if dup || c < minShared {
				continue
			}
			// The threshold is on the smaller essay's print count, as
			// for earlier essays of the batch, when the stored essay's
			// is known (Stored), else on this essay's own.
			if !enough(c, n, minSim) {
				m, ok := sc.printCount(storedIDs[d])
				if !ok || !enough(c, min(n, m), minSim) {
					continue
				}
			}
			p := stored[d]
			if p == nil {
				p, err = sc.fetch(ctx, storedIDs[d])
				if err != nil {
					return nil, err
				}
				stored[d] = p
			}
			if p.gone {
				continue // deleted since the look-up
			}
			if p.hash == e.Hash {
				dup = true
				continue
			}
			if priorHash[p.hash] {
				continue // a prior essay stored meanwhile: compared as Earlier
			}
			jobs = append(jobs, alignJob{o: o, sub: textOf(i), other: p.text, stored: p})
		}
		if dup {
			for _, k := range touchedBatch {
				sharedBatch[k] = 0
			}
			jobs = jobs[:mine]
			hashes[e.Hash] = true
			continue
		}
		for _, k := range touchedBatch {
			c := int(sharedBatch[k])
			sharedBatch[k] = 0
			if !enough(c, min(n, len(distinct[k])), minSim) {
				continue
			}
			jobs = append(jobs, alignJob{o: o, sub: textOf(i), other: textOf(int(k)), earlier: int(k)})
		}
		hashes[e.Hash] = true
		if reject {
			// Whether e is compared with the essays after it depends on
			// what its alignments find.
			if err := sc.align(ctx, jobs[mine:]); err != nil {
				return nil, err
			}
			if found(jobs[mine:], minSim) {
				continue // refused: not in the library for the essays after it
			}
		}
		sc.table.add(distinct[i], int32(i))
	}
	if !reject {
		if err := sc.align(ctx, jobs); err != nil {
			return nil, err
		}
	}
	for _, j := range jobs {
		if j.sim < minSim {
			continue
		}
		if p := j.stored; p != nil {
			out[j.o] = append(out[j.o], Similar{EssayID: p.id, Slug: p.slug, Title: p.title, Similarity: j.sim})
		} else {
			out[j.o] = append(out[j.o], Similar{Earlier: j.earlier, Title: es[j.earlier].Title, Similarity: j.sim})
		}
	}
	for _, s := range out {
		sortSimilar(s)
	}
	return out, nil
}

// distinctHashes are the distinct hashes of prints, ascending. Prints
// sorted by hash already (as the importer's workers leave them) are not
// sorted again.
func distinctHashes(ps []ibid.Print) []uint64 {
	hs := make([]uint64, len(ps))
	for j, p := range ps {
		hs[j] = p.Hash
	}
	if !slices.IsSorted(hs) {
		slices.Sort(hs)
	}
	return slices.Compact(hs)
}

// SortPrints sorts prints by hash, the order in which Screen uses them: an
// importer can sort them where it fingerprints, on every core, rather than
// in the screen, which is serial. (The stores keep no print's offset or
// order.) A radix sort, a byte at a time, skipping the bytes all hashes
// share: slices.SortFunc took 1.9 s of CPU in an import of 20,000
// generated essays.
func SortPrints(ps []ibid.Print) {
	if len(ps) < 64 {
		slices.SortFunc(ps, func(a, b ibid.Print) int { return cmp.Compare(a.Hash, b.Hash) })
		return
	}
	buf := make([]ibid.Print, len(ps))
	src, dst := ps, buf
	var counts [256]int
	for shift := uint(0); shift < 64; shift += 8 {
		clear(counts[:])
		for _, p := range src {
			counts[byte(p.Hash>>shift)]++
		}
		if counts[byte(src[0].Hash>>shift)] == len(src) {
			continue // every hash has this byte: nothing to move
		}
		sum := 0
		for d, c := range counts {
			counts[d] = sum
			sum += c
		}
		for _, p := range src {
			d := byte(p.Hash >> shift)
			dst[counts[d]] = p
			counts[d]++
		}
		src, dst = dst, src
	}
	if &src[0] != &ps[0] {
		copy(ps, src)
	}
}

// Warm loads what the aligner needs once per process (the thesaurus's word
// lists, about 0.1 s of CPU), so that a caller can do it while it waits for
// its first essays rather than in the first screen.
func Warm() {
	originality.Prepare("Warm the aligner's word lists.", originality.Options{})
}

// seek returns the first index from pos of the ascending hs whose hash is
// not below h: a galloping search, since the next one is usually near.
func seek(hs []uint64, pos int, h uint64) int {
	if pos >= len(hs) || hs[pos] >= h {
		return pos
	}
	step := 1
	lo := pos // hs[lo] < h
	for lo+step < len(hs) && hs[lo+step] < h {
		lo += step
		step *= 2
	}
	hi := min(lo+step, len(hs)) // hs[hi] >= h, or the end
	return lo + 1 + sort.Search(hi-lo-1, func(j int) bool { return hs[lo+1+j] >= h })
}

// storedEssay is a library essay read for alignment.
type storedEssay struct {
	id          int64
	slug, title string
	hash        string
	text        *lazyText
	gone        bool // deleted since the look-up
}

func (sc *Screener) fetch(ctx context.Context, id int64) (*storedEssay, error) {
	e, err := sc.Store.EssayByID(ctx, id)
	if ibid.ErrorCode(err) == ibid.ENOTFOUND {
		return &storedEssay{id: id, gone: true}, nil
	}
	if err != nil {
		return nil, err
	}
	return &storedEssay{id: e.ID, slug: e.Slug, title: e.Title, hash: e.Hash, text: sc.lazy(e.Hash, e.Text)}, nil
}

// lazyText is a text prepared for the aligner when first needed, by
// whichever alignment needs it first.
type lazyText struct {
	once sync.Once
	hash string
	s    string
	t    *originality.Text
}

func (l *lazyText) get() *originality.Text {
	l.once.Do(func() { l.t = originality.Prepare(l.s, originality.Options{}) })
	return l.t
}

// lazy is the text of content hash: prepared already when the last two
// calls prepared it. Texts made here are kept for the next calls when
// prepared.
func (sc *Screener) lazy(hash, s string) *lazyText {
	l := &lazyText{hash: hash, s: s}
	if t := sc.cur[hash]; t != nil {
		l.t = t
	} else if t := sc.old[hash]; t != nil {
		l.t = t
		sc.cur[hash] = t
	}
	if l.t != nil {
		l.once.Do(func() {})
	}
	return l
}

// alignJob is one candidate of the essay out[o]: a stored essay or the
// earlier essay es[earlier].
type alignJob struct {
	o          int
	sub, other *lazyText
	stored     *storedEssay
	earlier    int
	sim        float64
}

// found reports whether any of jobs reaches min.
func found(jobs []alignJob, min float64) bool {
	for _, j := range jobs {
		if j.sim >= min {
			return true
		}
	}
	return false
}

// align prepares the texts of jobs and aligns them, on every core, and
// keeps the texts it prepared for the next calls.
func (sc *Screener) align(ctx context.Context, jobs []alignJob) error {
	err := par.Each(ctx, sc.Workers, len(jobs), func(k int) {
		j := &jobs[k]
		sa, sb := alignShares(j.sub.get(), j.other.get())
		j.sim = max(sa, sb)
	})
	if err != nil {
		return err
	}
	for _, j := range jobs {
		sc.cur[j.sub.hash] = j.sub.t
		sc.cur[j.other.hash] = j.other.t
	}
	return nil
}

// hashTable maps the hashes of the essays of a batch to the essays holding
// them (chains of entries, newest first): open addressing on arrays that
// the next call reuses, since a map of slices cost a tenth of the
// import's CPU in allocations and rehashing. A slot keeps its hash, chain
// and count together, so that a probe reads one cache line.
type hashTable struct {
	slots   []hashSlot
	shift   uint
	entries []hashEntry
}

// hashEntry is one essay holding a hash, and the next entry + 1 of the
// same hash (0 at the end of the chain).
type hashEntry struct {
	next, essay int32
}

type hashSlot struct {
	key  uint64
	head int32 // first entry + 1; 0 for an empty slot
	size int32 // essays holding the hash
}

// reset empties t for up to n entries.
func (t *hashTable) reset(n int) {
	slots := 1024
	shift := uint(64 - 10)
	for slots < 2*n {
		slots *= 2
		shift--
	}
	if cap(t.slots) >= slots {
		t.slots = t.slots[:slots]
		clear(t.slots)
	} else {
		t.slots = make([]hashSlot, slots)
	}
	t.shift = shift
	t.entries = t.entries[:0]
}

// slot is where h is, or would be put.
func (t *hashTable) slot(h uint64) *hashSlot {
	mask := len(t.slots) - 1
	i := int((h * 0x9e3779b97f4a7c15) >> t.shift)
	for t.slots[i].head != 0 && t.slots[i].key != h {
		i = (i + 1) & mask
	}
	return &t.slots[i]
}

// add records that essay k holds the distinct hashes hs.
func (t *hashTable) add(hs []uint64, k int32) {
	for _, h := range hs {
		s := t.slot(h)
		s.key = h
		t.entries = append(t.entries, hashEntry{next: s.head, essay: k})
		s.head = int32(len(t.entries))
		s.size++
	}
}

// count adds one to shared[k] for each essay k holding the hash of slot s
// (from slot), and appends to touched the essays counted for the first
// time.
func (t *hashTable) count(s *hashSlot, shared []int32, touched []int32) []int32 {
	for e := s.head; e != 0; {
		en := t.entries[e-1]
		k := en.essay
		e = en.next
		if shared[k] == 0 {
			touched = append(touched, k)
		}
		shared[k]++
	}
	return touched
}

// sortHashes sorts hs: a radix sort (four passes of 16 bits) when they are
// many, as the hashes of a whole batch are.
func sortHashes(hs []uint64) {
	if len(hs) < 1<<14 {
		slices.Sort(hs)
		return
	}
	buf := make([]uint64, len(hs))
	src, dst := hs, buf
	var counts [1 << 16]int
	for shift := uint(0); shift < 64; shift += 16 {
		clear(counts[:])
		for _, h := range src {
			counts[(h>>shift)&0xffff]++
		}
		sum := 0
		for d, c := range counts {
			counts[d] = sum
			sum += c
		}
		for _, h := range src {
			d := (h >> shift) & 0xffff
			dst[counts[d]] = h
			counts[d]++
		}
		src, dst = dst, src
	}
	// After four passes the sorted hashes are back in hs.
}

func cmpPosting(a, b ibid.Posting) int {
	if a.Hash != b.Hash {
		if a.Hash < b.Hash {
			return -1
		}
		return 1
	}
	return cmp.Compare(a.EssayID, b.EssayID)
}

func sortSimilar(s []Similar) {
	sort.Slice(s, func(i, j int) bool {
		if s[i].Similarity != s[j].Similarity {
			return s[i].Similarity > s[j].Similarity
		}
		if s[i].EssayID != s[j].EssayID {
			return s[i].EssayID < s[j].EssayID
		}
		return s[i].Earlier < s[j].Earlier
	})
}
