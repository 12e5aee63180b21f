package main

import (
	"flag"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/ibid-dev/ibid"
	"github.com/ibid-dev/ibid/web"
)

// defaultCheckRate is the checks per minute a client may start: plenty for
// a person revising a document, little for a script hammering the checker.
const defaultCheckRate = 30

// Timeouts of every phase of a connection. A check is bounded tighter still
// (web.DefaultCheckTimeout), so that its answer is written before
// serveWriteTimeout cuts the connection.
const (
	serveReadHeaderTimeout = 10 * time.Second  // slow headers (slowloris)
	serveReadTimeout       = 60 * time.Second  // a whole request, with an 11 MB upload
	serveWriteTimeout      = 60 * time.Second  // from the end of the headers to the end of the response
	serveIdleTimeout       = 120 * time.Second // a kept-alive connection between requests
	serveMaxHeaderBytes    = 64 << 10
	// checkQueue is how long a check waits for one of the busy check slots
	// before it is refused with 503.
	checkQueue = 2 * time.Second
)

// limitSettings are serve's flags for web.Limits.
type limitSettings struct {
	rate    *string
	search  *string
	uploads *string
	proxies *string
}

func limitFlags(fs *flag.FlagSet, e *env) *limitSettings {
	return &limitSettings{
		rate: fs.String("check-rate", envOr(e, "IBID_CHECK_RATE", strconv.Itoa(defaultCheckRate)),
			"checks a client may start per `minute` (0 = no limit) (or $IBID_CHECK_RATE)"),
		search: fs.String("search-rate", envOr(e, "IBID_SEARCH_RATE", strconv.Itoa(web.DefaultSearchRate)),
			"searches a client may make per `minute` (0 = no limit) (or $IBID_SEARCH_RATE)"),
		uploads: fs.String("max-uploads", envOr(e, "IBID_MAX_UPLOADS", strconv.Itoa(web.DefaultMaxUploads)),
			"requests with a body (forms, checks, imports) a client may have in progress at `once` (0 = no limit) (or $IBID_MAX_UPLOADS)"),
		proxies: fs.String("trusted-proxy", e.getenv("IBID_TRUSTED_PROXY"),
			"comma-separated addresses or CIDR prefixes of reverse proxies whose X-Forwarded-For names the client (or $IBID_TRUSTED_PROXY)"),
	}
}

// limits validates the settings.
func (l *limitSettings) limits() (web.Limits, error) {
	rate, err := strconv.Atoi(*l.rate)
	if err != nil || rate < 0 {
		return web.Limits{}, usageError{"--check-rate must be a whole number of checks per minute, 0 for no limit"}
	}
	search, err := strconv.Atoi(*l.search)
	if err != nil || search < 0 {
		return web.Limits{}, usageError{"--search-rate must be a whole number of searches per minute, 0 for no limit"}
	}
	uploads, err := strconv.Atoi(*l.uploads)
	if err != nil || uploads < 0 {
		return web.Limits{}, usageError{"--max-uploads must be a whole number of requests, 0 for no limit"}
	}
	if uploads == 0 {
		uploads = -1 // web.Limits: negative is no bound
	}
	proxies, err := web.ParseProxies(*l.proxies)
	if err != nil {
		return web.Limits{}, usageError{"--trusted-proxy: " + ibid.ErrorMessage(err)}
	}
	return web.Limits{CheckRate: rate, SearchRate: search, MaxUploads: uploads, CheckQueue: checkQueue, TrustedProxies: proxies}, nil
}

// newHTTPServer is the server of `ibid serve`, with a timeout on every
// phase of a connection, so that slow or stalled clients cannot hold
// connections (and their memory) without end.
func newHTTPServer(h http.Handler, log *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: serveReadHeaderTimeout,
		ReadTimeout:       serveReadTimeout,
		WriteTimeout:      serveWriteTimeout,
		IdleTimeout:       serveIdleTimeout,
		MaxHeaderBytes:    serveMaxHeaderBytes,
		// The server's own complaints (TLS handshakes, malformed
		// requests) go to the same structured log.
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}
