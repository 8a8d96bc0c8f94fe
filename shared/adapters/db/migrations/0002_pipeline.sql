-- The front of the pipeline (docs/PIPELINE.md): ingest stores every record of a file in
-- raw_rows with its parse result, process turns records into trade events, validate judges
-- them. What each stage needs to resume, to order a UTI's events, and to show every record's
-- state in the console.

-- Tenants: the regimes they report to (0004 adds the same column IF NOT EXISTS), and the FEP
-- mapping profile for files that do not name one in their object metadata.
ALTER TABLE tenants ADD COLUMN IF NOT EXISTS regimes text[] NOT NULL DEFAULT '{krx}';
ALTER TABLE tenants ADD CONSTRAINT tenants_regimes_known
    CHECK (cardinality(regimes) > 0 AND regimes <@ ARRAY['krx', 'cftc-part45', 'emir']);
ALTER TABLE tenants ADD COLUMN fep_profile text;

-- Ingest files: how the file is read, and where parsing resumes when one activation cannot
-- read it all (a 1 GB file takes several 300 s activations).
ALTER TABLE ingest_files
    ADD COLUMN profile            text,         -- CSV / flat JSONL mapping profile
    ADD COLUMN encoding           text,         -- as detected on the first 64 KiB (utf-8, cp949)
    ADD COLUMN header             text,         -- the lines before the first record (CSV header)
    ADD COLUMN first_record_line  integer,      -- physical line of the first record
    ADD COLUMN line_index         jsonb,        -- [[byte offset, newlines before it], ...]
    ADD COLUMN parse_cursor       jsonb,        -- {"chunk_no", "row_no", "line"}: next to store
    ADD COLUMN parse_owner        uuid,         -- the activation reading the file now
    ADD COLUMN parse_heartbeat    timestamptz,  -- its last sign of life (takeover when stale)
    ADD COLUMN parsed_at          timestamptz;

-- Raw rows: the parse result (the canonical event, or the record's errors), the physical
-- line, and what became of the record: the event it is (a duplicate points at the first).
ALTER TABLE raw_rows
    ADD COLUMN line_no       integer,
    ADD COLUMN parse_result  jsonb,             -- {"event": {...}} | {"errors": [{code, message, field}]}
    ADD COLUMN uti           text,              -- as read (before enrichment): ordering barrier
    ADD COLUMN trade_id      text,
    ADD COLUMN event_id      uuid REFERENCES trade_events(id),
    ADD COLUMN duplicate     boolean NOT NULL DEFAULT false,
    ADD COLUMN errors        jsonb;             -- why the row is in parse_error
CREATE INDEX raw_rows_event ON raw_rows (event_id) WHERE event_id IS NOT NULL;
CREATE INDEX raw_rows_file_state ON raw_rows (file_id, state);
-- Rows not yet processed, by trade: validate holds a lifecycle event back while an earlier
-- record of its trade is still unprocessed. Rows leave 'stored' within seconds: tiny indexes.
CREATE INDEX raw_rows_stored_uti ON raw_rows (tenant_id, uti) WHERE state = 'stored';
CREATE INDEX raw_rows_stored_trade ON raw_rows (tenant_id, trade_id) WHERE state = 'stored';

-- Trade events: what enrichment filled in, why validation waits, when it judged.
ALTER TABLE trade_events
    ADD COLUMN enrichment    text[] NOT NULL DEFAULT '{}',
    ADD COLUMN waiting_for   text,
    ADD COLUMN validated_at  timestamptz;
CREATE INDEX trade_events_received ON trade_events (tenant_id, uti) WHERE state = 'received';

-- Trades: the lifecycle as the lifecycle machine replays the accepted events; 'unreported'
-- while nothing is accepted (the machine's ABSENT), 'ported' after a PRTO.
ALTER TABLE trades DROP CONSTRAINT trades_lifecycle_check;
ALTER TABLE trades ADD CONSTRAINT trades_lifecycle_check
    CHECK (lifecycle IN ('unreported', 'live', 'terminated', 'errored', 'ported'));

-- Validation issues: the offending value as a user sees it (never a natural person's id).
ALTER TABLE validation_issues ADD COLUMN value text;
