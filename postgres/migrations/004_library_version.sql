-- The library's version: a counter that every write to an essay row moves
-- on, in the writer's own transaction (a row, not a sequence: a
-- sequence moves before the commit, and a reader could then keep a page of
-- the old essay under the new version). Web servers key the pages they keep
-- in memory by it, so that a page is rendered again after any essay is
-- added, edited or removed, by this server or by another one on the
-- database. A trigger rather than code in the store's write paths, so that
-- no path (import, edit, copy) can forget it.
CREATE TABLE library_version (
	id integer PRIMARY KEY CHECK (id = 1),
	version bigint NOT NULL
);
INSERT INTO library_version (id, version) VALUES (1, 1);
CREATE FUNCTION library_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	UPDATE library_version SET version = version + 1 WHERE id = 1;
	RETURN NULL; -- an AFTER trigger's result is ignored
END;
$$;
-- Deferred to the commit, so that a transaction takes the counter's row lock
-- last: two batch imports that wait on each other's essays (a duplicate
-- hash) then never also wait on the counter, which would deadlock.
CREATE CONSTRAINT TRIGGER essays_version AFTER INSERT OR UPDATE OR DELETE ON essays
	DEFERRABLE INITIALLY DEFERRED
	FOR EACH ROW EXECUTE FUNCTION library_version_bump();
