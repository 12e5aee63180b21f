-- Accounts of the people who edit the library, their browser sessions and
-- their API tokens, as in the SQLite store. Sessions and tokens are kept as
-- SHA-256 hashes only, so a copy of the database signs no one in.
CREATE TABLE users (
	id       BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	email    TEXT NOT NULL UNIQUE, -- lower case
	role     TEXT NOT NULL CHECK (role IN ('admin', 'editor')),
	password TEXT NOT NULL,        -- argon2id PHC string
	created  TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE sessions (
	token_hash TEXT PRIMARY KEY,
	user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	created    TIMESTAMPTZ NOT NULL,
	expires    TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires);

CREATE TABLE api_tokens (
	id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	name       TEXT NOT NULL DEFAULT '',
	token_hash TEXT NOT NULL UNIQUE,
	created    TIMESTAMPTZ NOT NULL DEFAULT now(),
	last_used  TIMESTAMPTZ -- NULL when never used
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);
