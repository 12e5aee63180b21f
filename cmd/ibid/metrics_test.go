package main

import (
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
)

// TestServeMetricsAddr: with --metrics-addr, ibid serve answers /metrics
// on that address only; the site itself answers 404 there, so the metrics
// are never public by accident.
func TestServeMetricsAddr(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	db := filepath.Join(t.TempDir(), "ibid.db")
	runBinary(t, "", "import", "--db", db, writeSynthEssays(t, 3))
	site := startServer(t, db, "--metrics-addr", addr)
	fetch := func(u string) (int, string) {
		t.Helper()
		resp, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, _ := fetch(site + "/"); code != 200 {
		t.Fatalf("the site: %d", code)
	}
	if code, _ := fetch(site + "/metrics"); code != 404 {
		t.Errorf("the site answers /metrics: %d", code)
	}
	code, body := fetch("http://" + addr + "/metrics")
	if code != 200 || !strings.Contains(body, `ibid_http_requests_total{code="200",method="GET",route="GET /{$}"} 1`) ||
		!strings.Contains(body, `ibid_store_pool_waits_total{pool="read"}`) || !strings.Contains(body, "ibid_checker_cache_bytes") {
		t.Errorf("metrics: %d\n%.2000s", code, body)
	}
}
