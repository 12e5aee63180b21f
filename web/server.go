// Package web is ibid's HTTP server: the HTML pages for readers (home,
// essays, subjects, topics, listings by length, search), the JSON API under
// /api, essay downloads through the configured exporters, and the one place
// where errors become HTTP statuses.
package web

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/ibid-dev/ibid"
	"github.com/ibid-dev/ibid/originality"
	"github.com/ibid-dev/ibid/text"
)

// Config holds the server's settings. The zero value works: every field has
// a default.
type Config struct {
	// SiteName is shown in the header and page titles and names the
	// site in citations; default ibid.DefaultSiteName.
	SiteName string
	// BaseURL is the public address of the site, used for canonical links,
	// e.g. "http://127.0.0.1:8080". Empty leaves canonical links out.
	BaseURL string
	// WordsPerPage turns word counts into pages; default
	// text.DefaultWordsPerPage.
	WordsPerPage int
	// Exporters are the download formats (PDF, DOCX, …) served at
	// /essays/{slug}.{ext}. May be empty.
	Exporters []ibid.Exporter
	// Logger receives internal errors; default slog.Default().
	Logger *slog.Logger
	// AccessLog, when set, receives one line per request (see
	// logRequests); nil logs no requests.
	AccessLog *slog.Logger
	// AccessLogWriter, when set and AccessLog is not, receives the same
	// lines as a slog.TextHandler on it would write, made without slog
	// (which cost a tenth of a cached page's time), one Write call a line.
	// Requests write concurrently: w must be safe for that.
	AccessLogWriter io.Writer

	// Checker runs an originality check of text against the library for
	// the /check page and POST /api/check. Nil disables checking: the page
	// says so and the API answers 503. The text is never stored or logged.
	Checker func(ctx context.Context, text string, opt originality.Options) (*ibid.Report, error)
	// CheckerCache, when set, reports the checker's cache of prepared
	// library essays for /metrics.
	CheckerCache func() originality.CacheStats
	// AddToLibrary imports a checked document into the library when its
	// owner ticks "Add my document to the library"; name is the uploaded
	// file's name ("" for pasted text). Nil hides the option.
	AddToLibrary func(ctx context.Context, doc *ibid.Document, name string) (*ibid.Essay, error)

	// Compare compares a batch of uploaded documents with each other (and
	// the library) for the /compare page and POST /api/compare. Nil
	// disables comparing. Nothing submitted is stored or logged.
	Compare Comparer
	// OpenCompare lets everyone compare; otherwise only signed-in editors
	// and admins may, since a comparison costs far more than a check.
	OpenCompare bool

	// Citer fills the essay page's cite box: the essay in each citation
	// style with Copy buttons. Nil leaves the plain list of facts to cite.
	Citer Citer

	// Users keeps the accounts, sessions and API tokens of editors. Nil
	// means the store's own when it implements ibid.UserStore (both of
	// ibid's stores do); without one, no one can sign in or write.
	Users ibid.UserStore
	// Import stores a new essay from an editor's document (POST
	// /api/essays, the Add essay page) the way the CLI imports files; name
	// is the uploaded file's name ("" for text). Nil disables adding.
	Import func(ctx context.Context, doc *ibid.Document, name string) (*ibid.Essay, error)
	// Update stores an edited essay (PATCH /api/essays/{slug}, the Edit
	// page) after deriving its text, counts, hash and fingerprints from its
	// blocks again. Nil disables editing; deleting needs no hook.
	Update func(ctx context.Context, e *ibid.Essay) error
	// MaxEssayWords is the word budget of an editor's uploaded file while
	// it is read, the same bound Import then holds the essay to: 0 means
	// ibid.DefaultMaxEssayWords, negative none.
	MaxEssayWords int
	// MaxEssayBytes bounds the text or Markdown an editor sends, checked
	// before it is parsed, so that a text of tens of megabytes is refused
	// before it costs several times its size: 0 means
	// ibid.DefaultMaxEssayBytes, negative none. (Import then holds the
	// canonical text to the same bound.)
	MaxEssayBytes int

	// Limits bound requests and checks: body sizes, checks per client and
	// at once, the length of a check (see limits.go).
	Limits Limits
}

// exportCacheBytes bounds the memory kept for rendered downloads.
const exportCacheBytes = 64 << 20

// perPage is the number of essays on a listing or search page.
const perPage = 20

// Server serves the web UI and the JSON API. It is an http.Handler and safe
// for concurrent use.
type Server struct {
	store     ibid.Store
	cfg       Config
	log       *slog.Logger
	mux       *http.ServeMux
	pages     map[string]*template.Template
	static    *staticFiles
	exporters map[string]ibid.Exporter // by extension
	formats   []format                 // in configuration order, for the action bar
	cache     *lruCache[[]byte]        // rendered downloads
	pageCache *pageCache               // rendered essay pages for readers
	gate      *checkGate               // the check limits
	searches  *searchGate              // the search limits
	uploads   *uploadGate              // requests with a body in progress per client
	users     ibid.UserStore           // accounts, sessions and API tokens; nil when none
	logins    *rateLimiter             // sign-in attempts per client
	backoff   *loginBackoff            // failed sign-ins per account
	metrics   *metrics
	hsts      bool         // the base URL is https: browsers are told to keep to it
	h         http.Handler // mux inside the middleware of middleware.go
}

// format is what templates know of an exporter.
type format struct {
	Ext, Label string
}

// New returns a server for store. It parses the embedded templates once and
// fingerprints the static files, so that a broken template fails here rather
// than on a request.
func New(store ibid.Store, cfg Config) (*Server, error) {
	if store == nil {
		return nil, errors.New("web: nil store")
	}
	if cfg.SiteName == "" {
		cfg.SiteName = ibid.DefaultSiteName
	}
	if cfg.WordsPerPage <= 0 {
		cfg.WordsPerPage = text.DefaultWordsPerPage
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	gate := newCheckGate(cfg.Limits)
	if cfg.Checker != nil {
		cfg.Checker = gate.wrap(cfg.Checker)
	}
	if cfg.Users == nil {
		cfg.Users, _ = store.(ibid.UserStore)
	}
	s := &Server{
		users:     cfg.Users,
		logins:    newRateLimiter(loginsPerMinute),
		backoff:   newLoginBackoff(),
		hsts:      strings.HasPrefix(strings.ToLower(cfg.BaseURL), "https://"),
		gate:      gate,
		searches:  newSearchGate(cfg.Limits),
		uploads:   newUploadGate(cfg.Limits),
		store:     store,
		cfg:       cfg,
		log:       cfg.Logger,
		exporters: map[string]ibid.Exporter{},
		cache:     newLRUCache(exportCacheBytes),
		pageCache: newPageCache(pageCacheBytes, searchCacheBytes, store.Version),
	}
	for _, x := range cfg.Exporters {
		ext, label, ctype := x.Format()
		ext = strings.ToLower(strings.TrimPrefix(ext, "."))
		if ext == "" || ctype == "" {
			return nil, fmt.Errorf("web: exporter %T: empty extension or content type", x)
		}
		if _, dup := s.exporters[ext]; dup {
			return nil, fmt.Errorf("web: two exporters for %q", ext)
		}
		if label == "" {
			label = strings.ToUpper(ext)
		}
		s.exporters[ext] = x
		s.formats = append(s.formats, format{Ext: ext, Label: label})
	}
	var err error
	if s.static, err = loadStatic(); err != nil {
		return nil, err
	}
	if s.pages, err = s.parseTemplates(); err != nil {
		return nil, err
	}
	s.metrics = newMetrics(s)
	s.routes()
	if s.h, err = s.wrap(s.mux); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *Server) routes() {
	m := http.NewServeMux()
	m.Handle("GET /{$}", s.handle(s.cachePages(s.home)))
	m.Handle("GET /subjects", s.handle(s.cachePages(s.subjectIndex)))
	m.Handle("GET /subjects/{slug}", s.handle(s.cachePages(s.subject, "page")))
	m.Handle("GET /topics/{slug}", s.handle(s.cachePages(s.topic, "page")))
	m.Handle("GET /essays", s.handle(s.cachePages(s.essays, "page", "length")))
	// One pattern serves both /essays/{slug} and /essays/{slug}.{ext}:
	// ServeMux wildcards span whole path segments, and slugs never hold a dot.
	m.Handle("GET /essays/{name}", s.handle(s.essayOrExport))
	m.Handle("GET /search", s.handle(s.cacheSearches(s.search)))
	m.Handle("GET /check", s.handle(s.checkForm))
	m.Handle("POST /check", s.handle(s.limitCheck(s.checkPost)))
	m.Handle("GET /compare", s.handle(s.compareForm))
	m.Handle("POST /compare", s.handle(s.limitCompare(s.comparePost)))
	m.Handle("POST /compare/pair", s.handle(s.limitCompare(s.comparePairPost)))
	m.Handle("GET /static/{file}", s.handle(s.static.serve))

	m.Handle("GET /api/essays", s.handle(s.apiEssays))
	m.Handle("GET /api/essays/{slug}", s.handle(s.apiEssay))
	m.Handle("GET /api/search", s.handle(s.apiSearch))
	m.Handle("POST /api/check", s.handle(s.limitCheck(s.apiCheck)))
	m.Handle("POST /api/compare", s.handle(s.limitCompare(s.apiCompare)))
	m.Handle("GET /healthz", s.handle(s.healthz))

	// Editors: sign-in, and the writes (auth.go, edit.go).
	m.Handle("GET /login", s.handle(s.loginForm))
	m.Handle("POST /login", s.handle(s.loginPost))
	m.Handle("POST /logout", s.handle(s.logout))
	m.Handle("GET /add", s.handle(s.addForm))
	m.Handle("POST /add", s.handle(s.addPost))
	m.Handle("GET /essays/{slug}/edit", s.handle(s.editForm))
	m.Handle("POST /essays/{slug}/edit", s.handle(s.editPost))
	m.Handle("GET /essays/{slug}/delete", s.handle(s.deleteForm))
	m.Handle("POST /essays/{slug}/delete", s.handle(s.deletePost))
	// Accounts (account.go): everyone's own, and the admins' pages.
	m.Handle("GET /account", s.handle(s.account))
	m.Handle("POST /account/password", s.handle(s.accountPassword))
	m.Handle("POST /account/tokens", s.handle(s.accountTokenCreate))
	m.Handle("POST /account/tokens/{id}/revoke", s.handle(s.accountTokenRevoke))
	m.Handle("GET /admin/users", s.handle(s.adminUsers))
	m.Handle("POST /admin/users", s.handle(s.adminUserCreate))
	m.Handle("GET /admin/users/{id}", s.handle(s.adminUser))
	m.Handle("POST /admin/users/{id}/password", s.handle(s.adminUserPassword))
	m.Handle("POST /admin/users/{id}/delete", s.handle(s.adminUserDelete))
	m.Handle("POST /admin/users/{id}/tokens/{token}/revoke", s.handle(s.adminTokenRevoke))
	m.Handle("POST /api/essays", s.handle(s.apiCreateEssay))
	m.Handle("PATCH /api/essays/{slug}", s.handle(s.apiUpdateEssay))
	m.Handle("DELETE /api/essays/{slug}", s.handle(s.apiDeleteEssay))

	// Anything else: a 405 with Allow where the address exists for other
	// methods (GET /api/check, PUT /check), a 404 page (or a JSON 404
	// under /api/) where it does not. This pattern matches every request,
	// so ServeMux's own 405, a bare text page, never comes into play.
	m.Handle("/", s.handle(func(w http.ResponseWriter, r *http.Request) error {
		if allow := s.allowedMethods(r); len(allow) > 0 {
			w.Header().Set("Allow", strings.Join(allow, ", "))
			return ibid.Errorf(ibid.EMETHOD, "This address answers only %s requests.", orList(allow))
		}
		return ibid.Errorf(ibid.ENOTFOUND, "There is no page at this address.")
	}))
	s.mux = m
}

// routeMethods are the methods the routes use, in the order Allow lists them.
var routeMethods = []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}

// allowedMethods lists the methods some route other than the catch-all
// answers at r's path, by asking the mux about each: routes added later
// (or by other files) are covered without a list to keep in step.
func (s *Server) allowedMethods(r *http.Request) []string {
	var allow []string
	for _, m := range routeMethods {
		probe := *r
		probe.Method = m
		if _, pattern := s.mux.Handler(&probe); pattern != "" && pattern != "/" {
			allow = append(allow, m)
		}
	}
	return allow
}

// orList joins words as "GET, HEAD or POST".
func orList(words []string) string {
	if len(words) < 2 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
}

// ServeHTTP sets the security headers every response carries and dispatches.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	// Set by assignment, with canonical keys and values made once: these
	// go on every response, and Header.Set would canonicalise each key and
	// allocate each value again.
	h["Content-Security-Policy"] = cspHeader
	h["X-Content-Type-Options"] = nosniffHeader
	h["Referrer-Policy"] = referrerHeader
	h["X-Frame-Options"] = frameHeader
	if s.hsts {
		// The site is public over https: browsers keep to it for a year,
		// so that no one on the way can strip it to http.
		h["Strict-Transport-Security"] = hstsHeader
	}
	s.h.ServeHTTP(w, r)
}

// Header values every response carries, shared between responses: a
// one-element slice at full capacity, so that Header.Add copies it rather
// than write into it, and Set replaces it.
var (
	// Everything the pages load is ours: no inline scripts or styles, no
	// third-party requests.
	cspHeader = headerValue("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
		"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
	nosniffHeader  = headerValue("nosniff")
	referrerHeader = headerValue("same-origin")
	frameHeader    = headerValue("DENY")
	hstsHeader     = headerValue("max-age=31536000")
)

// headerValue makes a header value to share between responses (see above).
func headerValue(v string) []string { return []string{v}[:1:1] }

// handlerFunc is an HTTP handler that returns its error instead of writing
// it, so that serveError alone decides how errors look.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

func (s *Server) handle(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.serveError(w, r, fmt.Errorf("panic: %v", v))
			}
		}()
		if err := h(w, r); err != nil {
			s.serveError(w, r, err)
		}
	})
}

// statusOf maps an error code to its HTTP status.
func statusOf(code string) int {
	switch code {
	case ibid.EINVALID:
		return http.StatusBadRequest
	case ibid.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case ibid.EFORBIDDEN:
		return http.StatusForbidden
	case ibid.ENOTFOUND:
		return http.StatusNotFound
	case ibid.EMETHOD:
		return http.StatusMethodNotAllowed
	case ibid.ECONFLICT:
		return http.StatusConflict
	case ibid.ETOOLARGE:
		return http.StatusRequestEntityTooLarge
	case ibid.ERATELIMIT:
		return http.StatusTooManyRequests
	case ibid.EUNAVAILABLE:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// serveError is the one place where an error becomes a response: it picks
// the status from the error code, logs internal errors (and only those), and
// writes a JSON body under /api/ and /healthz or an HTML page elsewhere. The
// user sees ibid.ErrorMessage(err), never internal details.
func (s *Server) serveError(w http.ResponseWriter, r *http.Request, err error) {
	code := ibid.ErrorCode(err)
	if errors.Is(err, context.Canceled) && r.Context().Err() != nil {
		// The client went away; nobody is left to read a page.
		return
	}
	status := statusOf(code)
	switch code {
	case ibid.ERATELIMIT, ibid.EUNAVAILABLE, ibid.ETOOLARGE:
		s.metrics.refuse(r, code)
	}
	switch {
	case status == http.StatusInternalServerError:
		code = ibid.EINTERNAL
		s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	case status >= 500:
		// Unavailable is expected under load or shutdown, but operators
		// still want to see it.
		s.log.Warn("request failed", "method", r.Method, "path", r.URL.Path, "code", code, "err", err)
	}
	msg := ibid.ErrorMessage(err)
	if status == http.StatusInternalServerError {
		// Unknown codes are treated as internal, and so are their messages.
		msg = ibid.ErrorMessage(&ibid.Error{Code: ibid.EINTERNAL})
	}
	h := w.Header()
	h.Del("Content-Disposition")
	h.Del("ETag")
	h.Set("Cache-Control", "no-store")
	if isMachinePath(r.URL.Path) {
		writeJSON(w, status, map[string]any{"error": map[string]string{"code": code, "message": msg}})
		return
	}
	data := errorPage{Status: status, StatusText: http.StatusText(status), Message: msg, Code: code}
	title := data.StatusText
	if status == http.StatusNotFound {
		title = "Page not found"
	}
	p := s.newPage(r, title)
	p.Data = data
	p.NoIndex = true
	var b strings.Builder
	if terr := s.pages["error"].ExecuteTemplate(&b, "layout", p); terr != nil {
		s.log.Error("rendering error page", "path", r.URL.Path, "err", terr)
		http.Error(w, msg, status)
		return
	}
	h.Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	io.WriteString(w, b.String())
}

// errorPage is the data of the error template.
type errorPage struct {
	Status     int
	StatusText string
	Message    string
	Code       string
}

func isMachinePath(p string) bool {
	return p == "/api" || strings.HasPrefix(p, "/api/") || p == "/healthz"
}

// pinger is a store that can check its connection cheaply.
type pinger interface {
	Ping(ctx context.Context) error
}

// healthz answers "ok" when the store answers: its Ping if it has one, a
// one-row listing otherwise.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	var err error
	if p, ok := s.store.(pinger); ok {
		err = p.Ping(ctx)
	} else {
		_, _, err = s.store.Essays(ctx, ibid.EssayFilter{Limit: 1})
	}
	if err != nil {
		return &ibid.Error{Code: ibid.EUNAVAILABLE, Message: "The store does not answer.", Err: err}
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	io.WriteString(w, "ok\n")
	return nil
}
