-- FTS5 keeps new search entries in memory and writes them out as a new
-- segment of its index whenever they pass 'hashsize' bytes (1 MB by default)
-- or a statement ends. A bulk import writes a batch's entries in one
-- statement (sqlite.CreateEssays), so at 1 MB a 1,000-essay batch became a
-- dozen small segments, and FTS5 then spent its automerges merging them
-- again; at 64 MB a batch is one segment. Only the writer's memory during a
-- write grows, and only as far as the batch's entries.
INSERT INTO essays_fts (essays_fts, rank) VALUES ('hashsize', 67108864);
