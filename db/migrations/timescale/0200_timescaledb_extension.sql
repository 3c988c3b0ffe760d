-- The TimescaleDB flavour: the extension must be installed on the server and preloaded
-- (shared_preload_libraries = 'timescaledb'); creating it needs a role allowed to do so.
CREATE EXTENSION IF NOT EXISTS timescaledb;
