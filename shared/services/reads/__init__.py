"""Read-side services of the API (issue #5): plain dicts ready for JSON, one module per
resource. Every function takes a connection from `Database.tenant(id)` and relies on its
row-level security (queries also say `tenant_id = app.current_tenant()` so that indexes apply);
lists page by keyset with an opaque `next_cursor` (paging.py). The SQL is the adapter's,
`shared.adapters.db.reads` (issue #13): no statement is written here. See docs/QUERIES.md."""
