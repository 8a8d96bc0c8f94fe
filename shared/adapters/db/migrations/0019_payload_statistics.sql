-- No planner statistics for the large payload columns: no statement filters or joins on
-- them, and ANALYZE spent most of its time detoasting and comparing a 30,000-row sample of
-- them (trade_events: 386 ms a run on the 100k bench, where the stages re-analyse tables
-- that have outgrown their statistics; shared/adapters/db/statistics.py). Autovacuum's
-- analyses get the same saving.
ALTER TABLE trade_events ALTER COLUMN payload SET STATISTICS 0;
ALTER TABLE raw_rows ALTER COLUMN content SET STATISTICS 0;
ALTER TABLE raw_rows ALTER COLUMN parse_result SET STATISTICS 0;
ALTER TABLE raw_rows ALTER COLUMN errors SET STATISTICS 0;
