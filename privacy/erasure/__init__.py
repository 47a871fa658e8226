"""Erasure: removes a client's data everywhere it lives. Dangerous on purpose.

Everything here is set-based, by chunks of ids, and never goes through
Model.delete() or signals: a django-simple-history delete would first
write a fresh history row holding the very data being erased, and a
per-object delete of 10,000 clients takes minutes. The `historical*`
tables, django_admin_log, uploaded scans, Celery task results and import
temp files are handled explicitly, because Django's cascade knows none of
them.

What happens to each field is the data map's decision (core.data_map):
ERASE blanks it (or deletes the row), ANONYMISE replaces it with a value
that identifies no one, KEEP leaves it under its named obligation. A row is
kept when it holds a KEEP field about the client (the consent ledger's
proof of lawfulness); the client row itself always stays, as a tombstone
whose client number starts with TOMBSTONE_PREFIX, so ledger and order links
hold.

A job (privacy.models.ErasureJob) runs as ordered steps under a core.jobs
job (kind "privacy.erasure", privacy/jobs.py), each step committed with its
counts fenced by the job's lease: a killed worker's job resumes at the first
step not done, a duplicate delivery is not claimed, and nothing is counted
twice.

The package, one module per concept (callers import the module they need):

- plan: what erasure does to each client model, from the data map, which
  rows are the client's (set-based, by chunks of ids), and whom a run
  covers (merged records, identifiers to look for).
- residue: what lives outside the client models: the suppression list,
  task results, cache keys, stored files and the admin log.
- engine: erasing one model, the ordered steps, and `erase_clients`.
- jobs: an erasure job's lifecycle (request, approve, cancel, execute)
  and the approval page's preview.
- replay: the replay log, and re-applying it after a restore.
"""
