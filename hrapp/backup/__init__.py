"""Backups: the database and the uploaded files as one archive, and restoring one.

`hrapp backup OUT` writes a gzip'd tar holding `manifest.json`, the database (SQLite: a copy made
with SQLite's online backup API; PostgreSQL: `pg_dump` in its custom format) and `uploads/`.
`hrapp restore IN` puts both back, refusing to replace a database that holds rows unless told
to (`--force`).

The audit log is part of the database, so a restore replaces it too: every entry written after
the backup was made is gone with the rest of that data. The restore therefore writes one entry
into the restored log ("backup.restore": who restored which archive made when), so the log
says why it jumps back in time; keep the archive of the database you replace (back it up
first) if its later entries matter.
"""
