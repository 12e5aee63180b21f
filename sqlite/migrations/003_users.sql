-- Accounts of the people who edit the library, their browser sessions and
-- their API tokens. Sessions and tokens are kept as SHA-256 hashes only, so a
-- copy of the database signs no one in. Times are UTC in a fixed-width
-- RFC 3339 form, so that text comparison is time order.
CREATE TABLE users (
	id       INTEGER PRIMARY KEY AUTOINCREMENT, -- never reuses a deleted user's id
	email    TEXT NOT NULL UNIQUE,              -- lower case
	role     TEXT NOT NULL CHECK (role IN ('admin', 'editor')),
	password TEXT NOT NULL,                     -- argon2id PHC string
	created  TEXT NOT NULL
);

CREATE TABLE sessions (
	token_hash TEXT PRIMARY KEY,
	user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	created    TEXT NOT NULL,
	expires    TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires);

CREATE TABLE api_tokens (
	id         INTEGER PRIMARY KEY AUTOINCREMENT, -- a revoked token's id is never another's
	user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	name       TEXT NOT NULL DEFAULT '',
	token_hash TEXT NOT NULL UNIQUE,
	created    TEXT NOT NULL,
	last_used  TEXT NOT NULL DEFAULT '' -- '' when never used
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);
