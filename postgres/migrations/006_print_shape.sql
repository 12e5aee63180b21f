-- Runs say how their blocks cut hashes (internal/printindex, layout.shape):
-- runs written before this migration keep shape 0, the hash's leading bits;
-- new runs take the leading bits of a map that evens out the skew of
-- winnowed prints. The store's Go code then moves the rows of the old prints
-- table, where there is one, into a run and drops it (afterMigration).
ALTER TABLE print_runs ADD COLUMN shape integer NOT NULL DEFAULT 0;
-- Keep blocks in their rows up to the largest tuple a page holds: a block of
-- a print held by thousands of essays passes 2 kB, and TOAST would store it
-- apart (with its own rows and index) for nothing.
ALTER TABLE print_blocks SET (toast_tuple_target = 8160);
