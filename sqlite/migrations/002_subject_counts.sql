-- Subject counts (home page, search filters) read this index alone instead
-- of every essay row.
CREATE INDEX essays_subject_name ON essays (subject_slug, subject);
