package web

import (
	"database/sql"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// PoolStats is what a store tells of its connection pools, by name
// ("read", "write"), for /metrics: how often and how long requests waited
// for a connection. Both of ibid's stores have it.
type PoolStats interface {
	PoolStats() map[string]sql.DBStats
}

// metrics are the server's Prometheus metrics, in a registry of its own so
// that two servers in one process (tests) do not share them.
type metrics struct {
	reg *prometheus.Registry

	requests *prometheus.CounterVec   // route, method, code
	latency  *prometheus.HistogramVec // route
	refused  *prometheus.CounterVec   // code, route: requests turned away by a limit
	cache    *prometheus.CounterVec   // result: hit, miss
	imports  prometheus.Counter
}

// newMetrics registers the server's metrics. The gauges read the gates and
// caches when scraped, so that serving a request costs only the counters.
func newMetrics(s *Server) *metrics {
	m := &metrics{reg: prometheus.NewRegistry()}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "ibid_http_requests_total",
		Help: "HTTP requests answered, by route pattern, method and status code.",
	}, []string{"route", "method", "code"})
	m.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "ibid_http_request_duration_seconds",
		Help:    "Time to answer a request, by route pattern (pages, search, checks, exports).",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60},
	}, []string{"route"})
	m.refused = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "ibid_refused_total",
		Help: "Requests turned away by a limit, by error code (rate_limited: 429, unavailable: 503, too_large: 413) and route pattern.",
	}, []string{"code", "route"})
	m.cache = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "ibid_export_cache_requests_total",
		Help: "Look-ups in the cache of exported files, by result (hit, miss).",
	}, []string{"result"})
	m.imports = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "ibid_essays_imported_total",
		Help: "Essays added through the web (editors' forms, the API, checked documents added to the library).",
	})
	m.reg.MustRegister(m.requests, m.latency, m.refused, m.cache, m.imports,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	gauge := func(name, help string, f func() float64) {
		m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, f))
	}
	gauge("ibid_check_slots", "Check slots (checks and comparisons that may run at once; 0: no bound).",
		func() float64 { return float64(max(0, s.gate.slots)) })
	gauge("ibid_check_slots_in_use", "Check slots taken by running checks and comparisons.",
		func() float64 { return float64(s.gate.inUse()) })
	gauge("ibid_check_queue", "Checks waiting for a slot.",
		func() float64 { return float64(s.gate.queued()) })
	gauge("ibid_export_cache_bytes", "Bytes held by the cache of exported files.",
		func() float64 { return float64(s.cache.bytes()) })
	for _, c := range []struct {
		result string
		n      *atomic.Int64
	}{{"hit", &s.pageCache.hits}, {"miss", &s.pageCache.misses}} {
		m.reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "ibid_page_cache_requests_total", Help: "Readers' page and search views answered from the page cache (hit) or rendered for it (miss: first view, or the library changed).",
			ConstLabels: prometheus.Labels{"result": c.result},
		}, func() float64 { return float64(c.n.Load()) }))
	}
	gauge("ibid_page_cache_bytes", "Bytes held by the page cache (rendered pages with room for their gzip and Brotli forms, at most 64 MB, and search pages, at most 8 MB).",
		func() float64 { return float64(s.pageCache.lru.bytes() + s.pageCache.searches.bytes()) })
	if stats := s.cfg.CheckerCache; stats != nil {
		m.reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "ibid_checker_cache_requests_total", Help: "Look-ups of a candidate essay's prepared text by checks, by result.",
			ConstLabels: prometheus.Labels{"result": "hit"},
		}, func() float64 { return float64(stats().Hits) }))
		m.reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "ibid_checker_cache_requests_total", Help: "Look-ups of a candidate essay's prepared text by checks, by result.",
			ConstLabels: prometheus.Labels{"result": "miss"},
		}, func() float64 { return float64(stats().Misses) }))
		gauge("ibid_checker_cache_bytes", "Memory held by the checker's prepared library essays (at most 256 MB).",
			func() float64 { return float64(stats().Bytes) })
		gauge("ibid_checker_cache_essays", "Library essays whose prepared text the checker holds.",
			func() float64 { return float64(stats().Essays) })
	}
	if ps, ok := s.store.(PoolStats); ok {
		m.reg.MustRegister(&poolCollector{ps: ps})
	}
	return m
}

// route is the label of r's route: its mux pattern ("GET /essays/{name}"),
// "other" for unknown paths and requests refused before routing, so that
// scanners cannot make a series of every path they try.
func route(r *http.Request) string {
	if r.Pattern == "" || r.Pattern == "/" {
		return "other"
	}
	return r.Pattern
}

// The counting methods do nothing on a nil *metrics (a Server built by
// hand in a test).

// refuse counts a request turned away with error code (see serveError).
func (m *metrics) refuse(r *http.Request, code string) {
	if m != nil {
		m.refused.WithLabelValues(code, route(r)).Inc()
	}
}

// cacheLookup counts a look-up in the export cache.
func (m *metrics) cacheLookup(hit bool) {
	if m == nil {
		return
	}
	if hit {
		m.cache.WithLabelValues("hit").Inc()
	} else {
		m.cache.WithLabelValues("miss").Inc()
	}
}

// imported counts an essay added through the web.
func (m *metrics) imported() {
	if m != nil {
		m.imports.Inc()
	}
}

// observe counts an answered request.
func (m *metrics) observe(r *http.Request, code int, took time.Duration) {
	if m == nil {
		return
	}
	m.requests.WithLabelValues(route(r), r.Method, strconv.Itoa(code)).Inc()
	m.latency.WithLabelValues(route(r)).Observe(took.Seconds())
}

// instrument counts every request and its time (the outermost wrapper, so
// that refusals before routing are counted too).
func (s *Server) instrument(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		defer func() { s.metrics.observe(r, rec.code(), time.Since(start)) }()
		h.ServeHTTP(rec, r)
	})
}

// MetricsHandler serves the server's metrics in the Prometheus text
// format. ibid serve puts it on --metrics-addr, apart from the site, so that
// it is never public by accident.
func (s *Server) MetricsHandler() http.Handler {
	return promhttp.HandlerFor(s.metrics.reg, promhttp.HandlerOpts{})
}

// poolCollector reports a store's connection pools when scraped.
type poolCollector struct{ ps PoolStats }

var (
	poolWaitsDesc   = prometheus.NewDesc("ibid_store_pool_waits_total", "Times a store query waited for a free connection, by pool.", []string{"pool"}, nil)
	poolWaitDesc    = prometheus.NewDesc("ibid_store_pool_wait_seconds_total", "Time store queries spent waiting for a free connection, by pool.", []string{"pool"}, nil)
	poolInUseDesc   = prometheus.NewDesc("ibid_store_pool_connections_in_use", "Store connections in use, by pool.", []string{"pool"}, nil)
	poolMaxOpenDesc = prometheus.NewDesc("ibid_store_pool_connections_max", "The most connections a pool opens (0: no bound).", []string{"pool"}, nil)
)

func (c *poolCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- poolWaitsDesc
	ch <- poolWaitDesc
	ch <- poolInUseDesc
	ch <- poolMaxOpenDesc
}

func (c *poolCollector) Collect(ch chan<- prometheus.Metric) {
	for name, st := range c.ps.PoolStats() {
		ch <- prometheus.MustNewConstMetric(poolWaitsDesc, prometheus.CounterValue, float64(st.WaitCount), name)
		ch <- prometheus.MustNewConstMetric(poolWaitDesc, prometheus.CounterValue, st.WaitDuration.Seconds(), name)
		ch <- prometheus.MustNewConstMetric(poolInUseDesc, prometheus.GaugeValue, float64(st.InUse), name)
		ch <- prometheus.MustNewConstMetric(poolMaxOpenDesc, prometheus.GaugeValue, float64(st.MaxOpenConnections), name)
	}
}
