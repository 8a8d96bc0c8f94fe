-- Issue 17: an event whose routing owes no report at all (neither side is one of the
-- tenant's entities, or every regime it touches is left to the other side) is kept, judged
-- by the rules that need no regime, and ends `not_reportable` (final: nothing is owed to a
-- TR) with the reasons in `routing.skipped`, instead of waiting as `received` for ever.
-- Existing rows are all in the old states, so swapping the CHECK in one transaction cannot
-- fail.
ALTER TABLE trade_events DROP CONSTRAINT IF EXISTS trade_events_state_check;
ALTER TABLE trade_events ADD CONSTRAINT trade_events_state_check
    CHECK (state IN ('received', 'invalid', 'valid', 'reported', 'submitted', 'acked',
                     'nacked', 'cancelled', 'superseded', 'not_reportable'));
