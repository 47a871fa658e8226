"""Cross-group intelligence and partner sharing: exports that honour consent.

Dangerous module: it is where client data leaves the house. Rules
(RULE_VERSION, recorded on every batch; change the version when a rule
changes):

- Group export: clients whose current decision (latest wins, consents.
  selectors) for cross-group intelligence is a grant, whose record is
  active and not restricted; their purchases of the last 36 months as
  product category, collection, metals, price band, boutique country and
  month, keyed by a pseudonym (privacy.pseudonyms). Nothing else: no
  name, contact detail, date of birth, free text or exact address.
- Partner export: clients of the partner's shop-in-shops with a current
  partner-sharing grant, active and not restricted; the minimum a partner
  needs to welcome them (a per-partner reference, name, primary email,
  language, shop-in-shop code).
- Each transfer lists the clients previously disclosed to that recipient
  whose consent is no longer current (withdrawn, objected, erased, merged):
  the recipient must delete what it received. They are never exported
  again until they grant again.
- Each export and each insights import is a core.jobs job (privacy/jobs.py;
  started by the admin and the monthly beat): claimed once, resumed after
  a dead worker or a lost message by the job sweeper, failures shown on
  the Jobs page and above the batch list. One batch per job: its id and
  folder are fixed when the job is queued.
- Files are streamed chunk by chunk (memory does not grow with the number
  of clients) into the job's partial files and moved into the batch's
  folder in the fenced transaction that records the batch, its
  disclosures and recalls (once); a refused, failed or killed run leaves
  no file (the sweeper deletes a dead worker's partial files).

The package, one module per concept (callers import the module they need):

- eligibility: who may be shared (current grant, active, not restricted),
  by chunks of clients; the rule version.
- files: the batch files: streamed and hashed into the job's partial
  files, signed by the manifest's checksums and moved into place; and
  rewritten without a client on erasure.
- exports: the group and partner export jobs (start, run), the withdrawal
  lists, and the recipients and transfers of the register of processing.
- insights: insights back from the group (upload checked whole, then an
  import job; purge) and the client page's "From the group" panel.

Purchases come from the orders app (orders.selectors.purchases_for).
"""
