"""Database backups: pg_dump of the platform's database into object storage (daily, by a Temporal Schedule, or on
an operator's request), retention in days, and a restore command that loads a dump into an empty database
(`python -m domain.backups restore <key|file> --database-url URL`)."""
