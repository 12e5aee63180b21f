-- The library: essays with their blocks (JSON), topics, full-text search and
-- the fingerprint postings of the originality checker. The same shape as the
-- SQLite store's schema, in PostgreSQL's own types.
CREATE TABLE essays (
	id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, -- identities never reuse a deleted id
	slug         TEXT NOT NULL UNIQUE,
	title        TEXT NOT NULL,
	author       TEXT NOT NULL DEFAULT '',
	subject      TEXT NOT NULL DEFAULT '',
	subject_slug TEXT NOT NULL DEFAULT '',
	published    DATE,                    -- NULL when unknown
	license      TEXT NOT NULL DEFAULT '',
	source       TEXT NOT NULL DEFAULT '',
	blocks       JSONB NOT NULL,          -- array of ibid.Block
	body         TEXT NOT NULL,           -- canonical text
	words        INTEGER NOT NULL,
	hash         TEXT NOT NULL UNIQUE,
	created      TIMESTAMPTZ NOT NULL DEFAULT now(),
	updated      TIMESTAMPTZ NOT NULL DEFAULT now(),
	-- Titles weigh A and bodies D, so that with ts_rank_cd's default weights
	-- a title match counts ten times a body match, as bm25 does in SQLite.
	-- A generated column keeps the index in step with every write for free.
	search       TSVECTOR GENERATED ALWAYS AS (
		setweight(to_tsvector('english', title), 'A') ||
		setweight(to_tsvector('english', body), 'D')
	) STORED
);
-- Unknown dates sort after known ones, as '' does in SQLite's DESC order.
CREATE INDEX essays_newest ON essays (published DESC NULLS LAST, id DESC);
CREATE INDEX essays_subject ON essays (subject_slug, published DESC NULLS LAST, id DESC);
CREATE INDEX essays_words ON essays (words);
CREATE INDEX essays_search ON essays USING GIN (search);

CREATE TABLE topics (
	essay_id BIGINT NOT NULL REFERENCES essays (id) ON DELETE CASCADE,
	pos      INTEGER NOT NULL,
	name     TEXT NOT NULL,
	slug     TEXT NOT NULL,
	PRIMARY KEY (essay_id, slug)
);
CREATE INDEX topics_slug ON topics (slug, essay_id);

CREATE TABLE prints (
	hash     BIGINT NOT NULL, -- uint64 stored as its int64 bit pattern
	essay_id BIGINT NOT NULL REFERENCES essays (id) ON DELETE CASCADE,
	"offset" INTEGER NOT NULL,
	PRIMARY KEY (hash, essay_id, "offset")
);
CREATE INDEX prints_essay ON prints (essay_id);
