-- The sortable columns of the files, reports and audit lists (their adapters' SORT_KEYS in
-- shared/adapters/db/reads/): an index per keyset order, walked forwards for `order=desc` and
-- backwards for `order=asc`, so that a page of a large table reads a page of index, not a sort
-- of every row. The default orders have theirs (migration 0008; audit_log_tenant_at serves
-- `at`, the id breaking ties among a handful of rows). The mixed-direction indexes of 0001
-- (status ASC, received_at DESC) serve a status filter, not a sort by status in one
-- direction. Alerts are deduplicated to a few rows per tenant: no index for their sorts.
CREATE INDEX IF NOT EXISTS ingest_files_object_key_sort
    ON ingest_files (tenant_id, object_key DESC, id DESC);
CREATE INDEX IF NOT EXISTS ingest_files_status_sort
    ON ingest_files (tenant_id, status DESC, received_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS report_files_regime_sort
    ON report_files (tenant_id, regime DESC, created_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS report_files_status_sort
    ON report_files (tenant_id, status DESC, created_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS report_files_record_count_sort
    ON report_files (tenant_id, record_count DESC, created_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS audit_log_action_sort
    ON audit_log (tenant_id, action DESC, at DESC, id DESC);
CREATE INDEX IF NOT EXISTS audit_log_actor_sort
    ON audit_log (tenant_id, actor DESC, at DESC, id DESC);
