-- The fingerprint index as sorted runs of delta-coded blocks
-- (internal/printindex, docs/printindex.md) in place of one row a print:
-- distinct (hash, essay) pairs, a few bytes each, written as appends.
-- The store's Go code moves the rows of prints into one run and drops the
-- table (since 006, after that migration) (postgres.go, afterMigration).
CREATE TABLE print_runs (
	id       bigint PRIMARY KEY, -- newer runs have larger ids
	postings bigint NOT NULL,
	bits     integer NOT NULL,   -- leading hash bits that name a block
	base     bigint NOT NULL     -- the smallest essay id in the run
);
CREATE TABLE print_blocks (
	key  bigint PRIMARY KEY,     -- run << 32 | hash prefix
	data bytea NOT NULL
);
-- Varints do not compress: never let TOAST try.
ALTER TABLE print_blocks ALTER COLUMN data SET STORAGE EXTERNAL;
CREATE TABLE print_tombstones (
	essay_id  bigint PRIMARY KEY,
	run_limit bigint NOT NULL    -- the essay's postings in older runs are dead
);
CREATE TABLE print_state (
	id       integer PRIMARY KEY CHECK (id = 1),
	next_run bigint NOT NULL
);
INSERT INTO print_state (id, next_run) VALUES (1, 1);
