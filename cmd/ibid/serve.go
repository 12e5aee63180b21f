package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/ibid-dev/ibid"
	"github.com/ibid-dev/ibid/cite"
	"github.com/ibid-dev/ibid/compare"
	"github.com/ibid-dev/ibid/demo"
	"github.com/ibid-dev/ibid/ingest"
	"github.com/ibid-dev/ibid/originality"
	"github.com/ibid-dev/ibid/web"
)

func init() {
	register(&command{
		name:    "serve",
		summary: "serve the library: web pages and the JSON API",
		usage:   "[--db D] [--addr A] [--demo=false] [--styles DIR] [--check-rate N] [--trusted-proxy LIST] [--open-compare] [--metrics-addr A]",
		run:     runServe,
	})
}

func runServe(ctx context.Context, e *env, args []string) error {
	c := commands["serve"]
	fs := newFlags(e, c)
	db := dbFlag(fs, e)
	addr := fs.String("addr", envOr(e, "IBID_ADDR", "127.0.0.1:8080"), "address to listen on (or $IBID_ADDR)")
	withDemo := fs.Bool("demo", true, "load the demo library when the library is empty")
	site := siteFlags(fs, e)
	stylesDir := stylesFlag(fs, e)
	lim := limitFlags(fs, e)
	essayLim := essayFlags(fs, e)
	metricsAddr := fs.String("metrics-addr", envOr(e, "IBID_METRICS_ADDR", ""),
		"serve Prometheus metrics at /metrics on this `address`, apart from the site, e.g. 127.0.0.1:9090 (default off) (or $IBID_METRICS_ADDR)")
	openCompare := fs.Bool("open-compare", envOr(e, "IBID_OPEN_COMPARE", "") == "1",
		"let everyone compare documents at /compare, not only editors (or $IBID_OPEN_COMPARE=1)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	limits, err := lim.limits()
	if err != nil {
		return err
	}
	essays, err := essayLim()
	if err != nil {
		return err
	}
	set, err := loadStyles(e, *stylesDir)
	if err != nil {
		return err
	}
	// The server's log and the access log write lines to standard error
	// concurrently: one lock keeps each line whole.
	stderr := &lockedWriter{w: e.stderr}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	fmt.Fprintf(stderr, "library: %s\n", displayDSN(*db))
	st, err := openStore(*db)
	if err != nil {
		return err
	}
	defer st.Close()
	// Listen before loading the demo, so that a busy port fails at once.
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return ibid.Errorf(ibid.EINVALID, "cannot listen on %s: %v", *addr, err)
	}
	defer ln.Close()
	var mln net.Listener
	if *metricsAddr != "" {
		if mln, err = net.Listen("tcp", *metricsAddr); err != nil {
			return ibid.Errorf(ibid.EINVALID, "cannot listen on %s for metrics: %v", *metricsAddr, err)
		}
		defer mln.Close()
	}
	if *withDemo {
		if err := loadDemo(ctx, e, st); err != nil {
			return err
		}
	}
	url := "http://" + ln.Addr().String()
	if site.baseURL == "" {
		site.baseURL = url
	}
	xs, err := site.exporters()
	if err != nil {
		return err
	}
	citer, err := cite.New(set, cite.Options{SiteName: site.name, BaseURL: site.baseURL})
	if err != nil {
		return err
	}
	lib := originality.Library(st) // one for the server: it caches prepared texts
	h, err := web.New(st, web.Config{SiteName: site.name, BaseURL: site.baseURL, WordsPerPage: site.perPage, Exporters: xs, Logger: log,
		AccessLogWriter: stderr, Limits: limits,
		Citer: webCiter(citer),
		Checker: func(ctx context.Context, text string, opt originality.Options) (*ibid.Report, error) {
			return originality.Check(ctx, text, lib, opt)
		},
		Compare: func(ctx context.Context, docs []compare.Document, opt compare.Options, library bool) (*compare.Result, error) {
			if library {
				opt.Library = lib
			}
			return compare.Compare(ctx, docs, opt)
		},
		CheckerCache: func() originality.CacheStats {
			st, _ := originality.LibraryStats(lib)
			return st
		},
		OpenCompare:   *openCompare,
		MaxEssayWords: essays.words,
		MaxEssayBytes: essays.bytes,
		AddToLibrary: func(ctx context.Context, doc *ibid.Document, name string) (*ibid.Essay, error) {
			return newImporter(st, essays).Document(ctx, doc, "upload:"+name)
		},
		// Editors' imports and edits go through the importer too, so that
		// they are stored exactly as `ibid import` stores files.
		Import: func(ctx context.Context, doc *ibid.Document, name string) (*ibid.Essay, error) {
			return newImporter(st, essays).Document(ctx, doc, "upload:"+name)
		},
		Update: func(ctx context.Context, e *ibid.Essay) error {
			return newImporter(st, essays).Update(ctx, e)
		},
	})
	if err != nil {
		return err
	}
	srv := newHTTPServer(h, log)
	if us, ok := st.(ibid.UserStore); ok {
		// Without an account no one can sign in to edit: say how to make one.
		if list, err := us.Users(ctx); err == nil && len(list) == 0 {
			fmt.Fprintln(stderr, "no editor accounts yet: `ibid user add EMAIL --role admin` makes one")
		}
	}
	fmt.Fprintf(stderr, "serving %s\n", url)
	errc := make(chan error, 2)
	go func() { errc <- srv.Serve(ln) }()
	if mln != nil {
		// Metrics have a server of their own, on an address the site's
		// readers never see.
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", h.MetricsHandler())
		msrv := newHTTPServer(mux, log)
		defer msrv.Close()
		fmt.Fprintf(stderr, "metrics at http://%s/metrics\n", mln.Addr())
		go func() { errc <- msrv.Serve(mln) }()
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shut, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shut); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// loadDemo imports the embedded demo library when the library is empty.
func loadDemo(ctx context.Context, e *env, st ibid.Store) error {
	_, total, err := st.Essays(ctx, ibid.EssayFilter{Limit: 1})
	if err != nil || total > 0 {
		return err
	}
	sum, err := newImporter(st, essayLimits{}).FS(ctx, demo.FS(), "demo:", func(r ingest.Result) {
		if r.Err != nil {
			fmt.Fprintf(e.stderr, "ibid: demo %s: %s\n", r.File, errorLine(r.Err))
		}
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "loaded the demo library: %d essays\n", sum.Imported)
	return nil
}

func envOr(e *env, key, def string) string {
	if v := e.getenv(key); v != "" {
		return v
	}
	return def
}

// lockedWriter serialises the writes of the server's log and of its access
// log, which the web package writes without slog.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
