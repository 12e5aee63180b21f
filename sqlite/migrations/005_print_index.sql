-- The fingerprint index as sorted runs of delta-coded blocks
-- (internal/printindex, docs/printindex.md) in place of one row a print:
-- distinct (hash, essay) pairs, a few bytes each, written as appends.
-- The store's Go code moves the rows of prints into one run and drops the
-- table (since 006, after that migration) (sqlite.go, afterMigration).
CREATE TABLE print_runs (
	id       INTEGER PRIMARY KEY, -- newer runs have larger ids
	postings INTEGER NOT NULL,
	bits     INTEGER NOT NULL,    -- leading hash bits that name a block
	base     INTEGER NOT NULL     -- the smallest essay id in the run
);
CREATE TABLE print_blocks (
	key  INTEGER PRIMARY KEY,     -- run << 32 | hash prefix
	data BLOB NOT NULL
);
CREATE TABLE print_tombstones (
	essay_id  INTEGER PRIMARY KEY,
	run_limit INTEGER NOT NULL    -- the essay's postings in older runs are dead
);
CREATE TABLE print_state (
	id       INTEGER PRIMARY KEY CHECK (id = 1),
	next_run INTEGER NOT NULL
);
INSERT INTO print_state (id, next_run) VALUES (1, 1);
