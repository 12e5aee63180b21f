package web

import (
	"context"
	"crypto/tls"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ibid-dev/ibid"
	"github.com/ibid-dev/ibid/auth"
)

// cheapHash hashes test passwords with tiny argon2id costs: sign-in reads
// the costs from the stored hash, so the checks are the real ones.
func cheapHash(t testing.TB, pw string) string {
	t.Helper()
	h, err := auth.HashPasswordWith(pw, auth.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// addUser creates an account with a password.
func addUser(t testing.TB, us ibid.UserStore, email string, role ibid.Role, pw string) *ibid.User {
	t.Helper()
	u := &ibid.User{Email: email, Role: role}
	if err := us.CreateUser(context.Background(), u, cheapHash(t, pw)); err != nil {
		t.Fatal(err)
	}
	return u
}

// editorSession creates an account and a live session for it in the store
// and returns the session's cookie, for tests about what signed-in
// editors may do rather than about signing in.
func editorSession(t testing.TB, us ibid.UserStore, email string, role ibid.Role) *http.Cookie {
	t.Helper()
	u := addUser(t, us, email, role, "a password of the test")
	tok, err := auth.NewToken("")
	if err != nil {
		t.Fatal(err)
	}
	err = us.CreateSession(context.Background(), &ibid.Session{TokenHash: ibid.HashToken(tok), UserID: u.ID, Expires: time.Now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	return &http.Cookie{Name: sessionCookie, Value: tok}
}

// apiToken creates an API token for u and returns it.
func apiToken(t testing.TB, us ibid.UserStore, u *ibid.User) (string, *ibid.APIToken) {
	t.Helper()
	tok, err := auth.NewToken(auth.APITokenPrefix)
	if err != nil {
		t.Fatal(err)
	}
	at := &ibid.APIToken{UserID: u.ID, Name: "test", TokenHash: ibid.HashToken(tok)}
	if err := us.CreateToken(context.Background(), at); err != nil {
		t.Fatal(err)
	}
	return tok, at
}

func formPost(target string, form url.Values, cookies ...*http.Cookie) *http.Request {
	req := httptest.NewRequest("POST", target, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for _, c := range cookies {
		req.AddCookie(c)
	}
	return req
}

// responseCookie returns the cookie named name that a response sets.
func responseCookie(r response, name string) *http.Cookie {
	for _, c := range (&http.Response{Header: r.Header}).Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func TestLoginAndLogout(t *testing.T) {
	s, _ := newServer(t, Config{})
	us := s.users
	addUser(t, us, "ada@example.org", ibid.RoleEditor, "correct horse battery")

	r := get(t, s, "/login?next=/essays")
	if r.Code != 200 || !strings.Contains(r.Body, `id="login-form"`) || !strings.Contains(r.Body, `name="next" value="/essays"`) {
		t.Fatalf("GET /login: %d\n%s", r.Code, r.Body)
	}
	if !strings.Contains(get(t, s, "/").Body, `id="sign-in"`) {
		t.Error("the header offers no Sign in to readers")
	}

	// Failures: one message whatever failed, no cookie.
	failures := []struct{ name, email, pw string }{
		{"wrong password", "ada@example.org", "correct horse batterY"},
		{"unknown email", "nobody@example.org", "correct horse battery"},
		{"empty password", "ada@example.org", ""},
		{"malformed email", "ada", "correct horse battery"},
		{"huge password", "ada@example.org", strings.Repeat("x", 100000)},
	}
	for _, f := range failures {
		r := do(t, s, formPost("/login", url.Values{"email": {f.email}, "password": {f.pw}, "next": {"/essays"}}))
		if r.Code != http.StatusUnauthorized || !strings.Contains(r.Body, "The email address or password is incorrect.") {
			t.Errorf("%s: %d, body without the generic message", f.name, r.Code)
		}
		if responseCookie(r, sessionCookie) != nil {
			t.Errorf("%s: a session cookie was set", f.name)
		}
		if strings.Contains(r.Body, f.pw) && f.pw != "" {
			t.Errorf("%s: the page echoes the password", f.name)
		}
	}

	// Success: a session cookie and back to next. Emails are not case
	// sensitive.
	r = do(t, s, formPost("/login", url.Values{"email": {" Ada@Example.org"}, "password": {"correct horse battery"}, "next": {"/essays?page=2"}}))
	if r.Code != http.StatusSeeOther || r.Header.Get("Location") != "/essays?page=2" {
		t.Fatalf("login: %d, Location %q", r.Code, r.Header.Get("Location"))
	}
	c := responseCookie(r, sessionCookie)
	if c == nil || len(c.Value) < 40 {
		t.Fatalf("login set no session cookie: %v", r.Header["Set-Cookie"])
	}
	if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Secure || c.Path != "/" {
		t.Errorf("cookie %+v: want HttpOnly, SameSite=Lax, not Secure over plain HTTP, Path=/", c)
	}
	if days := c.MaxAge / 86400; days < 29 || days > 30 {
		t.Errorf("cookie Max-Age %d s, want 30 days", c.MaxAge)
	}
	// The store keeps the token's hash, never the token.
	if u, err := us.SessionUser(context.Background(), ibid.HashToken(c.Value), time.Now()); err != nil || u.Email != "ada@example.org" {
		t.Errorf("session by hash: %v %v", u, err)
	}
	if _, err := us.SessionUser(context.Background(), c.Value, time.Now()); ibid.ErrorCode(err) != ibid.ENOTFOUND {
		t.Error("the store finds the session by the raw token: it keeps tokens, not hashes")
	}

	home := get(t, s, "/", "Cookie", c.String())
	for _, want := range []string{`id="account-email">ada@example.org<`, `action="/logout"`, "Sign out", `href="/add"`} {
		if !strings.Contains(home.Body, want) {
			t.Errorf("signed-in header lacks %s", want)
		}
	}
	if strings.Contains(home.Body, `id="sign-in"`) {
		t.Error("a signed-in editor is offered Sign in")
	}
	if cc := home.Header.Get("Cache-Control"); !strings.Contains(cc, "private") {
		t.Errorf("a signed-in page is cacheable by shared caches: %q", cc)
	}
	// A signed-in visitor of /login goes straight on.
	if r := get(t, s, "/login?next=/subjects", "Cookie", c.String()); r.Code != http.StatusSeeOther || r.Header.Get("Location") != "/subjects" {
		t.Errorf("GET /login signed in: %d %q", r.Code, r.Header.Get("Location"))
	}

	// Sign out: the session ends in the store, not only in the browser.
	r = do(t, s, formPost("/logout", nil, c))
	if r.Code != http.StatusSeeOther {
		t.Fatalf("logout: %d", r.Code)
	}
	if cleared := responseCookie(r, sessionCookie); cleared == nil || cleared.MaxAge >= 0 || cleared.Value != "" {
		t.Errorf("logout does not clear the cookie: %v", r.Header["Set-Cookie"])
	}
	if !strings.Contains(get(t, s, "/", "Cookie", c.String()).Body, `id="sign-in"`) {
		t.Error("the old cookie still signs in after logout")
	}
	req := jsonRequest("/api/essays", map[string]any{"title": "After logout", "text": "Some text."})
	req.AddCookie(c)
	if r := do(t, s, req); r.Code != http.StatusUnauthorized {
		t.Errorf("write with the old cookie after logout: %d", r.Code)
	}
	// Signing out twice, or without a session, is harmless.
	if r := do(t, s, formPost("/logout", nil, c)); r.Code != http.StatusSeeOther {
		t.Errorf("second logout: %d", r.Code)
	}
}

func TestLoginNextStaysOnSite(t *testing.T) {
	tests := []struct{ next, want string }{
		{"", "/"},
		{"/", "/"},
		{"/essays/soviet-foreign-policy-1917-1941", "/essays/soviet-foreign-policy-1917-1941"},
		{"/search?q=a+b&subject=History", "/search?q=a+b&subject=History"},
		{"//evil.example/", "/"},
		{"///evil.example/", "/"},
		{"/\\evil.example", "/"},
		{"/\t/evil.example", "/"},
		{"/%0a/evil.example", "/%0a/evil.example"}, // stays a path on this site
		{"https://evil.example/", "/"},
		{"http:/evil.example", "/"},
		{"javascript:alert(1)", "/"},
		{"evil.example", "/"},
		{"/login", "/"},
		{"/login?next=//evil.example", "/"},
	}
	for _, tt := range tests {
		if got := safeNext(tt.next); got != tt.want {
			t.Errorf("safeNext(%q) = %q, want %q", tt.next, got, tt.want)
		}
	}
	// And through the form.
	s, _ := newServer(t, Config{})
	addUser(t, s.users, "ada@example.org", ibid.RoleEditor, "correct horse battery")
	for _, next := range []string{"//evil.example", "https://evil.example/x", "/\\evil.example"} {
		r := do(t, s, formPost("/login", url.Values{"email": {"ada@example.org"}, "password": {"correct horse battery"}, "next": {next}}))
		if r.Code != http.StatusSeeOther || r.Header.Get("Location") != "/" {
			t.Errorf("next %q: %d, Location %q; want /", next, r.Code, r.Header.Get("Location"))
		}
	}
}

func TestSessionCookieSecure(t *testing.T) {
	tests := []struct {
		name    string
		baseURL string
		tls     bool
		want    bool
	}{
		{"plain HTTP", "http://127.0.0.1:8080", false, false},
		{"HTTPS base URL behind a proxy", "https://essays.example.org", false, true},
		{"TLS request", "", true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := newServer(t, Config{BaseURL: tt.baseURL})
			addUser(t, s.users, "ada@example.org", ibid.RoleEditor, "correct horse battery")
			req := formPost("/login", url.Values{"email": {"ada@example.org"}, "password": {"correct horse battery"}})
			if tt.tls {
				req.TLS = &tls.ConnectionState{}
			}
			c := responseCookie(do(t, s, req), sessionCookie)
			if c == nil || c.Secure != tt.want {
				t.Errorf("cookie %+v: Secure want %v", c, tt.want)
			}
		})
	}
}

func TestExpiredSessionIsRefused(t *testing.T) {
	s, _ := newServer(t, Config{})
	u := addUser(t, s.users, "ada@example.org", ibid.RoleEditor, "correct horse battery")
	ctx := context.Background()
	tok, _ := auth.NewToken("")
	past := time.Now().Add(-31 * 24 * time.Hour)
	if err := s.users.CreateSession(ctx, &ibid.Session{TokenHash: ibid.HashToken(tok), UserID: u.ID, Created: past, Expires: past.Add(30 * 24 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	c := &http.Cookie{Name: sessionCookie, Value: tok}
	req := jsonRequest("/api/essays", map[string]any{"title": "Expired", "text": "Some text."})
	req.AddCookie(c)
	r := do(t, s, req)
	if r.Code != http.StatusUnauthorized || !strings.Contains(r.Body, `"code": "unauthorized"`) || !strings.Contains(r.Body, "session has ended") {
		t.Errorf("write with an expired session: %d %s", r.Code, r.Body)
	}
	if page := get(t, s, "/", "Cookie", c.String()); !strings.Contains(page.Body, `id="sign-in"`) {
		t.Error("an expired session shows as signed in")
	}
	// Signing in again sweeps it away.
	do(t, s, formPost("/login", url.Values{"email": {"ada@example.org"}, "password": {"correct horse battery"}}))
	if n, _ := s.users.DeleteExpiredSessions(ctx, time.Now()); n != 0 {
		t.Errorf("%d expired sessions left after a sign-in", n)
	}
}

func TestBearerTokens(t *testing.T) {
	s, _ := newServer(t, Config{})
	u := addUser(t, s.users, "ada@example.org", ibid.RoleEditor, "correct horse battery")
	tok, at := apiToken(t, s.users, u)
	del := func(slug, authz string) response {
		req := httptest.NewRequest("DELETE", "/api/essays/"+slug, nil)
		if authz != "" {
			req.Header.Set("Authorization", authz)
		}
		return do(t, s, req)
	}
	tests := []struct {
		name  string
		authz string
		code  int
	}{
		{"none", "", http.StatusUnauthorized},
		{"not bearer", "Basic YWRhOnBhc3N3b3Jk", http.StatusUnauthorized},
		{"empty bearer", "Bearer ", http.StatusUnauthorized},
		{"wrong token", "Bearer ibid_not-a-real-token", http.StatusUnauthorized},
		{"the token's hash", "Bearer " + ibid.HashToken(tok), http.StatusUnauthorized},
	}
	for _, tt := range tests {
		r := del(scriptSlug, tt.authz)
		if r.Code != tt.code || !strings.Contains(r.Body, `"code": "unauthorized"`) || r.Header.Get("WWW-Authenticate") == "" {
			t.Errorf("%s: %d %s (WWW-Authenticate %q)", tt.name, r.Code, r.Body, r.Header.Get("WWW-Authenticate"))
		}
	}
	if r := del(scriptSlug, "bearer "+tok); r.Code != http.StatusNoContent {
		t.Fatalf("delete with the token: %d %s", r.Code, r.Body)
	}
	// Another scheme (a proxy's Basic authentication in front of the
	// site) leaves the session cookie in charge.
	req := httptest.NewRequest("DELETE", "/api/essays/"+longSlug, nil)
	req.Header.Set("Authorization", "Basic YWRhOnBhc3N3b3Jk")
	req.AddCookie(editorSession(t, s.users, "bob@example.org", ibid.RoleEditor))
	if r := do(t, s, req); r.Code != http.StatusNoContent {
		t.Errorf("session behind Basic authentication: %d %s", r.Code, r.Body)
	}
	// Use is recorded.
	list, _ := s.users.Tokens(context.Background())
	if len(list) != 1 || list[0].LastUsed.IsZero() {
		t.Errorf("tokens after use: %+v", list)
	}
	// A revoked token opens nothing.
	if err := s.users.DeleteToken(context.Background(), at.ID); err != nil {
		t.Fatal(err)
	}
	if r := del("the-congress-of-vienna", "Bearer "+tok); r.Code != http.StatusUnauthorized || !strings.Contains(r.Body, "revoked") {
		t.Errorf("revoked token: %d %s", r.Code, r.Body)
	}
	if _, err := s.store.Essay(context.Background(), "the-congress-of-vienna"); err != nil {
		t.Errorf("a revoked token deleted an essay: %v", err)
	}
}

func TestLoginRateLimit(t *testing.T) {
	s, _ := newServer(t, Config{})
	addUser(t, s.users, "ada@example.org", ibid.RoleEditor, "correct horse battery")
	// Guesses at many accounts, so that the per-account backoff
	// (TestSignInBackoffPerAccount) does not answer first.
	for i := range loginsPerMinute {
		r := do(t, s, formPost("/login", url.Values{"email": {fmt.Sprintf("user%d@example.org", i)}, "password": {"guess " + fmt.Sprint(i)}}))
		if r.Code != http.StatusUnauthorized {
			t.Fatalf("attempt %d: %d", i+1, r.Code)
		}
	}
	// Past the limit even the right password waits: guessing gains nothing.
	r := do(t, s, formPost("/login", url.Values{"email": {"ada@example.org"}, "password": {"correct horse battery"}}))
	if r.Code != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" || !strings.Contains(r.Body, "Too many sign-in attempts") ||
		responseCookie(r, sessionCookie) != nil {
		t.Errorf("attempt %d: %d, Retry-After %q", loginsPerMinute+1, r.Code, r.Header.Get("Retry-After"))
	}
	// Another client is not held up.
	req := formPost("/login", url.Values{"email": {"ada@example.org"}, "password": {"correct horse battery"}})
	req.RemoteAddr = "198.51.100.7:4321"
	if r := do(t, s, req); r.Code != http.StatusSeeOther {
		t.Errorf("another client: %d", r.Code)
	}
}

// BenchmarkAuthenticate measures what signing a request costs the server:
// one look-up of a token hash, by session cookie or by API token (whose
// last use is written at most once a minute).
func BenchmarkAuthenticate(b *testing.B) {
	s, _ := newServer(b, Config{})
	u := addUser(b, s.users, "ada@example.org", ibid.RoleEditor, "correct horse battery")
	cookie := editorSession(b, s.users, "bob@example.org", ibid.RoleEditor)
	tok, _ := apiToken(b, s.users, u)
	for _, bc := range []struct {
		name string
		sign func(*http.Request)
	}{
		{"session", func(r *http.Request) { r.AddCookie(cookie) }},
		{"token", func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+tok) }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			req := httptest.NewRequest("GET", "/", nil)
			bc.sign(req)
			for b.Loop() {
				if u, err := s.authenticate(req); u == nil || err != nil {
					b.Fatal(u, err)
				}
			}
		})
	}
}
