package web

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/ibid-dev/ibid"
	"github.com/ibid-dev/ibid/auth"
)

// Sessions: a random token in an HttpOnly cookie, its SHA-256 in the store.
const (
	sessionCookie = "ibid_session"
	sessionTTL    = 30 * 24 * time.Hour
)

// loginsPerMinute bounds the sign-in attempts of one client: plenty for a
// person who mistypes, and with argon2id's cost it keeps password guessing
// at a crawl.
const loginsPerMinute = 10

// errBadLogin is the one answer to a failed sign-in, whatever failed, so
// that it does not tell which addresses have accounts.
var errBadLogin = ibid.Errorf(ibid.EUNAUTHORIZED, "The email address or password is incorrect.")

// errSignIn is the answer to a write without a signed-in editor.
var errSignIn = ibid.Errorf(ibid.EUNAUTHORIZED, "Sign in as an editor to change the library.")

// viewer returns the signed-in user of a request, or nil: an API token
// (Authorization: Bearer) or a session cookie. A credential that is wrong,
// expired or revoked is no user; requireEditor says why.
func (s *Server) viewer(r *http.Request) *ibid.User {
	u, _ := s.authenticate(r)
	return u
}

// authenticate returns the user of a request's credentials: nil and no
// error without credentials, nil and an EUNAUTHORIZED error for bad ones.
// A bearer token wins over a cookie, so that an API client never acts as
// whoever's browser session it happens to carry. Other Authorization
// schemes are not ours (a proxy's Basic authentication in front of a
// private site, say) and are left alone.
func (s *Server) authenticate(r *http.Request) (*ibid.User, error) {
	if s.users == nil {
		return nil, nil
	}
	ctx := r.Context()
	if scheme, tok, _ := strings.Cut(r.Header.Get("Authorization"), " "); strings.EqualFold(scheme, "Bearer") {
		tok = strings.TrimSpace(tok)
		if tok == "" {
			return nil, ibid.Errorf(ibid.EUNAUTHORIZED, "Send an API token as \"Authorization: Bearer TOKEN\".")
		}
		u, _, err := s.users.TokenUser(ctx, ibid.HashToken(tok), time.Now())
		if err != nil {
			if ibid.ErrorCode(err) == ibid.ENOTFOUND {
				return nil, ibid.Errorf(ibid.EUNAUTHORIZED, "The API token is not valid: it may have been revoked.")
			}
			return nil, err
		}
		return u, nil
	}
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return nil, nil
	}
	u, err := s.users.SessionUser(ctx, ibid.HashToken(c.Value), time.Now())
	if err != nil {
		if ibid.ErrorCode(err) == ibid.ENOTFOUND {
			return nil, ibid.Errorf(ibid.EUNAUTHORIZED, "Your session has ended. Please sign in again.")
		}
		return nil, err
	}
	return u, nil
}

// requireEditor returns the signed-in user when it may change the library,
// and an error otherwise: EUNAUTHORIZED without (valid) credentials,
// EFORBIDDEN for an account whose role may not edit.
func (s *Server) requireEditor(r *http.Request) (*ibid.User, error) {
	u, err := s.authenticate(r)
	switch {
	case err != nil:
		return nil, err
	case u == nil:
		return nil, errSignIn
	case !u.Role.CanEdit():
		return nil, ibid.Errorf(ibid.EFORBIDDEN, "Your account may not change the library.")
	}
	return u, nil
}

// requireEditorAPI is requireEditor for the JSON API: a 401 names the
// scheme that would have worked, as HTTP asks.
func (s *Server) requireEditorAPI(w http.ResponseWriter, r *http.Request) (*ibid.User, error) {
	u, err := s.requireEditor(r)
	if ibid.ErrorCode(err) == ibid.EUNAUTHORIZED {
		w.Header().Set("WWW-Authenticate", `Bearer realm="ibid"`)
	}
	return u, err
}

// signedInPage runs check (requireEditor, say) for a page a browser opens:
// a visitor who is not signed in is sent to the sign-in page, and comes
// back after it.
func (s *Server) signedInPage(w http.ResponseWriter, r *http.Request, check func(*http.Request) (*ibid.User, error)) (*ibid.User, bool, error) {
	u, err := check(r)
	if ibid.ErrorCode(err) == ibid.EUNAUTHORIZED && r.Method == http.MethodGet {
		http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return u, true, nil
}

// editorPage is signedInPage for the editors' pages.
func (s *Server) editorPage(w http.ResponseWriter, r *http.Request) (*ibid.User, bool, error) {
	return s.signedInPage(w, r, s.requireEditor)
}

// loginView is the data of the login template.
type loginView struct {
	Email   string
	Next    string
	Error   string
	Enabled bool // the server keeps accounts
}

// loginForm shows the sign-in form: GET /login?next=/path. A signed-in
// visitor goes straight on.
func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) error {
	next := safeNext(r.URL.Query().Get("next"))
	if s.viewer(r) != nil {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return nil
	}
	return s.renderLogin(w, r, loginView{Next: next, Enabled: s.users != nil}, http.StatusOK)
}

func (s *Server) renderLogin(w http.ResponseWriter, r *http.Request, v loginView, status int) error {
	p := s.newPage(r, "Sign in")
	p.NoIndex = true
	p.Data = v
	return s.renderNoStore(&statusWriter{ResponseWriter: w, status: status}, "login", p)
}

// loginPost checks an email and password and starts a session: POST /login.
// Every failure looks and takes about the same: an unknown address still
// costs a password hash.
func (s *Server) loginPost(w http.ResponseWriter, r *http.Request) error {
	if s.users == nil {
		return ibid.Errorf(ibid.EUNAVAILABLE, "Accounts are not enabled on this server.")
	}
	if err := r.ParseForm(); err != nil {
		return ibid.Errorf(ibid.EINVALID, "The form could not be read.")
	}
	email, pw := strings.TrimSpace(r.PostForm.Get("email")), r.PostForm.Get("password")
	v := loginView{Email: email, Next: safeNext(r.PostForm.Get("next")), Enabled: true}
	if ok, wait := s.logins.allow(clientKey(s.cfg.Limits.clientAddr(r))); !ok {
		secs := max(1, int(math.Ceil(wait.Seconds())))
		w.Header().Set("Retry-After", strconv.Itoa(secs))
		v.Error = fmt.Sprintf("Too many sign-in attempts from your address. Please try again in %s.", seconds(secs))
		return s.renderLogin(w, r, v, http.StatusTooManyRequests)
	}
	if wait := s.backoff.wait(email); wait > 0 {
		secs := max(1, int(math.Ceil(wait.Seconds())))
		w.Header().Set("Retry-After", strconv.Itoa(secs))
		v.Error = fmt.Sprintf("Too many failed sign-ins to this account. Please try again in %s.", seconds(secs))
		return s.renderLogin(w, r, v, http.StatusTooManyRequests)
	}
	ctx := r.Context()
	u, err := s.checkPassword(ctx, email, pw)
	if err != nil {
		if ibid.ErrorCode(err) != ibid.EUNAUTHORIZED {
			return err
		}
		s.backoff.failed(email)
		v.Error = ibid.ErrorMessage(err)
		return s.renderLogin(w, r, v, http.StatusUnauthorized)
	}
	s.backoff.succeeded(email)
	if err := s.startSession(w, r, u); err != nil {
		return err
	}
	// Expired sessions of everyone are swept now and then: at sign-in is
	// often enough, and costs nothing when there are none.
	if _, err := s.users.DeleteExpiredSessions(ctx, time.Now()); err != nil {
		s.log.Warn("deleting expired sessions", "err", err)
	}
	http.Redirect(w, r, v.Next, http.StatusSeeOther)
	return nil
}

// startSession signs this browser in as u with a new session cookie.
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, u *ibid.User) error {
	tok, err := auth.NewToken("")
	if err != nil {
		return err
	}
	t := time.Now()
	sess := &ibid.Session{TokenHash: ibid.HashToken(tok), UserID: u.ID, Created: t, Expires: t.Add(sessionTTL)}
	if err := s.users.CreateSession(r.Context(), sess); err != nil {
		return err
	}
	http.SetCookie(w, s.sessionCookie(r, tok, sess.Expires))
	return nil
}

// checkPassword returns the user whose email and password these are, or
// errBadLogin.
func (s *Server) checkPassword(ctx context.Context, email, pw string) (*ibid.User, error) {
	if len(pw) > auth.MaxPasswordLen*4 {
		// Not worth hashing, and no password is that long.
		auth.VerifyMissing("")
		return nil, errBadLogin
	}
	u, hash, err := s.users.UserByEmail(ctx, email)
	if ibid.ErrorCode(err) == ibid.ENOTFOUND {
		auth.VerifyMissing(pw)
		return nil, errBadLogin
	}
	if err != nil {
		return nil, err
	}
	ok, err := auth.VerifyPassword(hash, pw)
	if err != nil {
		// A stored hash we cannot read is a broken account, not a
		// wrong password: the operator must hear of it.
		s.log.Error("unreadable password hash", "user", u.ID, "err", err)
		return nil, errBadLogin
	}
	if !ok {
		return nil, errBadLogin
	}
	return u, nil
}

// logout ends the session and clears its cookie: POST /logout.
func (s *Server) logout(w http.ResponseWriter, r *http.Request) error {
	if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" && s.users != nil {
		if err := s.users.DeleteSession(r.Context(), ibid.HashToken(c.Value)); err != nil {
			return err
		}
	}
	c := s.sessionCookie(r, "", time.Unix(0, 0))
	c.MaxAge = -1
	http.SetCookie(w, c)
	http.Redirect(w, r, "/", http.StatusSeeOther)
	return nil
}

// sessionCookie is the session cookie: HttpOnly (no script reads it),
// SameSite=Lax (other sites' forms do not carry it), and Secure when the
// site is served over HTTPS, directly or behind a proxy named by BaseURL.
func (s *Server) sessionCookie(r *http.Request, value string, expires time.Time) *http.Cookie {
	c := &http.Cookie{
		Name:     sessionCookie,
		Value:    value,
		Path:     "/",
		Expires:  expires,
		HttpOnly: true,
		SameSite: http.SameSiteLaxMode,
		Secure:   r.TLS != nil || strings.HasPrefix(s.cfg.BaseURL, "https://"),
	}
	if !expires.IsZero() && expires.After(time.Now()) {
		c.MaxAge = int(time.Until(expires).Seconds())
	}
	return c
}

// safeNext returns next when it is a path on this site, and "/" otherwise,
// so that the sign-in page cannot be made to send people elsewhere
// ("//evil.example", "https://…", "/\evil.example", "javascript:…").
func safeNext(next string) string {
	if next == "" || next[0] != '/' || len(next) > 2048 {
		return "/"
	}
	if len(next) > 1 && (next[1] == '/' || next[1] == '\\') {
		return "/"
	}
	for _, c := range next {
		// Browsers drop tabs and newlines from URLs, which would turn
		// "/\t/evil.example" into "//evil.example".
		if c < 0x20 || c == 0x7f || c == '\\' {
			return "/"
		}
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return "/"
	}
	if strings.HasPrefix(u.Path, "/login") {
		return "/"
	}
	return next
}

// statusWriter sends status instead of 200 with the first write.
type statusWriter struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if !w.wrote {
		w.wrote = true
		if w.status != 0 {
			w.ResponseWriter.WriteHeader(w.status)
		}
	}
	return w.ResponseWriter.Write(b)
}

// canEdit reports whether u may change the library.
func canEdit(u *ibid.User) bool { return u != nil && u.Role.CanEdit() }
