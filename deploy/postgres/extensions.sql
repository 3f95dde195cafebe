-- The extensions the migrations create (grep -h 'CREATE EXTENSION' db/migrations/*.sql),
-- created once by the database owner when the volume is initialised, so that the
-- server's role needs no superuser right. All ship with PostgreSQL's contrib.
CREATE EXTENSION IF NOT EXISTS cube;
CREATE EXTENSION IF NOT EXISTS earthdistance;
CREATE EXTENSION IF NOT EXISTS pgcrypto;
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS unaccent;
