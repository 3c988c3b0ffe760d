-- Issue 16: the ride figures GoldenCheetah computes beside NP and TSS (docs/metrics.md).
-- A new file rather than an edit of 0210 (applied migrations never change); it is named
-- `*_rm_summaries*` so that `wattlog project --rebuild summaries` runs it too, after 0210.
-- wbal_min_j (0210) now holds the Skiba 2012 integral model's lowest balance.
ALTER TABLE session_summaries
    ADD COLUMN IF NOT EXISTS cp_w                double precision,
    ADD COLUMN IF NOT EXISTS w_prime_j           double precision,
    ADD COLUMN IF NOT EXISTS wprime_expended_kj  double precision,
    ADD COLUMN IF NOT EXISTS xpower_w            double precision,
    ADD COLUMN IF NOT EXISTS efficiency_factor   double precision;
