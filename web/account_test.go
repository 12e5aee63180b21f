package web

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ibid-dev/ibid"
	"github.com/ibid-dev/ibid/auth"
)

// sessionFor starts a session for an existing account and returns its
// cookie, as signing in would.
func sessionFor(t testing.TB, us ibid.UserStore, u *ibid.User) *http.Cookie {
	t.Helper()
	tok, err := auth.NewToken("")
	if err != nil {
		t.Fatal(err)
	}
	if err := us.CreateSession(context.Background(), &ibid.Session{TokenHash: ibid.HashToken(tok), UserID: u.ID, Expires: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	return &http.Cookie{Name: sessionCookie, Value: tok}
}

// withCookie returns req carrying c.
func withCookie(req *http.Request, c *http.Cookie) *http.Request {
	if c != nil {
		req.AddCookie(c)
	}
	return req
}

// signsIn reports whether POST /login with email and pw succeeds.
func signsIn(t testing.TB, h http.Handler, email, pw string) bool {
	t.Helper()
	r := do(t, h, formPost("/login", url.Values{"email": {email}, "password": {pw}}))
	switch r.Code {
	case http.StatusSeeOther:
		return true
	case http.StatusUnauthorized:
		return false
	}
	t.Fatalf("sign-in as %s: %d", email, r.Code)
	return false
}

// signedIn reports whether c is a live session: /account opens with it.
func signedIn(t testing.TB, h http.Handler, c *http.Cookie) bool {
	t.Helper()
	r := do(t, h, withCookie(httptest.NewRequest("GET", "/account", nil), c))
	switch r.Code {
	case http.StatusOK:
		return true
	case http.StatusSeeOther:
		return false
	}
	t.Fatalf("GET /account: %d", r.Code)
	return false
}

const (
	adminPW  = "the admin's long password"
	editorPW = "the editor's long password"
)

// accountFixture is a server with an admin and an editor, each signed in.
type accountFixture struct {
	srv           *Server
	admin, editor *ibid.User
	adminC        *http.Cookie
	editorC       *http.Cookie
	access, logs  *bytes.Buffer // the access log and the server's log
}

func newAccountFixture(t *testing.T) *accountFixture {
	t.Helper()
	f := &accountFixture{access: &bytes.Buffer{}, logs: &bytes.Buffer{}}
	f.srv, _ = newServer(t, Config{Logger: slogTo(f.logs), AccessLog: slogTo(f.access)})
	f.admin = addUser(t, f.srv.users, "admin@example.org", ibid.RoleAdmin, adminPW)
	f.editor = addUser(t, f.srv.users, "editor@example.org", ibid.RoleEditor, editorPW)
	f.adminC = sessionFor(t, f.srv.users, f.admin)
	f.editorC = sessionFor(t, f.srv.users, f.editor)
	return f
}

// post sends a form as the holder of c (nil: anonymous).
func (f *accountFixture) post(t *testing.T, target string, form url.Values, c *http.Cookie) response {
	t.Helper()
	return do(t, f.srv, withCookie(formPost(target, form), c))
}

func (f *accountFixture) user(t *testing.T, email string) *ibid.User {
	t.Helper()
	u, _, err := f.srv.users.UserByEmail(context.Background(), email)
	if err != nil {
		t.Fatalf("%s: %v", email, err)
	}
	return u
}

func TestAccountRoutesByRole(t *testing.T) {
	f := newAccountFixture(t)
	adminTok, _ := apiToken(t, f.srv.users, f.admin)
	ed := fmt.Sprint(f.editor.ID)
	type want struct {
		code     int
		location string // for redirects
	}
	login := func(next string) want { return want{303, "/login?next=" + url.QueryEscape(next)} }
	tests := []struct {
		method, target string
		anon, editor   want
		admin, bearer  want // bearer: the admin's API token instead of a session
	}{
		{"GET", "/account", login("/account"), want{200, ""}, want{200, ""}, want{403, ""}},
		{"GET", "/admin/users", login("/admin/users"), want{403, ""}, want{200, ""}, want{403, ""}},
		{"GET", "/admin/users/" + ed, login("/admin/users/" + ed), want{403, ""}, want{200, ""}, want{403, ""}},
		{"GET", "/admin/users/99999", login("/admin/users/99999"), want{403, ""}, want{404, ""}, want{403, ""}},
		{"GET", "/admin/users/x", login("/admin/users/x"), want{403, ""}, want{404, ""}, want{403, ""}},
		// Empty forms: refused before anything changes, and after the
		// role is known.
		{"POST", "/account/password", want{401, ""}, want{400, ""}, want{400, ""}, want{403, ""}},
		{"POST", "/account/tokens", want{401, ""}, want{400, ""}, want{400, ""}, want{403, ""}},
		{"POST", "/account/tokens/99999/revoke", want{401, ""}, want{404, ""}, want{404, ""}, want{403, ""}},
		{"POST", "/admin/users", want{401, ""}, want{403, ""}, want{400, ""}, want{403, ""}},
		{"POST", "/admin/users/" + ed + "/password", want{401, ""}, want{403, ""}, want{400, ""}, want{403, ""}},
		{"POST", "/admin/users/" + ed + "/delete", want{401, ""}, want{403, ""}, want{400, ""}, want{403, ""}},
		{"POST", "/admin/users/99999/delete", want{401, ""}, want{403, ""}, want{404, ""}, want{403, ""}},
	}
	for _, tc := range tests {
		for _, who := range []struct {
			name string
			sign func(*http.Request)
			want want
		}{
			{"anonymous", func(*http.Request) {}, tc.anon},
			{"editor", func(r *http.Request) { r.AddCookie(f.editorC) }, tc.editor},
			{"admin", func(r *http.Request) { r.AddCookie(f.adminC) }, tc.admin},
			{"bearer", func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+adminTok) }, tc.bearer},
		} {
			t.Run(tc.method+" "+tc.target+" "+who.name, func(t *testing.T) {
				req := httptest.NewRequest(tc.method, tc.target, nil)
				if tc.method == "POST" {
					req = formPost(tc.target, url.Values{})
				}
				who.sign(req)
				r := do(t, f.srv, req)
				if r.Code != who.want.code || r.Header.Get("Location") != who.want.location {
					t.Fatalf("%d, Location %q; want %d %q", r.Code, r.Header.Get("Location"), who.want.code, who.want.location)
				}
				if r.Code == 200 && r.Header.Get("Cache-Control") != "no-store" {
					t.Errorf("Cache-Control %q, want no-store", r.Header.Get("Cache-Control"))
				}
			})
		}
	}
	if u := f.user(t, "editor@example.org"); u.Role != ibid.RoleEditor {
		t.Errorf("the editor's account changed: %+v", u)
	}

	// The header: Account for everyone signed in, Accounts for admins.
	for _, tc := range []struct {
		c               *http.Cookie
		account, admins bool
	}{
		{nil, false, false},
		{f.editorC, true, false},
		{f.adminC, true, true},
	} {
		body := do(t, f.srv, withCookie(httptest.NewRequest("GET", "/", nil), tc.c)).Body
		if got := strings.Contains(body, `href="/account" id="account-link"`); got != tc.account {
			t.Errorf("cookie %v: Account link %v, want %v", tc.c != nil, got, tc.account)
		}
		if got := strings.Contains(body, `href="/admin/users" id="accounts-link"`); got != tc.admins {
			t.Errorf("cookie %v: Accounts link %v, want %v", tc.c != nil, got, tc.admins)
		}
	}
}

func TestAccountPasswordChange(t *testing.T) {
	f := newAccountFixture(t)
	other := sessionFor(t, f.srv.users, f.editor) // the editor's other device
	const newPW = "a new and longer password"

	r := do(t, f.srv, withCookie(httptest.NewRequest("GET", "/account", nil), f.editorC))
	for _, want := range []string{"editor@example.org", `id="password-form"`, `action="/account/password"`, `id="no-tokens"`} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("GET /account lacks %s", want)
		}
	}

	refused := []struct {
		name, current, new, again string
		msg                       string
	}{
		{"wrong current", "not my password at all", newPW, newPW, "The current password is incorrect."},
		{"mismatch", editorPW, newPW, newPW + "!", "The two new passwords do not match."},
		{"too short", editorPW, "short pw", "short pw", "The password must have at least 10 characters."},
		{"unchanged", editorPW, editorPW, editorPW, "The new password is the current one: choose another."},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) {
			r := f.post(t, "/account/password", url.Values{"current": {tc.current}, "new": {tc.new}, "again": {tc.again}}, f.editorC)
			if r.Code != http.StatusBadRequest || !strings.Contains(r.Body, tc.msg) {
				t.Fatalf("%d, want 400 with %q", r.Code, tc.msg)
			}
			if responseCookie(r, sessionCookie) != nil {
				t.Error("a refused change set a cookie")
			}
			for _, pw := range []string{tc.current, tc.new, tc.again} {
				if strings.Contains(r.Body, pw) {
					t.Errorf("the page shows a password typed: %q", pw)
				}
			}
		})
	}
	if !signedIn(t, f.srv, other) {
		t.Fatal("a refused change ended a session")
	}

	r = f.post(t, "/account/password", url.Values{"current": {editorPW}, "new": {newPW}, "again": {newPW}}, f.editorC)
	if r.Code != http.StatusSeeOther || r.Header.Get("Location") != "/account?done=password" {
		t.Fatalf("change: %d, Location %q", r.Code, r.Header.Get("Location"))
	}
	fresh := responseCookie(r, sessionCookie)
	if fresh == nil || fresh.Value == "" || fresh.Value == f.editorC.Value || !fresh.HttpOnly {
		t.Fatalf("the change gave this browser no new session: %v", r.Header["Set-Cookie"])
	}
	if signedIn(t, f.srv, other) || signedIn(t, f.srv, f.editorC) {
		t.Error("old sessions survived the change")
	}
	r = do(t, f.srv, withCookie(httptest.NewRequest("GET", "/account?done=password", nil), fresh))
	if r.Code != 200 || !strings.Contains(r.Body, "Password changed; your other browsers are signed out.") {
		t.Errorf("after the change: %d, no notice", r.Code)
	}
	if !signedIn(t, f.srv, f.adminC) {
		t.Error("another user's session ended")
	}
	if signsIn(t, f.srv, "editor@example.org", editorPW) {
		t.Error("the old password still signs in")
	}
	if !signsIn(t, f.srv, "editor@example.org", newPW) {
		t.Error("the new password does not sign in")
	}
	// An unknown ?done= shows nothing.
	if r := do(t, f.srv, withCookie(httptest.NewRequest("GET", "/account?done=you+were+hacked", nil), fresh)); strings.Contains(r.Body, "account-notice") {
		t.Error("an unknown done= shows a notice")
	}
}

// tokenInPage is an API token as the account page shows it.
var tokenInPage = regexp.MustCompile(`value="(` + auth.APITokenPrefix + `[A-Za-z0-9_-]{43})"`)

func TestAccountTokens(t *testing.T) {
	f := newEditFixture(t) // adds essays, so that a token can be tried on the API
	us := f.srv.users
	editor, _, _ := us.UserByEmail(context.Background(), "editor@example.org")
	other := addUser(t, us, "other@example.org", ibid.RoleEditor, "another long password")
	otherTok, otherAT := apiToken(t, us, other)

	for _, tc := range []struct{ name, input, msg string }{
		{"empty", "  ", "Give the token a name"},
		{"too long", strings.Repeat("n", maxTokenName+1), "at most 100 characters"},
		{"control character", "line\none", "may not hold control characters"},
	} {
		r := do(t, f.srv, withCookie(formPost("/account/tokens", url.Values{"name": {tc.input}}), f.cookie))
		if r.Code != http.StatusBadRequest || !strings.Contains(r.Body, tc.msg) || tokenInPage.MatchString(r.Body) {
			t.Errorf("%s: %d, want 400 with %q and no token", tc.name, r.Code, tc.msg)
		}
	}

	r := do(t, f.srv, withCookie(formPost("/account/tokens", url.Values{"name": {"  laptop script "}}), f.cookie))
	m := tokenInPage.FindStringSubmatch(r.Body)
	if r.Code != http.StatusCreated || m == nil || !strings.Contains(r.Body, "it will not be shown again") {
		t.Fatalf("create: %d, token shown %v", r.Code, m != nil)
	}
	if cc := r.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("the token's page has Cache-Control %q, want no-store", cc)
	}
	tok := m[1]
	page := do(t, f.srv, withCookie(httptest.NewRequest("GET", "/account", nil), f.cookie)).Body
	if strings.Contains(page, tok) || !strings.Contains(page, "laptop script") {
		t.Error("the account page shows the token again, or not its name")
	}
	if strings.Contains(page, otherAT.Name+"</th>") {
		t.Error("the account page lists another user's token")
	}

	// The token works on the API as the editor.
	create := func(tok string) int {
		req := jsonRequest("/api/essays", map[string]any{"title": "By token " + tok[len(tok)-6:], "text": "Written by a script with the token ending " + tok[len(tok)-6:] + "."})
		req.Header.Set("Authorization", "Bearer "+tok)
		return do(t, f.srv, req).Code
	}
	if c := create(tok); c != http.StatusCreated {
		t.Fatalf("POST /api/essays with the new token: %d", c)
	}
	// Only this browser's user can act here: the token itself cannot
	// mint another.
	req := formPost("/account/tokens", url.Values{"name": {"more"}})
	req.Header.Set("Authorization", "Bearer "+tok)
	if r := do(t, f.srv, req); r.Code != http.StatusForbidden {
		t.Errorf("creating a token with a token: %d, want 403", r.Code)
	}

	all, err := us.Tokens(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var mine *ibid.APIToken
	for _, at := range all {
		if at.UserID == editor.ID && at.Name == "laptop script" {
			mine = at
		}
	}
	if mine == nil {
		t.Fatal("the token is not stored under the editor with its trimmed name")
	}

	// Someone else's token, and ids that are none: not found, and the
	// token still works.
	for _, id := range []string{fmt.Sprint(otherAT.ID), "0", "-1", "abc", "99999999999999999999"} {
		r := do(t, f.srv, withCookie(formPost("/account/tokens/"+id+"/revoke", nil), f.cookie))
		if r.Code != http.StatusNotFound {
			t.Errorf("revoke %s: %d, want 404", id, r.Code)
		}
	}
	if c := create(otherTok); c != http.StatusCreated {
		t.Errorf("the other user's token stopped working: %d", c)
	}

	r = do(t, f.srv, withCookie(formPost(fmt.Sprintf("/account/tokens/%d/revoke", mine.ID), nil), f.cookie))
	if r.Code != http.StatusSeeOther || r.Header.Get("Location") != "/account?done=revoked" {
		t.Fatalf("revoke: %d, Location %q", r.Code, r.Header.Get("Location"))
	}
	if c := create(tok); c != http.StatusUnauthorized {
		t.Errorf("POST /api/essays with the revoked token: %d, want 401", c)
	}
	page = do(t, f.srv, withCookie(httptest.NewRequest("GET", "/account?done=revoked", nil), f.cookie)).Body
	if strings.Contains(page, "laptop script") || !strings.Contains(page, "The API token is revoked") {
		t.Error("after revoking, the page still lists the token or does not say it is revoked")
	}
}

func TestAdminAddsAccounts(t *testing.T) {
	f := newAccountFixture(t)
	const pw = "a fresh long password"
	for _, tc := range []struct {
		name                 string
		email, role, pw, msg string
		code                 int
	}{
		{"email taken", " Editor@Example.org ", "editor", pw, "An account with that email already exists.", 409},
		{"not an email", "editor", "editor", pw, "Enter a valid email address", 400},
		{"no email", "", "admin", pw, "Enter a valid email address", 400},
		{"unknown role", "new@example.org", "owner", pw, "Choose a role: admin or editor.", 400},
		{"short password", "new@example.org", "admin", "too short", "The password must have at least 10 characters.", 400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := f.post(t, "/admin/users", url.Values{"email": {tc.email}, "role": {tc.role}, "password": {tc.pw}}, f.adminC)
			if r.Code != tc.code || !strings.Contains(r.Body, tc.msg) {
				t.Fatalf("%d, want %d with %q", r.Code, tc.code, tc.msg)
			}
			if strings.Contains(r.Body, tc.pw) {
				t.Error("the form shows the password again")
			}
			if !strings.Contains(r.Body, `name="email" value="`+strings.TrimSpace(tc.email)+`"`) {
				t.Error("the form lost the email typed")
			}
			if tc.role == "admin" && !strings.Contains(r.Body, `value="admin" checked`) {
				t.Error("the form lost the role chosen")
			}
		})
	}
	if us, _ := f.srv.users.Users(context.Background()); len(us) != 2 {
		t.Fatalf("refused forms added accounts: %d accounts", len(us))
	}

	r := f.post(t, "/admin/users", url.Values{"email": {"New@Example.org"}, "role": {"admin"}, "password": {pw}}, f.adminC)
	if r.Code != http.StatusSeeOther || r.Header.Get("Location") != "/admin/users?done=added" {
		t.Fatalf("add: %d, Location %q", r.Code, r.Header.Get("Location"))
	}
	if u := f.user(t, "new@example.org"); u.Role != ibid.RoleAdmin {
		t.Errorf("added %+v, want an admin", u)
	}
	if !signsIn(t, f.srv, "new@example.org", pw) {
		t.Error("the new account cannot sign in")
	}
	page := do(t, f.srv, withCookie(httptest.NewRequest("GET", "/admin/users?done=added", nil), f.adminC)).Body
	for _, want := range []string{"The account is added.", "new@example.org", "editor@example.org", `(you)`} {
		if !strings.Contains(page, want) {
			t.Errorf("the list lacks %q", want)
		}
	}
}

func TestAdminResetsPasswords(t *testing.T) {
	f := newAccountFixture(t)
	const pw = "reset by the admin, long"
	target := fmt.Sprintf("/admin/users/%d/password", f.editor.ID)

	r := f.post(t, target, url.Values{"password": {"short"}}, f.adminC)
	if r.Code != 400 || !strings.Contains(r.Body, "at least 10 characters") {
		t.Errorf("short: %d", r.Code)
	}
	r = f.post(t, fmt.Sprintf("/admin/users/%d/password", f.admin.ID), url.Values{"password": {pw}}, f.adminC)
	if r.Code != 400 || !strings.Contains(r.Body, "Change your own password on your account page") {
		t.Errorf("own password: %d", r.Code)
	}
	if !signedIn(t, f.srv, f.adminC) || !signedIn(t, f.srv, f.editorC) {
		t.Fatal("a refused reset ended a session")
	}

	r = f.post(t, target, url.Values{"password": {pw}}, f.adminC)
	if want := fmt.Sprintf("/admin/users/%d?done=password", f.editor.ID); r.Code != 303 || r.Header.Get("Location") != want {
		t.Fatalf("reset: %d, Location %q", r.Code, r.Header.Get("Location"))
	}
	if signedIn(t, f.srv, f.editorC) {
		t.Error("the editor's session survived the reset")
	}
	if !signedIn(t, f.srv, f.adminC) {
		t.Error("the admin's session ended")
	}
	if signsIn(t, f.srv, "editor@example.org", editorPW) || !signsIn(t, f.srv, "editor@example.org", pw) {
		t.Error("after the reset, the old password works or the new one does not")
	}
}

func TestAdminRemovesAccounts(t *testing.T) {
	f := newAccountFixture(t)
	us := f.srv.users
	second := addUser(t, us, "second@example.org", ibid.RoleAdmin, "second admin's password")
	secondC := sessionFor(t, us, second)
	edTok, _ := apiToken(t, us, f.editor)
	remove := func(id int64, c *http.Cookie, confirm bool) response {
		form := url.Values{}
		if confirm {
			form.Set("confirm", "yes")
		}
		return f.post(t, fmt.Sprintf("/admin/users/%d/delete", id), form, c)
	}
	count := func() int {
		all, err := us.Users(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return len(all)
	}

	steps := []struct {
		name    string
		id      int64
		by      *http.Cookie
		confirm bool
		code    int
		msg     string
		left    int // accounts afterwards
	}{
		{"unconfirmed", f.editor.ID, f.adminC, false, 400, "Tick the box to confirm the removal.", 3},
		{"self, with another admin", f.admin.ID, f.adminC, true, 400, "You cannot remove your own account.", 3},
		{"the editor", f.editor.ID, f.adminC, true, 303, "", 2},
		{"the editor again", f.editor.ID, f.adminC, true, 404, "There is no such account.", 2},
		{"the other admin", second.ID, f.adminC, true, 303, "", 1},
		{"a removed admin's session", f.admin.ID, secondC, true, 401, "", 1},
		{"the last admin", f.admin.ID, f.adminC, true, 409, "This is the last admin account; it cannot be removed.", 1},
	}
	for _, st := range steps {
		r := remove(st.id, st.by, st.confirm)
		if r.Code != st.code || !strings.Contains(r.Body, st.msg) {
			t.Errorf("%s: %d, want %d with %q", st.name, r.Code, st.code, st.msg)
		}
		if n := count(); n != st.left {
			t.Fatalf("%s: %d accounts left, want %d", st.name, n, st.left)
		}
	}
	// The removed editor's session and token are gone with the account.
	if signedIn(t, f.srv, f.editorC) {
		t.Error("the removed editor is still signed in")
	}
	req := jsonRequest("/api/essays", map[string]any{"title": "x", "text": "y"})
	req.Header.Set("Authorization", "Bearer "+edTok)
	if r := do(t, f.srv, req); r.Code != http.StatusUnauthorized {
		t.Errorf("the removed editor's token: %d, want 401", r.Code)
	}
	if !signedIn(t, f.srv, f.adminC) {
		t.Error("the last admin was signed out")
	}
}

// TestAccountSecretsStayOutOfLogs: passwords and tokens travel in form
// bodies and pages only; the access log and the server log never see them.
func TestAccountSecretsStayOutOfLogs(t *testing.T) {
	f := newAccountFixture(t)
	const newPW = "the secret new password"
	f.post(t, "/account/password", url.Values{"current": {editorPW}, "new": {newPW}, "again": {newPW}}, f.editorC)
	f.post(t, "/admin/users", url.Values{"email": {"x@example.org"}, "role": {"editor"}, "password": {"secret initial password"}}, f.adminC)
	r := f.post(t, "/account/tokens", url.Values{"name": {"ci"}}, f.adminC)
	m := tokenInPage.FindStringSubmatch(r.Body)
	if m == nil {
		t.Fatalf("no token created: %d", r.Code)
	}
	if f.access.Len() == 0 {
		t.Fatal("the access log is empty: the test checks nothing")
	}
	for _, secret := range []string{editorPW, newPW, "secret initial password", m[1], f.editorC.Value, f.adminC.Value} {
		if strings.Contains(f.access.String(), secret) || strings.Contains(f.logs.String(), secret) {
			t.Errorf("a log holds %q", secret)
		}
	}
}
