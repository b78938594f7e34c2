-- db-central: one PostgreSQL server, one database per central subgraph.
-- The postgres image runs this once, when the server starts on an empty volume
-- (/docker-entrypoint-initdb.d); POSTGRES_USER owns them all.
CREATE DATABASE esco;
CREATE DATABASE learners;
CREATE DATABASE issuance;
CREATE DATABASE recognition;
CREATE DATABASE passport;
CREATE DATABASE analytics;
