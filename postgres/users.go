package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/ibid-dev/ibid"
)

var _ ibid.UserStore = (*DB)(nil)

// lastUsedEvery is how stale a token's last use may get before a request
// records a new one: a minute is exact enough to tell a live token from a
// forgotten one, and spares a write per request.
const lastUsedEvery = time.Minute

var (
	errNoUser    = ibid.Errorf(ibid.ENOTFOUND, "no such user")
	errNoSession = ibid.Errorf(ibid.ENOTFOUND, "no such session")
	errNoToken   = ibid.Errorf(ibid.ENOTFOUND, "no such API token")
)

// CreateUser stores a new account.
func (db *DB) CreateUser(ctx context.Context, u *ibid.User, passwordHash string) error {
	email, err := ibid.NormalizeEmail(u.Email)
	if err != nil {
		return err
	}
	if !u.Role.Valid() {
		return ibid.Errorf(ibid.EINVALID, "unknown role %q (admin or editor)", u.Role)
	}
	if passwordHash == "" {
		return ibid.Errorf(ibid.EINVALID, "no password hash given")
	}
	var id int64
	var created time.Time
	err = db.db.QueryRowContext(ctx, "INSERT INTO users (email, role, password) VALUES ($1, $2, $3) RETURNING id, created",
		email, string(u.Role), passwordHash).Scan(&id, &created)
	if code, _ := pgCode(err); code == uniqueViolation {
		return ibid.Errorf(ibid.ECONFLICT, "there is already an account for %s", email)
	}
	if err != nil {
		return fmt.Errorf("create user: %w", err)
	}
	u.ID, u.Email, u.Created = id, email, created.UTC()
	return nil
}

const userCols = "u.id, u.email, u.role, u.created"

func scanUser(s scanner, extra ...any) (*ibid.User, error) {
	var u ibid.User
	var role string
	if err := s.Scan(append([]any{&u.ID, &u.Email, &role, &u.Created}, extra...)...); err != nil {
		return nil, err
	}
	u.Role, u.Created = ibid.Role(role), u.Created.UTC()
	return &u, nil
}

// UserByEmail returns a user and its password hash.
func (db *DB) UserByEmail(ctx context.Context, email string) (*ibid.User, string, error) {
	email, err := ibid.NormalizeEmail(email)
	if err != nil {
		return nil, "", errNoUser
	}
	var hash string
	u, err := scanUser(db.db.QueryRowContext(ctx, "SELECT "+userCols+", u.password FROM users u WHERE u.email = $1", email), &hash)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", errNoUser
	}
	if err != nil {
		return nil, "", fmt.Errorf("user by email: %w", err)
	}
	return u, hash, nil
}

// Users lists every account by email.
func (db *DB) Users(ctx context.Context) ([]*ibid.User, error) {
	// COLLATE "C": byte order, the same as SQLite's, whatever the
	// database's locale.
	rows, err := db.db.QueryContext(ctx, "SELECT "+userCols+` FROM users u ORDER BY u.email COLLATE "C"`)
	if err != nil {
		return nil, fmt.Errorf("users: %w", err)
	}
	defer rows.Close()
	var out []*ibid.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("users: %w", err)
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// DeleteUser removes an account; its sessions and tokens go with it (ON
// DELETE CASCADE).
func (db *DB) DeleteUser(ctx context.Context, id int64) error {
	return db.execOne(ctx, "delete user", errNoUser, "DELETE FROM users WHERE id = $1", id)
}

// SetPassword replaces a password hash and ends the user's sessions, in one
// transaction.
func (db *DB) SetPassword(ctx context.Context, id int64, passwordHash string) error {
	if passwordHash == "" {
		return ibid.Errorf(ibid.EINVALID, "no password hash given")
	}
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("set password: %w", err)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, "UPDATE users SET password = $1 WHERE id = $2", passwordHash, id)
	if err != nil {
		return fmt.Errorf("set password: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errNoUser
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM sessions WHERE user_id = $1", id); err != nil {
		return fmt.Errorf("set password: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("set password: %w", err)
	}
	return nil
}

// CreateSession stores a session.
func (db *DB) CreateSession(ctx context.Context, s *ibid.Session) error {
	if s.TokenHash == "" || s.Expires.IsZero() {
		return ibid.Errorf(ibid.EINVALID, "a session needs a token hash and an expiry")
	}
	if s.Created.IsZero() {
		s.Created = time.Now().UTC()
	}
	// Selecting the user makes a session of a deleted user insert nothing.
	return db.execOne(ctx, "create session", errNoUser, "INSERT INTO sessions (token_hash, user_id, created, expires) "+
		"SELECT $1, id, $2, $3 FROM users WHERE id = $4", s.TokenHash, s.Created, s.Expires, s.UserID)
}

// SessionUser returns the user of a live session.
func (db *DB) SessionUser(ctx context.Context, tokenHash string, now time.Time) (*ibid.User, error) {
	u, err := scanUser(db.db.QueryRowContext(ctx, "SELECT "+userCols+" FROM sessions s JOIN users u ON u.id = s.user_id "+
		"WHERE s.token_hash = $1 AND s.expires > $2", tokenHash, now))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNoSession
	}
	if err != nil {
		return nil, fmt.Errorf("session: %w", err)
	}
	return u, nil
}

// DeleteSession ends a session.
func (db *DB) DeleteSession(ctx context.Context, tokenHash string) error {
	if _, err := db.db.ExecContext(ctx, "DELETE FROM sessions WHERE token_hash = $1", tokenHash); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

// DeleteExpiredSessions removes the sessions that expired before now.
func (db *DB) DeleteExpiredSessions(ctx context.Context, now time.Time) (int, error) {
	res, err := db.db.ExecContext(ctx, "DELETE FROM sessions WHERE expires <= $1", now)
	if err != nil {
		return 0, fmt.Errorf("delete expired sessions: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// CreateToken stores an API token.
func (db *DB) CreateToken(ctx context.Context, t *ibid.APIToken) error {
	if t.TokenHash == "" {
		return ibid.Errorf(ibid.EINVALID, "an API token needs a token hash")
	}
	var (
		id      int64
		email   string
		created time.Time
	)
	// One statement: the token is inserted only if the user exists, and
	// comes back with the user's email.
	err := db.db.QueryRowContext(ctx, `WITH t AS (
		INSERT INTO api_tokens (user_id, name, token_hash) SELECT id, $2, $3 FROM users WHERE id = $1
		RETURNING id, user_id, created)
		SELECT t.id, u.email, t.created FROM t JOIN users u ON u.id = t.user_id`,
		t.UserID, t.Name, t.TokenHash).Scan(&id, &email, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return errNoUser
	}
	if err != nil {
		return fmt.Errorf("create token: %w", err)
	}
	t.ID, t.Email, t.Created = id, email, created.UTC()
	return nil
}

const tokenCols = "t.id, t.user_id, u.email, t.name, t.token_hash, t.created, t.last_used"

func scanToken(s scanner) (*ibid.APIToken, error) {
	var t ibid.APIToken
	var used sql.NullTime
	if err := s.Scan(&t.ID, &t.UserID, &t.Email, &t.Name, &t.TokenHash, &t.Created, &used); err != nil {
		return nil, err
	}
	t.Created = t.Created.UTC()
	if used.Valid {
		t.LastUsed = used.Time.UTC()
	}
	return &t, nil
}

// TokenUser returns the user and token of an API token and records its use.
func (db *DB) TokenUser(ctx context.Context, tokenHash string, now time.Time) (*ibid.User, *ibid.APIToken, error) {
	var t ibid.APIToken
	var used sql.NullTime
	u, err := scanUser(db.db.QueryRowContext(ctx, "SELECT "+userCols+", t.id, t.user_id, t.name, t.created, t.last_used "+
		"FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1", tokenHash),
		&t.ID, &t.UserID, &t.Name, &t.Created, &used)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, errNoToken
	}
	if err != nil {
		return nil, nil, fmt.Errorf("token: %w", err)
	}
	t.Email, t.Created = u.Email, t.Created.UTC()
	if used.Valid {
		t.LastUsed = used.Time.UTC()
	}
	if t.LastUsed.IsZero() || now.Sub(t.LastUsed) >= lastUsedEvery {
		if _, err := db.db.ExecContext(ctx, "UPDATE api_tokens SET last_used = $1 WHERE id = $2", now, t.ID); err != nil {
			return nil, nil, fmt.Errorf("token: %w", err)
		}
		// PostgreSQL keeps microseconds.
		t.LastUsed = now.UTC().Truncate(time.Microsecond)
	}
	return u, &t, nil
}

// Tokens lists every API token by ID.
func (db *DB) Tokens(ctx context.Context) ([]*ibid.APIToken, error) {
	rows, err := db.db.QueryContext(ctx, "SELECT "+tokenCols+" FROM api_tokens t JOIN users u ON u.id = t.user_id ORDER BY t.id")
	if err != nil {
		return nil, fmt.Errorf("tokens: %w", err)
	}
	defer rows.Close()
	var out []*ibid.APIToken
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, fmt.Errorf("tokens: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// DeleteToken revokes an API token.
func (db *DB) DeleteToken(ctx context.Context, id int64) error {
	return db.execOne(ctx, "delete token", errNoToken, "DELETE FROM api_tokens WHERE id = $1", id)
}

// execOne runs a write that must touch one row, returning notFound when it
// touched none.
func (db *DB) execOne(ctx context.Context, op string, notFound error, query string, args ...any) error {
	res, err := db.db.ExecContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFound
	}
	return nil
}
