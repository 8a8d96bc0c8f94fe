-- Issue 17: a back-load over many open trades waits for a second user like the other bulk
-- actions (shared.domain.approvals kind 'backload'). The rolling per-user window is a key of
-- tenants.four_eyes (jsonb): no column.
ALTER TABLE approval_requests DROP CONSTRAINT IF EXISTS approval_requests_kind_check;
ALTER TABLE approval_requests ADD CONSTRAINT approval_requests_kind_check
    CHECK (kind IN ('repair', 'bulk_repair', 'cancel', 'resubmit', 'backload'));

-- what stopped the job's last slice (cleared by the next slice that commits): the console
-- shows it next to the progress
ALTER TABLE backload_jobs ADD COLUMN last_error text CHECK (length(last_error) <= 2000);
