-- Titles on their own, so that a search matching most of a large library
-- can put the essays whose titles match into its ranked pool without
-- reading every match (see rankCap in search.go). Built in a few seconds
-- for 100,000 essays; writes wait for it.
CREATE INDEX essays_title_search ON essays USING GIN (to_tsvector('english', title));
