package web

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/ibid-dev/ibid"
	"github.com/ibid-dev/ibid/originality"
)

// TestMetrics: the metrics count requests by route and status, time them,
// count refusals by limit, show the check slots, the export cache and the
// store's pools, and are served only by MetricsHandler, never by the site.
func TestMetrics(t *testing.T) {
	txt := &countingExporter{ext: "txt", label: "Plain text", ctype: "text/plain; charset=utf-8"}
	s, _ := newServer(t, Config{Checker: emptyChecker, Exporters: []ibid.Exporter{txt}, Limits: Limits{CheckRate: 1},
		CheckerCache: func() originality.CacheStats {
			return originality.CacheStats{Hits: 7, Misses: 3, Bytes: 4096, Essays: 2}
		}})
	get(t, s, "/")
	get(t, s, "/no/such/page")
	get(t, s, "/essays/"+longSlug+".txt")
	get(t, s, "/essays/"+longSlug+".txt")
	get(t, s, "/essays/"+longSlug)
	get(t, s, "/essays/"+longSlug)
	for range 2 {
		do(t, s, smallCheck(t, "/api/check")) // the second is over the rate
	}
	if r := get(t, s, "/metrics"); r.Code != 404 {
		t.Errorf("the site serves /metrics: %d", r.Code)
	}
	rec := httptest.NewRecorder()
	s.MetricsHandler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	scrape := rec.Body.String()
	for _, want := range []string{
		`ibid_http_requests_total{code="200",method="GET",route="GET /{$}"} 1`,
		`ibid_http_requests_total{code="404",method="GET",route="other"} 2`, // /no/such/page and /metrics
		`ibid_http_requests_total{code="429",method="POST",route="POST /api/check"} 1`,
		`ibid_http_request_duration_seconds_count{route="GET /essays/{name}"} 4`,
		`ibid_page_cache_requests_total{result="hit"} 1`,
		`ibid_page_cache_requests_total{result="miss"} 2`, // the home page and the essay's first view
		`ibid_refused_total{code="rate_limited",route="POST /api/check"} 1`,
		`ibid_export_cache_requests_total{result="hit"} 1`,
		`ibid_export_cache_requests_total{result="miss"} 1`,
		"ibid_page_cache_bytes ",
		"ibid_check_slots_in_use 0",
		"ibid_check_queue 0",
		`ibid_store_pool_waits_total{pool="read"}`,
		"ibid_essays_imported_total 0",
		`ibid_checker_cache_requests_total{result="hit"} 7`,
		`ibid_checker_cache_requests_total{result="miss"} 3`,
		"ibid_checker_cache_bytes 4096",
		"ibid_checker_cache_essays 2",
		"go_goroutines",
	} {
		if !strings.Contains(scrape, want) {
			t.Errorf("the scrape lacks %s", want)
		}
	}
	if strings.Contains(scrape, "/no/such/page") {
		t.Error("an unknown path became a label")
	}
}
