package web

import (
	"bytes"
	"container/list"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/netip"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ibid-dev/ibid"
	"github.com/ibid-dev/ibid/originality"
)

// Limits bound what one client, and all clients together, may ask of the
// checker, so that checks cannot starve the readers. The zero value limits
// only concurrency (to DefaultMaxChecks) and the length of a check (to
// DefaultCheckTimeout).
type Limits struct {
	// CheckRate is the number of checks a client may start per minute
	// (a token bucket that holds CheckRate tokens); 0 means no limit.
	CheckRate int
	// MaxChecks bounds the checks running at once; 0 means
	// DefaultMaxChecks, negative means no bound.
	MaxChecks int
	// MaxChecksPerClient bounds the slots one client may hold; 0 means
	// DefaultMaxChecksPerClient. Past it the client gets 429 at once.
	MaxChecksPerClient int
	// CheckQueue is how long a check waits for a free slot before it is
	// refused with 503; 0 refuses at once.
	CheckQueue time.Duration
	// CheckTimeout bounds one check once its request has been read:
	// extraction and check (the server's read timeout bounds the upload);
	// 0 means DefaultCheckTimeout.
	CheckTimeout time.Duration
	// MaxBodyBytes bounds every request body; 0 means
	// DefaultMaxBodyBytes. Checks have a smaller limit of their own.
	MaxBodyBytes int64
	// SearchRate is the number of searches (the search page with words,
	// and /api/search) a client may make per minute; 0 means no limit.
	SearchRate int
	// SearchTimeout bounds one search, its wait for a free search slot
	// included; 0 means DefaultSearchTimeout. A search stopped by it gives
	// its read connection back at once.
	SearchTimeout time.Duration
	// MaxSearches bounds the searches running at once, so that searches
	// alone can never take every read connection of the store; 0 means
	// DefaultMaxSearches, negative means no bound.
	MaxSearches int
	// MaxUploads bounds the requests with a body (forms, checks, imports)
	// one client may have in progress at once, so that one address cannot
	// hold many slow uploads and their buffers; 0 means
	// DefaultMaxUploads, negative means no bound.
	MaxUploads int
	// TrustedProxies are the addresses of reverse proxies whose
	// X-Forwarded-For header names the client. Without them the client is
	// the connection's remote address, since anyone can send the header.
	TrustedProxies []netip.Prefix
}

// DefaultCheckTimeout bounds a check when Limits.CheckTimeout is 0: long
// enough for a 100,000-word document on a busy machine, and shorter than
// the server's write timeout, so that the user gets an answer rather than
// a dropped connection.
const DefaultCheckTimeout = 45 * time.Second

// DefaultMaxChecks is the number of checks that may run at once when
// Limits.MaxChecks is 0: a check keeps a core busy, and two per core still
// leave the readers room between the checker's store queries.
func DefaultMaxChecks() int { return 2 * runtime.GOMAXPROCS(0) }

// DefaultSearchTimeout bounds a search when Limits.SearchTimeout is 0:
// searches of the 100,000-essay library take tens of milliseconds.
const DefaultSearchTimeout = 5 * time.Second

// DefaultSearchRate is the --search-rate default: a reader types a few
// searches a minute; a page of results costs more than any other page.
const DefaultSearchRate = 60

// DefaultMaxSearches is the number of searches that may run at once when
// Limits.MaxSearches is 0: one per CPU, half the SQLite store's read
// connections, so that essay pages and /healthz always find one.
func DefaultMaxSearches() int { return runtime.GOMAXPROCS(0) }

// DefaultMaxUploads is the number of requests with a body a client may
// have in progress at once when Limits.MaxUploads is 0: a person submits
// one form at a time; a few more leave room for a household or a
// classroom behind one address.
const DefaultMaxUploads = 8

// maxClients bounds the rate limiter's memory: past it the least recently
// seen client is forgotten (and starts again with a full bucket).
const maxClients = 10000

// busyRetry is the Retry-After, in seconds, of a 503 for a full checker.
const busyRetry = 5

// ParseProxies parses a comma-separated list of IP addresses and CIDR
// prefixes ("10.0.0.1, 192.168.0.0/16, ::1"), the --trusted-proxy setting.
func ParseProxies(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if strings.Contains(f, "/") {
			p, err := netip.ParsePrefix(f)
			if err != nil {
				return nil, ibid.Errorf(ibid.EINVALID, "trusted proxy %q is not an address or a CIDR prefix", f)
			}
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil {
			return nil, ibid.Errorf(ibid.EINVALID, "trusted proxy %q is not an address or a CIDR prefix", f)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

// trusted reports whether a is one of the trusted proxies.
func (l *Limits) trusted(a netip.Addr) bool {
	for _, p := range l.TrustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// clientAddr is the address of the client that sent r: the remote address,
// or, when that is a trusted proxy, the nearest untrusted address of
// X-Forwarded-For read from the right (entries to its left were written by
// the client itself and prove nothing). The zero Addr means unknown.
func (l *Limits) clientAddr(r *http.Request) netip.Addr {
	a := remoteAddr(r.RemoteAddr)
	if !a.IsValid() || !l.trusted(a) {
		return a
	}
	hops := r.Header.Values("X-Forwarded-For")
	for i := len(hops) - 1; i >= 0; i-- {
		parts := strings.Split(hops[i], ",")
		for j := len(parts) - 1; j >= 0; j-- {
			h, err := netip.ParseAddr(strings.TrimSpace(parts[j]))
			if err != nil {
				// A garbled hop: the proxy's own peer is the best we know.
				return a
			}
			a = h.Unmap()
			if !l.trusted(a) {
				return a
			}
		}
	}
	return a
}

// remoteAddr parses an http.Request's RemoteAddr ("ip:port").
func remoteAddr(s string) netip.Addr {
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap()
	}
	host, _, err := net.SplitHostPort(s)
	if err != nil {
		host = s
	}
	a, _ := netip.ParseAddr(host)
	return a.Unmap()
}

// clientKey is the rate limiter's key for a client: its IPv4 address, or
// the /64 of its IPv6 address, since one IPv6 host usually holds a whole
// /64 and could otherwise use a new address for every request.
func clientKey(a netip.Addr) string {
	if !a.IsValid() {
		return "unknown"
	}
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p.String()
	}
	return a.String()
}

// rateLimiter is a token bucket per client: each holds up to burst tokens
// and gains perSec tokens a second; a request takes one. Clients are kept
// in a list, most recently seen first, so that idle ones (whose bucket has
// refilled, and so carries no information) and, past maxClients, the least
// recently seen ones are dropped in constant time.
type rateLimiter struct {
	burst  float64
	perSec float64
	max    int
	now    func() time.Time

	mu      sync.Mutex
	clients map[string]*list.Element // of *bucket
	lru     list.List
}

type bucket struct {
	key    string
	tokens float64
	last   time.Time
}

// newRateLimiter allows perMinute requests a minute per client.
func newRateLimiter(perMinute int) *rateLimiter {
	return &rateLimiter{
		burst:   float64(perMinute),
		perSec:  float64(perMinute) / 60,
		max:     maxClients,
		now:     time.Now,
		clients: map[string]*list.Element{},
	}
}

// allow takes a token from key's bucket. When there is none it returns
// false and how long until there is one.
func (l *rateLimiter) allow(key string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	l.evict(now)
	var b *bucket
	if el, ok := l.clients[key]; ok {
		b = el.Value.(*bucket)
		b.tokens = math.Min(l.burst, b.tokens+now.Sub(b.last).Seconds()*l.perSec)
		b.last = now
		l.lru.MoveToFront(el)
	} else {
		b = &bucket{key: key, tokens: l.burst, last: now}
		l.clients[key] = l.lru.PushFront(b)
		if l.lru.Len() > l.max {
			l.remove(l.lru.Back())
		}
	}
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	wait := time.Duration((1 - b.tokens) / l.perSec * float64(time.Second))
	return false, wait
}

// evict drops, from the least recently seen end, the clients whose bucket
// has refilled since their last request.
func (l *rateLimiter) evict(now time.Time) {
	full := time.Duration(l.burst / l.perSec * float64(time.Second))
	for el := l.lru.Back(); el != nil; el = l.lru.Back() {
		if now.Sub(el.Value.(*bucket).last) < full {
			return
		}
		l.remove(el)
	}
}

func (l *rateLimiter) remove(el *list.Element) {
	delete(l.clients, el.Value.(*bucket).key)
	l.lru.Remove(el)
}

// size is the number of clients remembered.
func (l *rateLimiter) size() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.lru.Len()
}

// checkGate applies Limits to the check handlers. Its slots are shared
// fairly: a client may hold at most perClient of them, and a freed slot
// goes to the waiting client with the fewest checks running (the earliest
// of those), not simply to whoever asked first, so that one client sending
// check after check cannot keep the others out.
type checkGate struct {
	limits    Limits
	rate      *rateLimiter // nil: no rate limit
	timeout   time.Duration
	slots     int // ≤ 0: no bound on concurrent checks
	perClient int

	mu      sync.Mutex
	free    int
	running map[string]int // checks running per client
	waiting []*checkWaiter // in order of arrival
}

// checkWaiter is a check waiting for a slot; ready is closed when it has
// been given one.
type checkWaiter struct {
	client string
	ready  chan struct{}
	given  bool
}

// DefaultMaxChecksPerClient is the share of the check slots one client
// may hold when Limits.MaxChecksPerClient is 0: half of them, so that
// others always find room.
func DefaultMaxChecksPerClient(slots int) int { return max(1, slots/2) }

func newCheckGate(l Limits) *checkGate {
	g := &checkGate{limits: l, timeout: l.CheckTimeout, running: map[string]int{}}
	if l.CheckRate > 0 {
		g.rate = newRateLimiter(l.CheckRate)
	}
	n := l.MaxChecks
	if n == 0 {
		n = DefaultMaxChecks()
	}
	if n > 0 {
		g.slots, g.free = n, n
		g.perClient = l.MaxChecksPerClient
		if g.perClient <= 0 {
			g.perClient = DefaultMaxChecksPerClient(n)
		}
		g.perClient = min(g.perClient, n)
	}
	if g.timeout <= 0 {
		g.timeout = DefaultCheckTimeout
	}
	return g
}

// errOwnChecks refuses a check from a client that holds its share of the
// slots already.
func (g *checkGate) errOwnChecks() error {
	return ibid.Errorf(ibid.ERATELIMIT, "You have %d checks running already, the most one address may have at once. Please wait for one to finish.", g.perClient)
}

// acquire takes a check slot for client, waiting up to CheckQueue for one.
// It returns the function that frees the slot.
func (g *checkGate) acquire(ctx context.Context, client string) (func(), error) {
	if g.slots <= 0 {
		return func() {}, nil
	}
	release := func() { g.release(client) }
	g.mu.Lock()
	if g.running[client] >= g.perClient {
		g.mu.Unlock()
		return nil, g.errOwnChecks()
	}
	// Join the queue and let the fair hand-out decide: a free slot goes
	// to this check at once unless a waiter with fewer checks running
	// wants it.
	w := &checkWaiter{client: client, ready: make(chan struct{})}
	g.waiting = append(g.waiting, w)
	g.handOut()
	if w.given {
		g.mu.Unlock()
		return release, nil
	}
	if g.limits.CheckQueue <= 0 {
		g.remove(w)
		g.mu.Unlock()
		return nil, errChecksBusy
	}
	g.mu.Unlock()

	t := time.NewTimer(g.limits.CheckQueue)
	defer t.Stop()
	var err error
	select {
	case <-w.ready:
		return release, nil
	case <-ctx.Done():
		err = ctx.Err()
	case <-t.C:
		err = errChecksBusy
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if w.given {
		// Given a slot as it gave up: take it after all.
		return release, nil
	}
	g.remove(w)
	return nil, err
}

// remove takes w out of the queue.
func (g *checkGate) remove(w *checkWaiter) {
	for i, x := range g.waiting {
		if x == w {
			g.waiting = append(g.waiting[:i], g.waiting[i+1:]...)
			return
		}
	}
}

// release frees client's slot and gives it to the fairest waiter.
func (g *checkGate) release(client string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.running[client]--; g.running[client] <= 0 {
		delete(g.running, client)
	}
	g.free++
	g.handOut()
}

// handOut gives free slots to waiters: each time to the waiter whose
// client has the fewest checks running, the earliest among equals, and
// never to a client at its share.
func (g *checkGate) handOut() {
	for g.free > 0 {
		best := -1
		for i, w := range g.waiting {
			n := g.running[w.client]
			if n >= g.perClient {
				continue
			}
			if best < 0 || n < g.running[g.waiting[best].client] {
				best = i
			}
		}
		if best < 0 {
			return
		}
		w := g.waiting[best]
		g.waiting = append(g.waiting[:best], g.waiting[best+1:]...)
		g.free--
		g.running[w.client]++
		w.given = true
		close(w.ready)
	}
}

// inUse is the number of slots taken.
func (g *checkGate) inUse() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.slots - g.free
}

// queued is the number of checks waiting for a slot.
func (g *checkGate) queued() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.waiting)
}

// errChecksBusy refuses a check when every slot stays taken.
var errChecksBusy = &ibid.Error{Code: ibid.EUNAVAILABLE, Message: "The server is busy with other checks. Please try again in a few seconds."}

// limitCheck wraps a check handler: the client's rate limit (429 with
// Retry-After, before anything is read), then the whole request body is
// read, then a slot among the concurrent checks is taken (503 with
// Retry-After when none frees up in time), and the handler runs under the
// check timeout. The slot covers extraction as well as the check, since
// unpacking a large document costs as much; it is taken only once the body
// has arrived, so that slow uploads cannot hold the slots.
func (s *Server) limitCheck(h handlerFunc) handlerFunc {
	return s.limitWork(checkBodyBytes, errCheckTooLarge, s.gate.tooLong, h)
}

// limitWork is limitCheck with a body limit (and its error) and a "took too
// long" error of its own: comparisons, which carry many documents, share
// the checks' rate, slots and timeout.
func (s *Server) limitWork(bodyLimit int64, tooBig error, tooLong func(error) error, h handlerFunc) handlerFunc {
	g := s.gate
	return func(w http.ResponseWriter, r *http.Request) error {
		if g.rate != nil {
			if ok, wait := g.rate.allow(clientKey(g.limits.clientAddr(r))); !ok {
				return refuseRate(w, wait, "checks", g.limits.CheckRate)
			}
		}
		if err := readBody(w, r, bodyLimit, tooBig); err != nil {
			return err
		}
		release, err := g.acquire(r.Context(), clientKey(g.limits.clientAddr(r)))
		if err != nil {
			if errors.Is(err, errChecksBusy) || ibid.ErrorCode(err) == ibid.ERATELIMIT {
				w.Header().Set("Retry-After", strconv.Itoa(busyRetry))
			}
			return err
		}
		defer release()
		ctx, cancel := context.WithTimeout(r.Context(), g.timeout)
		defer cancel()
		err = h(w, r.WithContext(ctx))
		// Only the check timeout's own expiry says "too long": an
		// extractor's time limit has its own message.
		if err != nil && ctx.Err() == context.DeadlineExceeded && r.Context().Err() == nil && ibid.ErrorCode(err) == ibid.EINTERNAL {
			return tooLong(err)
		}
		return err
	}
}

// checkBodyBytes is the largest check request: the document and the form
// around it.
const checkBodyBytes = ibid.MaxCheckBytes + checkFieldSlack

// checkUnpacked bounds what a checked DOCX may unpack to, well below
// extract's default: a check takes at most 100,000 words (about 1 MB of
// text, under 30 MB even as heavily formatted Word XML), and reading a
// document costs several times its unpacked size in memory.
const checkUnpacked = 32 << 20

// checkPDFTimeout bounds the reading of a checked PDF. An honest essay of
// 100,000 words reads in a second or two; the rest of the check's time
// (DefaultCheckTimeout) is left for the comparison.
const checkPDFTimeout = 15 * time.Second

// readBody reads the whole body of r into memory, at most limit bytes
// (tooBig past it), and puts it back as r.Body. The buffer grows with what
// arrives, never with what Content-Length announces: a client that
// announces 10 MB and sends 10 bytes costs 10 bytes, not 10 MB held until
// the read timeout.
func readBody(w http.ResponseWriter, r *http.Request, limit int64, tooBig error) error {
	if r.ContentLength > limit {
		return tooBig
	}
	if r.Body == nil || r.Body == http.NoBody {
		return nil
	}
	var buf bytes.Buffer
	_, err := buf.ReadFrom(http.MaxBytesReader(w, r.Body, limit))
	r.Body.Close()
	switch {
	case tooLarge(err):
		return tooBig
	case err != nil:
		return ibid.Errorf(ibid.EINVALID, "The request body could not be read.")
	}
	r.Body = &readBodyBuffer{Reader: bytes.NewReader(buf.Bytes()), data: buf.Bytes()}
	r.ContentLength = int64(buf.Len())
	return nil
}

// readBodyBuffer is a body read whole by readBody: a handler that wants the
// bytes takes them with bodyBytes instead of copying them again.
type readBodyBuffer struct {
	*bytes.Reader
	data []byte
}

func (*readBodyBuffer) Close() error { return nil }

// bodyBytes returns the whole of a body that readBody read, when none of it
// has been read since.
func bodyBytes(body io.Reader) ([]byte, bool) {
	b, ok := body.(*readBodyBuffer)
	if !ok || b.Len() != len(b.data) {
		return nil, false
	}
	return b.data, true
}

// tooLong is the error of a check stopped by the check timeout.
func (g *checkGate) tooLong(err error) error {
	return &ibid.Error{Code: ibid.EUNAVAILABLE, Err: err,
		Message: fmt.Sprintf("The check took longer than %s and was stopped. Please try a shorter document.", seconds(int(g.timeout.Seconds())))}
}

// checker is the signature of Config.Checker.
type checker = func(ctx context.Context, text string, opt originality.Options) (*ibid.Report, error)

// wrap gives a checker stopped by the check timeout (see limitCheck) the
// error that says so, whatever handler called it.
func (g *checkGate) wrap(check checker) checker {
	return func(ctx context.Context, text string, opt originality.Options) (*ibid.Report, error) {
		rep, err := check(ctx, text, opt)
		if err != nil && errors.Is(err, context.DeadlineExceeded) && ibid.ErrorCode(err) == ibid.EINTERNAL {
			return nil, g.tooLong(err)
		}
		return rep, err
	}
}

// seconds says n seconds in words: "1 second", "45 seconds".
func seconds(n int) string {
	if n == 1 {
		return "1 second"
	}
	return strconv.Itoa(n) + " seconds"
}

// searchGate applies Limits to searches.
type searchGate struct {
	limits  Limits
	rate    *rateLimiter  // nil: no rate limit
	slots   chan struct{} // nil: no bound on concurrent searches
	timeout time.Duration
}

func newSearchGate(l Limits) *searchGate {
	g := &searchGate{limits: l, timeout: l.SearchTimeout}
	if l.SearchRate > 0 {
		g.rate = newRateLimiter(l.SearchRate)
	}
	n := l.MaxSearches
	if n == 0 {
		n = DefaultMaxSearches()
	}
	if n > 0 {
		g.slots = make(chan struct{}, n)
	}
	if g.timeout <= 0 {
		g.timeout = DefaultSearchTimeout
	}
	return g
}

// errSearchBusy and errSearchTooLong are a search's 503s; both come with
// Retry-After.
var (
	errSearchBusy    = &ibid.Error{Code: ibid.EUNAVAILABLE, Message: "The server is busy with other searches. Please try again in a few seconds."}
	errSearchTooLong = &ibid.Error{Code: ibid.EUNAVAILABLE, Message: "The search took too long and was stopped. Please try fewer or rarer words."}
)

// search runs fn, a store search, within the client's rate (429 with
// Retry-After), a search slot and the search timeout (503 with Retry-After
// when either runs out). fn is given the context to use.
func (g *searchGate) search(w http.ResponseWriter, r *http.Request, fn func(ctx context.Context) error) error {
	if g.rate != nil {
		if ok, wait := g.rate.allow(clientKey(g.limits.clientAddr(r))); !ok {
			return refuseRate(w, wait, "searches", g.limits.SearchRate)
		}
	}
	ctx, cancel := context.WithTimeout(r.Context(), g.timeout)
	defer cancel()
	if g.slots != nil {
		select {
		case g.slots <- struct{}{}:
			defer func() { <-g.slots }()
		case <-ctx.Done():
			if r.Context().Err() != nil {
				return r.Context().Err()
			}
			w.Header().Set("Retry-After", strconv.Itoa(busyRetry))
			return errSearchBusy
		}
	}
	err := fn(ctx)
	if err != nil && ctx.Err() == context.DeadlineExceeded && r.Context().Err() == nil {
		w.Header().Set("Retry-After", strconv.Itoa(busyRetry))
		return &ibid.Error{Code: errSearchTooLong.Code, Message: errSearchTooLong.Message, Err: err}
	}
	return err
}

// refuseRate is the 429 of a client over its rate for what ("checks",
// "searches"): Retry-After says when its next token comes.
func refuseRate(w http.ResponseWriter, wait time.Duration, what string, perMinute int) error {
	secs := max(1, int(math.Ceil(wait.Seconds())))
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	return ibid.Errorf(ibid.ERATELIMIT, "Too many %s from your address: at most %d a minute. Please try again in %s.",
		what, perMinute, seconds(secs))
}

// uploadGate counts the requests with a body each client has in progress.
type uploadGate struct {
	max int // ≤ 0: no bound
	mu  sync.Mutex
	n   map[string]int
}

func newUploadGate(l Limits) *uploadGate {
	n := l.MaxUploads
	if n == 0 {
		n = DefaultMaxUploads
	}
	return &uploadGate{max: n, n: map[string]int{}}
}

// enter counts one more upload of client; false when the client already
// has as many in progress as it may. A true answer must be followed by
// leave.
func (g *uploadGate) enter(client string) bool {
	if g.max <= 0 {
		return true
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.n[client] >= g.max {
		return false
	}
	g.n[client]++
	return true
}

func (g *uploadGate) leave(client string) {
	if g.max <= 0 {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.n[client]--; g.n[client] <= 0 {
		delete(g.n, client)
	}
}

// inProgress is the number of uploads client has in progress.
func (g *uploadGate) inProgress(client string) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.n[client]
}
