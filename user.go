package ibid

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"
	"unicode/utf8"
)

// Role is what an account may do. Readers need no account at all: reading
// and checking are open to everyone.
type Role string

// Roles. Both may import, edit and delete essays; admins are the people who
// run the site (the CLI, which manages accounts, needs no role: it has the
// database).
const (
	RoleAdmin  Role = "admin"
	RoleEditor Role = "editor"
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r == RoleAdmin || r == RoleEditor }

// CanEdit reports whether the role may import, edit and delete essays.
func (r Role) CanEdit() bool { return r.Valid() }

// User is an account of someone who edits the library.
type User struct {
	ID      int64     `json:"id"`
	Email   string    `json:"email"` // lower case, unique
	Role    Role      `json:"role"`
	Created time.Time `json:"created"`
}

// Session is a signed-in browser. The cookie holds a random token; the store
// keeps only its SHA-256 (TokenHash), so a copy of the database lets no one
// sign in.
type Session struct {
	TokenHash string
	UserID    int64
	Created   time.Time
	Expires   time.Time
}

// APIToken is a long-lived credential for the JSON API, sent as
// "Authorization: Bearer TOKEN". As with sessions, only the token's SHA-256
// is stored; the token itself is shown once, when it is created.
type APIToken struct {
	ID        int64     `json:"id"`
	UserID    int64     `json:"user_id"`
	Email     string    `json:"email"` // the owner's, filled in by listings and look-ups
	Name      string    `json:"name"`
	TokenHash string    `json:"-"`
	Created   time.Time `json:"created"`
	LastUsed  time.Time `json:"last_used"` // zero when never used
}

// UserStore keeps accounts, sessions and API tokens. Every method is safe for
// concurrent use. Tokens are passed and stored as HashToken values only.
type UserStore interface {
	// CreateUser stores u with the given password hash (a PHC string) and
	// sets its ID and Created. The email is normalised with NormalizeEmail;
	// an email already taken yields ECONFLICT, a malformed one or an unknown
	// role EINVALID.
	CreateUser(ctx context.Context, u *User, passwordHash string) error
	// UserByEmail returns the user with the given email (in any case) and
	// its password hash; ENOTFOUND when there is none.
	UserByEmail(ctx context.Context, email string) (*User, string, error)
	// Users lists every user by email.
	Users(ctx context.Context) ([]*User, error)
	// DeleteUser removes a user with its sessions and API tokens.
	DeleteUser(ctx context.Context, id int64) error
	// SetPassword replaces a user's password hash and ends the user's
	// sessions, so that a changed password locks out whoever knew the old one.
	SetPassword(ctx context.Context, id int64, passwordHash string) error

	// CreateSession stores a session; Created is set when zero.
	CreateSession(ctx context.Context, s *Session) error
	// SessionUser returns the user of the session whose token hashes to
	// tokenHash; ENOTFOUND when there is none or it expired before now.
	SessionUser(ctx context.Context, tokenHash string, now time.Time) (*User, error)
	// DeleteSession ends a session; ending one that does not exist is not an
	// error (signing out twice is harmless).
	DeleteSession(ctx context.Context, tokenHash string) error
	// DeleteExpiredSessions removes the sessions that expired before now and
	// returns how many.
	DeleteExpiredSessions(ctx context.Context, now time.Time) (int, error)

	// CreateToken stores an API token and sets its ID and Created. Its
	// UserID must name a user (ENOTFOUND otherwise).
	CreateToken(ctx context.Context, t *APIToken) error
	// TokenUser returns the user and the token whose token hashes to
	// tokenHash, and records now as the token's last use (at most once a
	// minute, so that busy clients do not turn every read into a write);
	// ENOTFOUND when there is none.
	TokenUser(ctx context.Context, tokenHash string, now time.Time) (*User, *APIToken, error)
	// Tokens lists every API token, owners' emails and token hashes
	// included, by ID.
	Tokens(ctx context.Context) ([]*APIToken, error)
	// DeleteToken revokes an API token; ENOTFOUND when there is none.
	DeleteToken(ctx context.Context, id int64) error
}

// HashToken returns the form in which stores keep a session or API token:
// hex SHA-256. Tokens are 256 random bits, so a fast hash is enough; a slow
// one (as for passwords) would only slow down every request.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// maxEmailBytes is the longest address SMTP allows.
const maxEmailBytes = 254

// NormalizeEmail trims and lower-cases an email address and checks that it
// looks like one: something, an "@", and a domain with a dot or a single
// label (for local setups), without spaces or control characters. It does
// not try to be RFC 5322; an account's email is a login name here, not a
// mailbox we write to.
func NormalizeEmail(s string) (string, error) {
	s = strings.TrimSpace(s)
	bad := Errorf(EINVALID, "%q is not an email address", s)
	switch {
	case s == "":
		return "", Errorf(EINVALID, "no email address given")
	case len(s) > maxEmailBytes || !utf8.ValidString(s):
		// Checked before lower-casing, which would turn invalid bytes
		// into U+FFFD.
		return "", bad
	}
	if s = strings.ToLower(s); len(s) > maxEmailBytes {
		return "", bad // a few letters grow when lower-cased
	}
	at := strings.LastIndexByte(s, '@')
	if at <= 0 || at == len(s)-1 {
		return "", bad
	}
	for _, r := range s {
		if r <= ' ' || r == 0x7f {
			return "", bad
		}
	}
	domain := s[at+1:]
	if strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") || strings.Contains(domain, "..") {
		return "", bad
	}
	return s, nil
}
