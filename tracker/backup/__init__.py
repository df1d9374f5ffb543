"""Backups that can be trusted: a consistent database snapshot, the attachments beside it, and a
manifest (row counts, SHA-256 of every file) that a restore checks before touching anything."""
