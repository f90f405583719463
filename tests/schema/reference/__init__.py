"""``analysis.schema`` validation as of commit 09cd426 (pandera schema, per-row pandas),
kept verbatim as the reference the vectorised checks are tested against
(tests/schema/test_schema_fast_checks.py). Only the imports between these modules
are redirected here; shared pieces (contract, Collector, usage) are the package's.
"""
