"""Who must report a trade, under which regimes, and on whose behalf (issue 17).

Pure domain, like `shared.domain.regimes` whose `Obligation` facts it applies:
- `entities`: a tenant's legal entities and branches, each with its status per regime, and
  its delegation agreements with clients;
- `routing`: for one event, the reports owed (regime, reporting counterparty, submitting
  entity, entity responsible, capacity) and the regimes not reported by us, each with its
  reason in English and Korean, as stored on the event and shown in the trade detail;
- `perspective`: the event as one of its counterparties reports it (sides, directions and
  values turned round, the submitting entity and entity responsible set).
"""
