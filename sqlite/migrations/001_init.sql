-- The library: essays with their blocks (JSON), topics, full-text search and
-- the fingerprint postings of the originality checker.
CREATE TABLE essays (
	id           INTEGER PRIMARY KEY,
	slug         TEXT NOT NULL UNIQUE,
	title        TEXT NOT NULL,
	author       TEXT NOT NULL DEFAULT '',
	subject      TEXT NOT NULL DEFAULT '',
	subject_slug TEXT NOT NULL DEFAULT '',
	published    TEXT NOT NULL DEFAULT '', -- YYYY-MM-DD, '' when unknown
	license      TEXT NOT NULL DEFAULT '',
	source       TEXT NOT NULL DEFAULT '',
	blocks       TEXT NOT NULL,            -- JSON array of ibid.Block
	body         TEXT NOT NULL,            -- canonical text
	words        INTEGER NOT NULL,
	hash         TEXT NOT NULL UNIQUE,
	created      TEXT NOT NULL,
	updated      TEXT NOT NULL
);
CREATE INDEX essays_newest ON essays (published DESC, id DESC);
CREATE INDEX essays_subject ON essays (subject_slug, published DESC, id DESC);
CREATE INDEX essays_words ON essays (words);

CREATE TABLE topics (
	essay_id INTEGER NOT NULL REFERENCES essays (id) ON DELETE CASCADE,
	pos      INTEGER NOT NULL,
	name     TEXT NOT NULL,
	slug     TEXT NOT NULL,
	PRIMARY KEY (essay_id, slug)
) WITHOUT ROWID;
CREATE INDEX topics_slug ON topics (slug, essay_id);

-- External-content FTS5 table: the text lives once, in essays; the index is
-- kept in step by the store inside each write transaction.
CREATE VIRTUAL TABLE essays_fts USING fts5 (
	title, body,
	content = 'essays', content_rowid = 'id',
	tokenize = 'porter unicode61 remove_diacritics 2'
);

CREATE TABLE prints (
	hash     INTEGER NOT NULL, -- uint64 stored as its int64 bit pattern
	essay_id INTEGER NOT NULL REFERENCES essays (id) ON DELETE CASCADE,
	offset   INTEGER NOT NULL,
	PRIMARY KEY (hash, essay_id, offset)
) WITHOUT ROWID;
CREATE INDEX prints_essay ON prints (essay_id);
