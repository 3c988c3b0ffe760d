-- Issue 16: each athlete's CP and W' history (Athlete.PowerThresholdsChanged), so that a ride
-- is summarised with the values in force on its day. NULL = the default (CP: the ride's FTP;
-- W': 20 kJ). Named `*_rm_summaries*`: a summaries rebuild creates it too.
CREATE TABLE IF NOT EXISTS athlete_power_thresholds (
    athlete_id      uuid NOT NULL,
    effective_from  date NOT NULL,
    cp_w            integer,
    w_prime_j       integer,
    PRIMARY KEY (athlete_id, effective_from)
);
