-- The library's version: a counter that every write to an essay row moves
-- on, in the writer's own transaction. Web servers key the pages they keep
-- in memory by it, so that a page is rendered again after any essay is
-- added, edited or removed, by this process or by another one on the file.
-- Triggers rather than code in the store's write paths, so that no path
-- (import, edit, copy, restore) can forget it.
CREATE TABLE library_version (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	version INTEGER NOT NULL
);
INSERT INTO library_version (id, version) VALUES (1, 1);
CREATE TRIGGER essays_version_insert AFTER INSERT ON essays BEGIN
	UPDATE library_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER essays_version_update AFTER UPDATE ON essays BEGIN
	UPDATE library_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER essays_version_delete AFTER DELETE ON essays BEGIN
	UPDATE library_version SET version = version + 1 WHERE id = 1;
END;
