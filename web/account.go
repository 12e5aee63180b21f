package web

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/ibid-dev/ibid"
	"github.com/ibid-dev/ibid/auth"
)

// The account pages: everyone signed in manages their own password and API
// tokens at /account; admins manage everyone's accounts at /admin/users.
// They are pages for a browser signed in with a password: an API token,
// which a script holds and may leak, can neither mint more tokens nor
// change a password.

// maxTokenName bounds an API token's name, in characters.
const maxTokenName = 100

// adminMu serialises the removal of accounts in this process, so that two
// admins removing each other at the same moment cannot both pass the
// last-admin check and leave the site without one. (Servers sharing a
// PostgreSQL store each have their own; removals are rare enough.)
var adminMu sync.Mutex

// Messages of the account pages.
var (
	errAccountSignIn   = ibid.Errorf(ibid.EUNAUTHORIZED, "Sign in to manage your account.")
	errAccountBearer   = ibid.Errorf(ibid.EFORBIDDEN, "Accounts are managed in a browser signed in with a password, not with an API token.")
	errAdminOnly       = ibid.Errorf(ibid.EFORBIDDEN, "Only admins manage accounts.")
	errNoAccount       = ibid.Errorf(ibid.ENOTFOUND, "There is no such account.")
	errNoToken         = ibid.Errorf(ibid.ENOTFOUND, "There is no such API token.")
	errBadForm         = ibid.Errorf(ibid.EINVALID, "The form could not be read.")
	errEmailTaken      = ibid.Errorf(ibid.ECONFLICT, "An account with that email already exists.")
	errWrongPassword   = ibid.Errorf(ibid.EINVALID, "The current password is incorrect.")
	errPasswordsDiffer = ibid.Errorf(ibid.EINVALID, "The two new passwords do not match.")
)

// accountUser returns the signed-in user of a request to the account pages:
// EUNAUTHORIZED without a session, EFORBIDDEN for a request signed with an
// API token.
func (s *Server) accountUser(r *http.Request) (*ibid.User, error) {
	if s.users == nil {
		return nil, ibid.Errorf(ibid.EUNAVAILABLE, "Accounts are not enabled on this server.")
	}
	if scheme, _, _ := strings.Cut(r.Header.Get("Authorization"), " "); strings.EqualFold(scheme, "Bearer") {
		return nil, errAccountBearer
	}
	u, err := s.authenticate(r)
	switch {
	case err != nil:
		return nil, err
	case u == nil:
		return nil, errAccountSignIn
	}
	return u, nil
}

// requireAdmin is accountUser for admins only.
func (s *Server) requireAdmin(r *http.Request) (*ibid.User, error) {
	u, err := s.accountUser(r)
	if err != nil {
		return nil, err
	}
	if u.Role != ibid.RoleAdmin {
		return nil, errAdminOnly
	}
	return u, nil
}

// parseAccountForm reads a URL-encoded form; the body limit of limitBody
// applies.
func parseAccountForm(r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		if tooLarge(err) {
			return ibid.Errorf(ibid.ETOOLARGE, "The request is too large.")
		}
		return errBadForm
	}
	return nil
}

// sentence turns a message of a lower layer ("the password must have at
// least 10 characters") into one for a page: capital first letter, final
// full stop.
func sentence(msg string) string {
	r, n := utf8.DecodeRuneInString(msg)
	if n == 0 {
		return msg
	}
	msg = string(unicode.ToUpper(r)) + msg[n:]
	if !strings.HasSuffix(msg, ".") {
		msg += "."
	}
	return msg
}

// checkNewPassword applies the rules of `ibid user add` to a new password.
func checkNewPassword(pw string) error {
	if err := auth.CheckPassword(pw); err != nil {
		return ibid.Errorf(ibid.EINVALID, "%s", sentence(ibid.ErrorMessage(err)))
	}
	return nil
}

// accountView is the data of the account template.
type accountView struct {
	User   *ibid.User
	Tokens []*ibid.APIToken // the user's own, oldest first
	Notice string           // what the last action did

	PasswordError string

	TokenName    string // the name typed, kept when it is refused
	TokenError   string
	NewToken     string // a token just created: shown on this page only
	NewTokenName string
}

// accountNotices are the notices a redirect after an action asks for with
// ?done=; a fixed set, so that a link cannot make the page say anything else.
var accountNotices = map[string]string{
	"password": "Password changed; your other browsers are signed out. Your API tokens still work: revoke any you do not know below.",
	"revoked":  "The API token is revoked: it no longer works.",
}

// account shows the signed-in user's account: GET /account.
func (s *Server) account(w http.ResponseWriter, r *http.Request) error {
	u, ok, err := s.signedInPage(w, r, s.accountUser)
	if !ok {
		return err
	}
	v := &accountView{User: u, Notice: accountNotices[r.URL.Query().Get("done")]}
	return s.renderAccount(w, r, v, http.StatusOK)
}

func (s *Server) renderAccount(w http.ResponseWriter, r *http.Request, v *accountView, status int) error {
	all, err := s.users.Tokens(r.Context())
	if err != nil {
		return err
	}
	for _, t := range all {
		if t.UserID == v.User.ID {
			v.Tokens = append(v.Tokens, t)
		}
	}
	p := s.newPage(r, "Your account")
	p.NoIndex = true
	p.Data = v
	return s.renderNoStore(&statusWriter{ResponseWriter: w, status: status}, "account", p)
}

// accountPassword changes the signed-in user's password: POST
// /account/password with current, new and again. The store ends every
// session of the user; this browser gets a new one, so that only the other
// devices are signed out.
func (s *Server) accountPassword(w http.ResponseWriter, r *http.Request) error {
	u, err := s.accountUser(r)
	if err != nil {
		return err
	}
	if err := parseAccountForm(r); err != nil {
		return err
	}
	f := r.PostForm
	cur, pw, again := f.Get("current"), f.Get("new"), f.Get("again")
	v := &accountView{User: u}
	failed := func(err error) error {
		v.PasswordError = ibid.ErrorMessage(err)
		return s.renderAccount(w, r, v, statusOf(ibid.ErrorCode(err)))
	}
	// Trying current passwords is password guessing by another door: it
	// takes from the same allowance as signing in.
	if ok, wait := s.logins.allow(clientKey(s.cfg.Limits.clientAddr(r))); !ok {
		secs := max(1, int(math.Ceil(wait.Seconds())))
		w.Header().Set("Retry-After", strconv.Itoa(secs))
		return failed(ibid.Errorf(ibid.ERATELIMIT, "Too many password attempts from your address. Please try again in %s.", seconds(secs)))
	}
	ctx := r.Context()
	if _, err := s.checkPassword(ctx, u.Email, cur); err != nil {
		if ibid.ErrorCode(err) == ibid.EUNAUTHORIZED {
			return failed(errWrongPassword)
		}
		return err
	}
	if pw != again {
		return failed(errPasswordsDiffer)
	}
	if err := checkNewPassword(pw); err != nil {
		return failed(err)
	}
	if pw == cur {
		return failed(ibid.Errorf(ibid.EINVALID, "The new password is the current one: choose another."))
	}
	hash, err := auth.HashPassword(pw)
	if err != nil {
		return err
	}
	if err := s.users.SetPassword(ctx, u.ID, hash); err != nil {
		return err
	}
	if err := s.startSession(w, r, u); err != nil {
		return err
	}
	http.Redirect(w, r, "/account?done=password", http.StatusSeeOther)
	return nil
}

// tokenName checks the name of a new API token and returns it trimmed.
func tokenName(name string) (string, error) {
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		return "", ibid.Errorf(ibid.EINVALID, "Give the token a name: what will use it?")
	case !utf8.ValidString(name) || strings.IndexFunc(name, unicode.IsControl) >= 0:
		return "", ibid.Errorf(ibid.EINVALID, "The token's name may not hold control characters.")
	case utf8.RuneCountInString(name) > maxTokenName:
		return "", ibid.Errorf(ibid.EINVALID, "The token's name must have at most %d characters.", maxTokenName)
	}
	return name, nil
}

// accountTokenCreate creates an API token for the signed-in user: POST
// /account/tokens with a name. The answer is the account page itself, the
// one place the token is ever shown (the store keeps only its hash); it is
// not a redirect, so the token is in no URL and no later page.
func (s *Server) accountTokenCreate(w http.ResponseWriter, r *http.Request) error {
	u, err := s.accountUser(r)
	if err != nil {
		return err
	}
	if err := parseAccountForm(r); err != nil {
		return err
	}
	v := &accountView{User: u}
	name, err := tokenName(r.PostForm.Get("name"))
	if err != nil {
		v.TokenName, v.TokenError = r.PostForm.Get("name"), ibid.ErrorMessage(err)
		return s.renderAccount(w, r, v, statusOf(ibid.ErrorCode(err)))
	}
	tok, err := auth.NewToken(auth.APITokenPrefix)
	if err != nil {
		return err
	}
	if err := s.users.CreateToken(r.Context(), &ibid.APIToken{UserID: u.ID, Name: name, TokenHash: ibid.HashToken(tok)}); err != nil {
		return err
	}
	v.NewToken, v.NewTokenName = tok, name
	return s.renderAccount(w, r, v, http.StatusCreated)
}

// accountTokenRevoke revokes one of the signed-in user's API tokens: POST
// /account/tokens/{id}/revoke. Another user's token is not found, so that
// the answer does not tell which ids exist.
func (s *Server) accountTokenRevoke(w http.ResponseWriter, r *http.Request) error {
	u, err := s.accountUser(r)
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return errNoToken
	}
	all, err := s.users.Tokens(r.Context())
	if err != nil {
		return err
	}
	own := false
	for _, t := range all {
		if t.ID == id && t.UserID == u.ID {
			own = true
			break
		}
	}
	if !own {
		return errNoToken
	}
	if err := s.users.DeleteToken(r.Context(), id); err != nil {
		return err
	}
	http.Redirect(w, r, "/account?done=revoked", http.StatusSeeOther)
	return nil
}

// adminUsersView is the data of the admin-users template: every account,
// and the add form.
type adminUsersView struct {
	Users  []*ibid.User
	Me     int64 // the admin looking
	Notice string

	// The add form, kept when refused (never the password).
	Email string
	Role  string
	Error string
}

// adminNotices are the notices of ?done= on the account pages of admins.
var adminNotices = map[string]string{
	"added":    "The account is added. Pass its password on in person or by another safe channel.",
	"removed":  "The account is removed, with its sessions and API tokens.",
	"password": "The password is reset; the account's sessions are ended and its API tokens revoked.",
	"revoked":  "The API token is revoked: it no longer works.",
}

// adminUsers lists the accounts: GET /admin/users.
func (s *Server) adminUsers(w http.ResponseWriter, r *http.Request) error {
	u, ok, err := s.signedInPage(w, r, s.requireAdmin)
	if !ok {
		return err
	}
	v := &adminUsersView{Me: u.ID, Role: string(ibid.RoleEditor), Notice: adminNotices[r.URL.Query().Get("done")]}
	return s.renderAdminUsers(w, r, v, http.StatusOK)
}

func (s *Server) renderAdminUsers(w http.ResponseWriter, r *http.Request, v *adminUsersView, status int) error {
	us, err := s.users.Users(r.Context())
	if err != nil {
		return err
	}
	v.Users = us
	p := s.newPage(r, "Accounts")
	p.NoIndex = true
	p.Data = v
	return s.renderNoStore(&statusWriter{ResponseWriter: w, status: status}, "admin-users", p)
}

// adminUserCreate adds an account: POST /admin/users with email, role and
// password.
func (s *Server) adminUserCreate(w http.ResponseWriter, r *http.Request) error {
	me, err := s.requireAdmin(r)
	if err != nil {
		return err
	}
	if err := parseAccountForm(r); err != nil {
		return err
	}
	f := r.PostForm
	v := &adminUsersView{Me: me.ID, Email: strings.TrimSpace(f.Get("email")), Role: f.Get("role")}
	err = s.createUser(r.Context(), v.Email, ibid.Role(v.Role), f.Get("password"))
	if err != nil {
		switch ibid.ErrorCode(err) {
		case ibid.EINVALID, ibid.ECONFLICT:
			v.Error = ibid.ErrorMessage(err)
			return s.renderAdminUsers(w, r, v, statusOf(ibid.ErrorCode(err)))
		}
		return err
	}
	http.Redirect(w, r, "/admin/users?done=added", http.StatusSeeOther)
	return nil
}

// createUser checks and stores a new account, with messages for the form.
func (s *Server) createUser(ctx context.Context, email string, role ibid.Role, pw string) error {
	if _, err := ibid.NormalizeEmail(email); err != nil {
		return ibid.Errorf(ibid.EINVALID, "Enter a valid email address, like name@example.org.")
	}
	if !role.Valid() {
		return ibid.Errorf(ibid.EINVALID, "Choose a role: admin or editor.")
	}
	if err := checkNewPassword(pw); err != nil {
		return err
	}
	hash, err := auth.HashPassword(pw)
	if err != nil {
		return err
	}
	err = s.users.CreateUser(ctx, &ibid.User{Email: email, Role: role}, hash)
	if ibid.ErrorCode(err) == ibid.ECONFLICT {
		return errEmailTaken
	}
	return err
}

// adminUserView is the data of the admin-user template: one account, with
// the forms that reset its password and remove it.
type adminUserView struct {
	Account       *ibid.User
	Tokens        []*ibid.APIToken // the account's API tokens
	Self          bool             // the admin looking at their own account
	Notice        string
	PasswordError string
	DeleteError   string
}

// findUser returns the account with the given id (a path value).
func (s *Server) findUser(ctx context.Context, idStr string) (*ibid.User, []*ibid.User, error) {
	id, err := strconv.ParseInt(idStr, 10, 64)
	if err != nil {
		return nil, nil, errNoAccount
	}
	us, err := s.users.Users(ctx)
	if err != nil {
		return nil, nil, err
	}
	for _, u := range us {
		if u.ID == id {
			return u, us, nil
		}
	}
	return nil, us, errNoAccount
}

// adminUser shows one account: GET /admin/users/{id}.
func (s *Server) adminUser(w http.ResponseWriter, r *http.Request) error {
	me, ok, err := s.signedInPage(w, r, s.requireAdmin)
	if !ok {
		return err
	}
	u, _, err := s.findUser(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	v := &adminUserView{Account: u, Self: u.ID == me.ID, Notice: adminNotices[r.URL.Query().Get("done")]}
	return s.renderAdminUser(w, r, v, http.StatusOK)
}

func (s *Server) renderAdminUser(w http.ResponseWriter, r *http.Request, v *adminUserView, status int) error {
	tokens, err := s.tokensOf(r.Context(), v.Account.ID)
	if err != nil {
		return err
	}
	v.Tokens = tokens
	p := s.newPage(r, v.Account.Email)
	p.NoIndex = true
	p.Data = v
	return s.renderNoStore(&statusWriter{ResponseWriter: w, status: status}, "admin-user", p)
}

// adminUserPassword sets a new password for an account: POST
// /admin/users/{id}/password with password. The store ends the account's
// sessions. An admin's own password is changed on /account, which asks for
// the current one.
func (s *Server) adminUserPassword(w http.ResponseWriter, r *http.Request) error {
	me, err := s.requireAdmin(r)
	if err != nil {
		return err
	}
	u, _, err := s.findUser(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	if err := parseAccountForm(r); err != nil {
		return err
	}
	v := &adminUserView{Account: u, Self: u.ID == me.ID}
	failed := func(err error) error {
		v.PasswordError = ibid.ErrorMessage(err)
		return s.renderAdminUser(w, r, v, statusOf(ibid.ErrorCode(err)))
	}
	if v.Self {
		return failed(ibid.Errorf(ibid.EINVALID, "Change your own password on your account page, with your current one."))
	}
	pw := r.PostForm.Get("password")
	if err := checkNewPassword(pw); err != nil {
		return failed(err)
	}
	hash, err := auth.HashPassword(pw)
	if err != nil {
		return err
	}
	if err := s.users.SetPassword(r.Context(), u.ID, hash); err != nil {
		return err
	}
	// A reset is what an admin does for a compromised account: whoever
	// had the password may have made tokens with it, and they go too.
	if _, err := RevokeTokens(r.Context(), s.users, u.ID); err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/admin/users/%d?done=password", u.ID), http.StatusSeeOther)
	return nil
}

// tokensOf lists the API tokens of the account with the given id.
func (s *Server) tokensOf(ctx context.Context, id int64) ([]*ibid.APIToken, error) {
	all, err := s.users.Tokens(ctx)
	if err != nil {
		return nil, err
	}
	var out []*ibid.APIToken
	for _, t := range all {
		if t.UserID == id {
			out = append(out, t)
		}
	}
	return out, nil
}

// RevokeTokens revokes every API token of the account with the given id
// and returns how many there were: with a password reset, by an admin here
// or by `ibid user passwd`.
func RevokeTokens(ctx context.Context, us ibid.UserStore, id int64) (int, error) {
	all, err := us.Tokens(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, t := range all {
		if t.UserID != id {
			continue
		}
		if err := us.DeleteToken(ctx, t.ID); err != nil && ibid.ErrorCode(err) != ibid.ENOTFOUND {
			return n, err
		}
		n++
	}
	return n, nil
}

// adminTokenRevoke revokes one API token of any account: POST
// /admin/users/{id}/tokens/{token}/revoke.
func (s *Server) adminTokenRevoke(w http.ResponseWriter, r *http.Request) error {
	if _, err := s.requireAdmin(r); err != nil {
		return err
	}
	u, _, err := s.findUser(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(r.PathValue("token"), 10, 64)
	if err != nil {
		return errNoToken
	}
	tokens, err := s.tokensOf(r.Context(), u.ID)
	if err != nil {
		return err
	}
	found := false
	for _, t := range tokens {
		found = found || t.ID == id
	}
	if !found {
		return errNoToken
	}
	if err := s.users.DeleteToken(r.Context(), id); err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/admin/users/%d?done=revoked", u.ID), http.StatusSeeOther)
	return nil
}

// adminUserDelete removes an account with its sessions and tokens: POST
// /admin/users/{id}/delete with confirm=yes. An admin cannot remove their
// own account, and no one can remove the last admin.
func (s *Server) adminUserDelete(w http.ResponseWriter, r *http.Request) error {
	me, err := s.requireAdmin(r)
	if err != nil {
		return err
	}
	if err := parseAccountForm(r); err != nil {
		return err
	}
	adminMu.Lock()
	defer adminMu.Unlock()
	// Read under the lock: an account removed a moment ago, perhaps this
	// admin's own, counts no more.
	u, us, err := s.findUser(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	v := &adminUserView{Account: u, Self: u.ID == me.ID}
	failed := func(err error) error {
		v.DeleteError = ibid.ErrorMessage(err)
		return s.renderAdminUser(w, r, v, statusOf(ibid.ErrorCode(err)))
	}
	admins, stillAdmin := 0, false
	for _, x := range us {
		if x.Role == ibid.RoleAdmin {
			admins++
			stillAdmin = stillAdmin || x.ID == me.ID
		}
	}
	switch {
	case !stillAdmin:
		return errAdminOnly
	case u.Role == ibid.RoleAdmin && admins <= 1:
		// Checked before self-removal, which it implies here, because
		// it is the reason that stays: the site needs an admin.
		return failed(ibid.Errorf(ibid.ECONFLICT, "This is the last admin account; it cannot be removed."))
	case v.Self:
		return failed(ibid.Errorf(ibid.EINVALID, "You cannot remove your own account. Another admin can."))
	case r.PostForm.Get("confirm") != "yes":
		return failed(ibid.Errorf(ibid.EINVALID, "Tick the box to confirm the removal."))
	}
	if err := s.users.DeleteUser(r.Context(), u.ID); err != nil {
		return err
	}
	http.Redirect(w, r, "/admin/users?done=removed", http.StatusSeeOther)
	return nil
}
