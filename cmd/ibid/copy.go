package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/ibid-dev/ibid"
	"github.com/ibid-dev/ibid/originality"
)

func init() {
	register(&command{
		name:    "copy",
		summary: "copy a library, editors' accounts included, into another store (SQLite or PostgreSQL) and verify it",
		usage:   "--from DB --to DB",
		run:     runCopy,
	})
}

// copyStore is what copying needs of a store beyond ibid.Store: keeping an
// essay's original times.
type copyStore interface {
	ibid.Store
	SetTimes(ctx context.Context, id int64, created, updated time.Time) error
}

func runCopy(ctx context.Context, e *env, args []string) error {
	c := commands["copy"]
	fs := newFlags(e, c)
	from := fs.String("from", "", "the library to copy: a SQLite file path or a postgres:// URL")
	to := fs.String("to", "", "the library to copy into, created when missing; essays already in it stay")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	switch {
	case fs.NArg() > 0:
		return usageError{"unexpected arguments: " + strings.Join(fs.Args(), " ")}
	case *from == "" || *to == "":
		return usageError{"give both --from and --to"}
	case sameLibrary(*from, *to):
		return usageError{"--from and --to name the same library"}
	}
	if !isPostgres(*from) {
		// Opening a missing file would create an empty library and copy
		// nothing, which looks like success.
		if _, err := os.Stat(*from); err != nil {
			return ibid.Errorf(ibid.ENOTFOUND, "no library at %s", *from)
		}
	}
	src, err := openCopyStore(*from)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := openCopyStore(*to)
	if err != nil {
		return err
	}
	defer dst.Close()

	res, err := copyLibrary(ctx, src, dst, e)
	if err != nil {
		return err
	}
	for _, r := range res.renamed {
		fmt.Fprintf(e.stderr, "slug taken in the destination: %s is now %s\n", r[0], r[1])
	}
	fmt.Fprintf(e.stdout, "copied %d essays (%d were already there) with %d prints; verified %d of %d: contents, times and prints in the index match\n",
		res.copied, res.present, res.prints, res.verified, res.total)
	acc, err := copyAccounts(ctx, src, dst)
	if err != nil {
		return err
	}
	if acc.users+acc.usersPresent > 0 {
		fmt.Fprintf(e.stdout, "copied %d editor accounts (%d were already there) and %d API tokens (%d were already there)\n",
			acc.users, acc.usersPresent, acc.tokens, acc.tokensPresent)
	}
	return nil
}

func isPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

func sameLibrary(a, b string) bool {
	if isPostgres(a) || isPostgres(b) {
		return a == b
	}
	pa, errA := filepath.Abs(a)
	pb, errB := filepath.Abs(b)
	return errA == nil && errB == nil && pa == pb
}

func openCopyStore(dsn string) (copyStore, error) {
	st, err := openStore(dsn)
	if err != nil {
		return nil, err
	}
	cs, ok := st.(copyStore)
	if !ok {
		st.Close()
		return nil, ibid.Errorf(ibid.EINVALID, "the store of %s cannot be copied", dsn)
	}
	return cs, nil
}

type copyResult struct {
	total    int // essays in the source
	copied   int // written to the destination by this run
	present  int // found in the destination already (same content hash)
	verified int
	prints   int
	renamed  [][2]string // slugs that were taken in the destination: old, new
}

// copyLibrary writes every essay of src that dst lacks into dst, oldest
// first, copyBatch a transaction, with its times, fingerprinted anew from its text (the index keeps
// which essays hold a print, not each essay's prints, and prints are derived
// from the text), then reads every essay back from both, compares them and
// checks that dst's index holds every print of each. Essays are matched by content hash, so running it
// again after an interruption finishes the job. The source should not be
// written to meanwhile.
func copyLibrary(ctx context.Context, src, dst copyStore, e *env) (copyResult, error) {
	var res copyResult
	ids, err := allIDs(ctx, src)
	if err != nil {
		return res, err
	}
	res.total = len(ids)
	copied := map[int64]bool{}
	bar := newProgress(e.stderr, "copying", len(ids))
	for start := 0; start < len(ids); start += copyBatch {
		chunk := ids[start:min(start+copyBatch, len(ids))]
		ins := make([]*ibid.Essay, len(chunk))
		outs := make([]*ibid.Essay, len(chunk))
		for i, id := range chunk {
			in, err := readFull(ctx, src, id)
			if err != nil {
				bar.Done()
				return res, err
			}
			out := *in
			out.ID = 0
			ins[i], outs[i] = in, &out
		}
		fingerprintAll(outs)
		var errs []error
		if bc, ok := dst.(ibid.BatchCreator); ok {
			errs = bc.CreateEssays(ctx, outs)
		} else {
			for _, out := range outs {
				errs = append(errs, dst.CreateEssay(ctx, out))
			}
		}
		for i, in := range ins {
			out, err := outs[i], errs[i]
			switch {
			case ibid.ErrorCode(err) == ibid.ECONFLICT:
				if _, herr := dst.EssayByHash(ctx, in.Hash); herr != nil {
					bar.Done()
					return res, fmt.Errorf("copy %q: %w", in.Slug, err)
				}
				res.present++
			case err != nil:
				bar.Done()
				return res, fmt.Errorf("copy %q: %w", in.Slug, err)
			default:
				if err := dst.SetTimes(ctx, out.ID, in.Created, in.Updated); err != nil {
					bar.Done()
					return res, fmt.Errorf("copy %q: %w", in.Slug, err)
				}
				copied[in.ID] = true
				res.copied++
				res.prints += len(originality.DistinctHashes(out.Prints))
				if out.Slug != in.Slug {
					res.renamed = append(res.renamed, [2]string{in.Slug, out.Slug})
				}
			}
			out.Prints = nil
			bar.Add(1)
		}
	}
	bar.Done()

	bar = newProgress(e.stderr, "verifying", len(ids))
	defer bar.Done()
	var bad []string
	for _, id := range ids {
		in, err := readFull(ctx, src, id)
		if err != nil {
			return res, err
		}
		got, err := dst.EssayByHash(ctx, in.Hash)
		if err != nil {
			bad = append(bad, fmt.Sprintf("%s: missing (%v)", in.Slug, err))
			continue
		}
		if got, err = readFull(ctx, dst, got.ID); err != nil {
			return res, err
		}
		missing, err := missingPrints(ctx, dst, got)
		if err != nil {
			return res, err
		}
		if contentDigest(in) != contentDigest(got) {
			bad = append(bad, in.Slug+": contents differ")
		} else if copied[in.ID] && !sameTimes(in, got) {
			bad = append(bad, in.Slug+": times differ")
		} else if missing > 0 {
			bad = append(bad, fmt.Sprintf("%s: %d prints missing from the index", in.Slug, missing))
		} else {
			res.verified++
		}
		bar.Add(1)
	}
	if _, n, err := dst.Essays(ctx, ibid.EssayFilter{Limit: 1}); err != nil {
		return res, err
	} else if n < res.total {
		bad = append(bad, fmt.Sprintf("the destination holds %d essays, fewer than the source's %d", n, res.total))
	}
	if len(bad) > 0 {
		if len(bad) > 5 {
			bad = append(bad[:5], fmt.Sprintf("and %d more", len(bad)-5))
		}
		return res, errors.New("copy verification failed: " + strings.Join(bad, "; "))
	}
	return res, nil
}

// copyBatch is how many essays a copy writes in one transaction when the
// destination can (ibid.BatchCreator): one commit, one run of the print
// index and one FTS5 segment per batch rather than per essay.
const copyBatch = 200

// fingerprintAll fingerprints the essays' texts on every core.
func fingerprintAll(es []*ibid.Essay) {
	var wg sync.WaitGroup
	next := make(chan *ibid.Essay)
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for e := range next {
				e.Prints = originality.Fingerprint(e.Text)
			}
		}()
	}
	for _, e := range es {
		next <- e
	}
	close(next)
	wg.Wait()
}

// allIDs lists the IDs of every essay in s, oldest first, so that a copy
// keeps the order of IDs.
func allIDs(ctx context.Context, s ibid.Store) ([]int64, error) {
	const page = 1000
	var ids []int64
	for offset := 0; ; offset += page {
		list, total, err := s.Essays(ctx, ibid.EssayFilter{Limit: page, Offset: offset})
		if err != nil {
			return nil, err
		}
		for _, e := range list {
			ids = append(ids, e.ID)
		}
		if len(list) < page || offset+page >= total {
			break
		}
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids, nil
}

// readFull returns an essay with its blocks and text.
func readFull(ctx context.Context, s copyStore, id int64) (*ibid.Essay, error) {
	return s.EssayByID(ctx, id)
}

// missingPrints returns how many of the distinct prints of e's text the
// store's index does not give for e.
func missingPrints(ctx context.Context, s ibid.Store, e *ibid.Essay) (int, error) {
	hashes := originality.DistinctHashes(originality.Fingerprint(e.Text))
	ps, err := s.Postings(ctx, hashes)
	if err != nil {
		return 0, err
	}
	found := 0
	for _, p := range ps {
		if p.EssayID == e.ID {
			found++
		}
	}
	return len(hashes) - found, nil
}

// contentDigest is a SHA-256 of everything an essay is, apart from what a
// store assigns (ID, slug, times) and what is derived from its text (its
// prints): its metadata, blocks, text, counts and content hash.
func contentDigest(e *ibid.Essay) string {
	published := ""
	if !e.Published.IsZero() {
		published = e.Published.UTC().Format(time.DateOnly)
	}
	b, err := json.Marshal(struct {
		Title, Author, Subject, Published, License, Source, Text, Hash string
		Topics                                                         []string
		Blocks                                                         []ibid.Block
		Words                                                          int
	}{e.Title, e.Author, e.Subject, published, e.License, e.Source, e.Text, e.Hash, e.Topics, e.Blocks, e.Words})
	if err != nil {
		panic(err) // plain strings, ints and slices always marshal
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// sameTimes compares times to the microsecond, PostgreSQL's precision.
func sameTimes(a, b *ibid.Essay) bool {
	return a.Created.Truncate(time.Microsecond).Equal(b.Created.Truncate(time.Microsecond)) &&
		a.Updated.Truncate(time.Microsecond).Equal(b.Updated.Truncate(time.Microsecond))
}
