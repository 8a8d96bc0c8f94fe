-- The work queue of the Errors screen (issue #14, item 1): rows of ingested files that did not
-- parse are an error group of their own, one per file. Few rows are ever in parse_error, so a
-- partial index keeps the grouping and a file's rows (in file order) cheap at any table size;
-- the files list and the dashboard's parse-error counts (0013) read it too.
CREATE INDEX IF NOT EXISTS raw_rows_parse_error
    ON raw_rows (tenant_id, file_id, row_no) WHERE state = 'parse_error';
