package web

import (
	"net/http/httptest"
	"testing"
)

// The benchmarks measure a whole request through the handler on the
// fixture library: routing, store queries and rendering. Pages a reader
// asks for at their plain address come from the page cache after the first
// view (BenchmarkEssayPage, BenchmarkHomePage); a query makes the server
// render them for the request (BenchmarkEssayPageRendered). The
// library-scale figures (10,000 essays) live in internal/bench.

func benchmarkGet(b *testing.B, path string) {
	s, _ := newServer(b, Config{})
	if r := get(b, s, path); r.Code != 200 {
		b.Fatalf("GET %s: %d", path, r.Code)
	}
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		if rec.Code != 200 {
			b.Fatalf("GET %s: %d", path, rec.Code)
		}
	}
}

func BenchmarkEssayPage(b *testing.B) { benchmarkGet(b, "/essays/"+longSlug) }
func BenchmarkEssayPageRendered(b *testing.B) {
	benchmarkGet(b, "/essays/"+longSlug+"?from=benchmark")
}
func BenchmarkHomePage(b *testing.B)   { benchmarkGet(b, "/") }
func BenchmarkSearchPage(b *testing.B) { benchmarkGet(b, "/search?q=treaty+rapallo") }
func BenchmarkListing(b *testing.B) {
	// A query the site does not write itself: rendered, as before the
	// cache kept listing pages with ?page=.
	benchmarkGet(b, "/subjects/biology?page=2&from=benchmark")
}
func BenchmarkAPIEssay(b *testing.B) { benchmarkGet(b, "/api/essays/"+longSlug) }
