package postgres_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/ibid-dev/ibid"
	"github.com/ibid-dev/ibid/originality"
	"github.com/ibid-dev/ibid/sqlite"
	"github.com/ibid-dev/ibid/storetest"
)

// The benchmarks run each operation on both stores, so that their numbers
// can be compared on one machine: go test -run XXX -bench . ./postgres
// (with IBID_TEST_POSTGRES set for the PostgreSQL half). BenchmarkLibrary
// first writes a library of benchEssays essays into each store, which takes
// a while.

const (
	benchEssays = 1000 // essays in the library searched and checked
	benchWords  = 800  // words per generated essay
)

// vocabulary is a fixed set of made-up words with a skewed (Zipf-like)
// frequency, so that some words are common and most are rare, as in prose.
var vocabulary = func() []string {
	r := rand.New(rand.NewPCG(1, 2))
	syll := []string{"ka", "lo", "mi", "ra", "tes", "von", "bri", "del", "us", "an", "or", "phe", "gin", "tur", "sa", "ne"}
	words := make([]string, 5000)
	for i := range words {
		var b strings.Builder
		for range 2 + r.IntN(3) {
			b.WriteString(syll[r.IntN(len(syll))])
		}
		words[i] = fmt.Sprintf("%s%d", b.String(), i%97) // unique words, some of them prefixes of others
	}
	return words
}()

// genEssay returns a deterministic essay number i: a title of three words
// and benchWords words of body in paragraphs, with its fingerprints.
func genEssay(i int) *ibid.Essay {
	r := rand.New(rand.NewPCG(uint64(i), 7))
	zipf := rand.NewZipf(r, 1.1, 2, uint64(len(vocabulary)-1))
	word := func() string { return vocabulary[zipf.Uint64()] }
	var paras []string
	for p := 0; p < benchWords/100; p++ {
		ws := make([]string, 100)
		for j := range ws {
			ws[j] = word()
		}
		paras = append(paras, strings.Join(ws, " ")+".")
	}
	e := storetest.NewEssay(fmt.Sprintf("%s %s %s %d", word(), word(), word(), i), []string{"History", "Biology", "Law"}[i%3],
		[]string{fmt.Sprintf("topic %d", i%20)}, paras...)
	e.Prints = originality.Fingerprint(e.Text)
	return e
}

type benchStore struct {
	name string
	open func(b *testing.B) ibid.Store
}

func benchStores() []benchStore {
	return []benchStore{
		{"sqlite", func(b *testing.B) ibid.Store {
			db, err := sqlite.Open(filepath.Join(b.TempDir(), "bench.db"))
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { db.Close() })
			return db
		}},
		{"postgres", func(b *testing.B) ibid.Store { return open(b, freshSchema(b)) }},
	}
}

// library fills a fresh store with benchEssays essays, written by a few
// goroutines at once as several importers would.
func library(b *testing.B, open func(*testing.B) ibid.Store) ibid.Store {
	s := open(b)
	var wg sync.WaitGroup
	next := make(chan int)
	for range 4 {
		wg.Go(func() {
			for i := range next {
				if err := s.CreateEssay(context.Background(), genEssay(i)); err != nil {
					b.Error(err)
				}
			}
		})
	}
	for i := range benchEssays {
		next <- i
	}
	close(next)
	wg.Wait()
	return s
}

func BenchmarkCreateEssay(b *testing.B) {
	for _, bs := range benchStores() {
		b.Run(bs.name, func(b *testing.B) {
			s := bs.open(b)
			essays := make([]*ibid.Essay, b.N)
			for i := range essays {
				essays[i] = genEssay(i)
			}
			b.ResetTimer()
			for i := range b.N {
				if err := s.CreateEssay(context.Background(), essays[i]); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "essays/s")
		})
	}
}

// BenchmarkLibrary builds one library per store and runs the read paths on
// it: search, the originality check and the posting lookups behind it.
func BenchmarkLibrary(b *testing.B) {
	for _, bs := range benchStores() {
		b.Run(bs.name, func(b *testing.B) {
			s := library(b, bs.open)
			b.Run("Search", func(b *testing.B) { benchSearch(b, s) })
			b.Run("Check", func(b *testing.B) { benchCheck(b, s) })
			b.Run("Postings", func(b *testing.B) { benchPostings(b, s) })
		})
	}
}

func benchSearch(b *testing.B, s ibid.Store) {
	// A common word, a rare word, two words, a prefix, a phrase.
	queries := []string{vocabulary[2], vocabulary[900], vocabulary[3] + " " + vocabulary[40],
		vocabulary[150][:4], `"` + vocabulary[2] + " " + vocabulary[3] + `"`}
	for i := 0; b.Loop(); i++ {
		if _, _, err := s.Search(context.Background(), ibid.SearchQuery{Query: queries[i%len(queries)]}); err != nil {
			b.Fatal(err)
		}
	}
}

func benchCheck(b *testing.B, s ibid.Store) {
	// Half of one stored essay, then new text.
	doc := genEssay(17).Text
	doc = doc[:len(doc)/2] + " " + genEssay(benchEssays+1).Text
	src := originality.Library(s)
	for b.Loop() {
		rep, err := originality.Check(context.Background(), doc, src, originality.Options{})
		if err != nil {
			b.Fatal(err)
		}
		if len(rep.Sources) == 0 {
			b.Fatal("the copied essay was not found")
		}
	}
}

func benchPostings(b *testing.B, s ibid.Store) {
	var hashes []uint64
	for _, p := range genEssay(5).Prints {
		hashes = append(hashes, p.Hash)
	}
	for b.Loop() {
		ps, err := s.Postings(context.Background(), hashes)
		if err != nil {
			b.Fatal(err)
		}
		if len(ps) < len(hashes) {
			b.Fatalf("%d postings for %d hashes of a stored essay", len(ps), len(hashes))
		}
	}
	b.ReportMetric(float64(len(hashes)), "hashes/op")
}
