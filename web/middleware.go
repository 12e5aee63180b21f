package web

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/ibid-dev/ibid"
	"github.com/ibid-dev/ibid/extract"
)

// DefaultMaxBodyBytes bounds a request body when Limits.MaxBodyBytes is 0:
// the largest file extract reads, and room for the form around it. Check
// requests have their own, smaller limit (see readCheck).
const DefaultMaxBodyBytes = extract.DefaultMaxBytes + 1<<20

// wrap puts the protections every request passes through around h: the
// request log (outermost, so that it sees every status), cross-origin
// request refusal for state-changing methods, and the body size limit.
func (s *Server) wrap(h http.Handler) (http.Handler, error) {
	cop := http.NewCrossOriginProtection()
	if s.cfg.BaseURL != "" {
		// Behind a proxy that rewrites Host, the public origin is still
		// this site's own.
		if u, err := url.Parse(s.cfg.BaseURL); err == nil && u.Scheme != "" && u.Host != "" {
			if err := cop.AddTrustedOrigin(u.Scheme + "://" + u.Host); err != nil {
				return nil, fmt.Errorf("web: base URL %q as a trusted origin: %w", s.cfg.BaseURL, err)
			}
		}
	}
	cop.SetDenyHandler(s.handle(func(w http.ResponseWriter, r *http.Request) error {
		return ibid.Errorf(ibid.EFORBIDDEN, "This request came from another site, so it was refused. Please use the form on this site.")
	}))
	return s.instrument(s.logRequests(cop.Handler(s.limitBody(s.seeOwnWrites(h))))), nil
}

// limitBody refuses a body announced as larger than the limit before
// reading any of it, and makes reading past the limit fail for bodies sent
// without a length, so that no handler can be made to read without end.
// A client may have at most Limits.MaxUploads requests with a body in
// progress at once; past that it gets 429 before anything is read.
func (s *Server) limitBody(h http.Handler) http.Handler {
	uploads := s.uploads
	limit := s.cfg.Limits.MaxBodyBytes
	if limit <= 0 {
		limit = DefaultMaxBodyBytes
	}
	tooLarge := s.handle(func(w http.ResponseWriter, r *http.Request) error {
		return ibid.Errorf(ibid.ETOOLARGE, "The request is over %d MB, the limit of this server.", limit>>20)
	})
	tooMany := s.handle(func(w http.ResponseWriter, r *http.Request) error {
		return ibid.Errorf(ibid.ERATELIMIT, "Too many uploads at once from your address: at most %d. Please wait for one to finish.", uploads.max)
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > limit {
			// The rest of the body is not worth reading: close the
			// connection after answering.
			w.Header().Set("Connection", "close")
			tooLarge.ServeHTTP(w, r)
			return
		}
		if r.Body != nil && r.Body != http.NoBody {
			client := clientKey(s.cfg.Limits.clientAddr(r))
			if !uploads.enter(client) {
				w.Header().Set("Connection", "close")
				w.Header().Set("Retry-After", strconv.Itoa(busyRetry))
				tooMany.ServeHTTP(w, r)
				return
			}
			defer uploads.leave(client)
			r.Body = http.MaxBytesReader(w, r.Body, limit)
		}
		h.ServeHTTP(w, r)
	})
}

// logRequests writes to Config.AccessLog (or AccessLogWriter) one
// structured line per request: method, path (never the query string, which
// for search holds what a reader typed), status, duration, response bytes
// and client. Nothing of a request body is ever logged, so checked texts
// stay out of the logs.
func (s *Server) logRequests(h http.Handler) http.Handler {
	log, out := s.cfg.AccessLog, s.cfg.AccessLogWriter
	if log == nil && out == nil {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		// instrument's recorder, outside this one, counts the same.
		rec, ok := w.(*statusRecorder)
		if !ok {
			rec = &statusRecorder{ResponseWriter: w}
		}
		defer func() {
			// A handler that aborts (http.ErrAbortHandler) still gets
			// its line, then the panic goes on to the server.
			now := time.Now()
			l := accessLine{r.Method, r.URL.Path, rec.code(), now.Sub(start), rec.bytes, clientKey(s.cfg.Limits.clientAddr(r))}
			if log == nil {
				b := linePool.Get().(*[]byte)
				*b = l.appendText((*b)[:0], now)
				out.Write(*b) // a failed log write has nowhere to go
				if cap(*b) <= 4<<10 {
					linePool.Put(b)
				}
				return
			}
			ctx := r.Context()
			if !log.Enabled(ctx, slog.LevelInfo) {
				return
			}
			// The record is made here, with no caller: Logger.LogAttrs
			// walks the stack for one on every line (a tenth of the
			// line's cost), and this line's caller says nothing.
			line := slog.NewRecord(now, slog.LevelInfo, "request", 0)
			line.AddAttrs(
				slog.String("method", l.method),
				slog.String("path", l.path),
				slog.Int("status", l.status),
				slog.Duration("duration", l.duration),
				slog.Int64("bytes", l.bytes),
				slog.String("client", l.client),
			)
			log.Handler().Handle(ctx, line)
		}()
		h.ServeHTTP(rec, r)
	})
}

// accessLine is what the access log says of a request.
type accessLine struct {
	method, path string
	status       int
	duration     time.Duration
	bytes        int64
	client       string
}

// linePool keeps the buffers of access log lines.
var linePool = sync.Pool{New: func() any { b := make([]byte, 0, 256); return &b }}

// appendText appends the line as slog.TextHandler writes it for an
// Info record "request" at time t with the line's attributes in order
// (TestAccessLineIsSlogText holds the two to the same bytes).
func (l accessLine) appendText(b []byte, t time.Time) []byte {
	b = append(b, "time="...)
	// RFC 3339 to the millisecond, as slog does it: RFC3339Nano is fast
	// but trims trailing zeros, so a tenth of a millisecond is added to
	// keep four digits, and the fourth is dropped.
	n := len(b)
	b = t.Truncate(time.Millisecond).Add(time.Millisecond/10).AppendFormat(b, time.RFC3339Nano)
	const prefix = len("2006-01-02T15:04:05.000")
	b = append(b[:n+prefix], b[n+prefix+1:]...)
	b = append(b, " level=INFO msg=request method="...)
	b = appendLogString(b, l.method)
	b = append(b, " path="...)
	b = appendLogString(b, l.path)
	b = append(b, " status="...)
	b = strconv.AppendInt(b, int64(l.status), 10)
	b = append(b, " duration="...)
	b = append(b, l.duration.String()...)
	b = append(b, " bytes="...)
	b = strconv.AppendInt(b, l.bytes, 10)
	b = append(b, " client="...)
	b = appendLogString(b, l.client)
	return append(b, '\n')
}

// appendLogString appends s as slog.TextHandler writes a string value:
// quoted (strconv.Quote) when it is empty or holds a space, '=', '"', a
// control character, invalid UTF-8 or a character that is not printable.
func appendLogString(b []byte, s string) []byte {
	if logNeedsQuoting(s) {
		return strconv.AppendQuote(b, s)
	}
	return append(b, s...)
}

func logNeedsQuoting(s string) bool {
	if s == "" {
		return true
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			// slog quotes what a JSON string would escape, but a
			// backslash, and space and '='.
			if c < 0x20 || c == ' ' || c == '=' || c == '"' {
				return true
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError || unicode.IsSpace(r) || !unicode.IsPrint(r) {
			return true
		}
		i += size
	}
	return false
}

// statusRecorder remembers the status and counts the bytes of a response.
type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *statusRecorder) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusRecorder) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the connection (flushing,
// deadlines) through the recorder.
func (w *statusRecorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// code is the status sent, 200 when the handler wrote nothing.
func (w *statusRecorder) code() int {
	if w.status == 0 {
		return http.StatusOK
	}
	return w.status
}
