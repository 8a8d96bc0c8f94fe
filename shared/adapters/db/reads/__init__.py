"""The read side's SQL (issue #13): every statement behind the console's lists, details,
statistics and export bundles, one module per read model.

The query services (`shared.services.reads`, `shared.services.reads.exports`) validate the
request, decode the cursor and shape the JSON; the functions here take their connection (a
`Database.tenant(id)` transaction, so row-level security applies; every statement also says
`tenant_id = app.current_tenant()` so that indexes apply), typed filter values and keyset
positions, and return rows as dicts. `where.py` builds WHERE clauses from filter values (fixed
SQL text, every value a parameter), `paging.py` runs the one shape of every list: filters,
keyset condition, order, LIMIT n + 1. See docs/QUERIES.md."""
