-- Issue 16: UK EMIR, JFSA, MAS, HKMA, ASIC and CFTC Part 43 join the reporting regimes
-- (shared.domain.regimes). A tenant may now name any of the nine; the CHECK is swapped in
-- one transaction, validated against the existing rows, which all name a subset of the old
-- three, so no tenant row can fail it.
ALTER TABLE tenants DROP CONSTRAINT IF EXISTS tenants_regimes_known;
ALTER TABLE tenants ADD CONSTRAINT tenants_regimes_known
    CHECK (cardinality(regimes) > 0 AND regimes <@ ARRAY['krx', 'cftc-part45', 'emir',
           'uk-emir', 'jfsa', 'mas', 'hkma', 'asic', 'cftc-part43']);
