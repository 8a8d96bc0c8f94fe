-- Issue 17 item 5: the ANNA DSB's UPIs as we have looked them up (docs/UPI.md).
--
-- One row per product, keyed by the hash of its UPI attributes (shared.domain.upi
-- ProductAttributes.key). A row with a UPI is a positive entry; a row without one is a
-- negative entry: why none could be had and when to ask the DSB again (retry_after), so a
-- chunk of trades on a product the DSB does not know costs one search a day, not one a row.
-- UPIs are public reference data, the same for every tenant, and the DSB account is the
-- platform's: not tenant-owned, hence no row-level security (like tr_circuit_breakers).
CREATE TABLE upi_cache (
    attributes_key      text PRIMARY KEY CHECK (attributes_key ~ '^[0-9a-f]{64}$'),
    upi                 text CHECK (upi ~ '^QZ[A-Z0-9]{10}$'),
    attributes          jsonb NOT NULL,
    -- where the entry came from: a search, a creation, a lookup by code, the EOD file
    source              text NOT NULL CHECK (source IN ('search', 'create', 'lookup', 'eod')),
    fetched_at          timestamptz NOT NULL DEFAULT now(),
    unavailable_reason  text CHECK (unavailable_reason IN
                            ('not_found', 'create_refused', 'unreachable')),
    unavailable_detail  text,
    retry_after         timestamptz,
    CHECK ((upi IS NULL) = (unavailable_reason IS NOT NULL)),
    CHECK (upi IS NOT NULL OR retry_after IS NOT NULL)
);
-- lookup by code (`swaprep upi lookup --uti`, a UPI the record already carries)
CREATE INDEX upi_cache_code ON upi_cache (upi) WHERE upi IS NOT NULL;
