-- Runs say how their blocks cut hashes (internal/printindex, layout.shape):
-- runs written before this migration keep shape 0, the hash's leading bits;
-- new runs take the leading bits of a map that evens out the skew of
-- winnowed prints. The store's Go code then moves the rows of the old prints
-- table, where there is one, into a run and drops it (afterMigration).
ALTER TABLE print_runs ADD COLUMN shape INTEGER NOT NULL DEFAULT 0;
