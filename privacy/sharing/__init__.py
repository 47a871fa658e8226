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
- Files are streamed chunk by chunk (memory does not grow with the number
  of clients), written into a partial folder and moved into place only
  when the batch row commits; a refused or failed run leaves no file.

The package, one module per concept (callers import the module they need):

- eligibility: who may be shared (current grant, active, not restricted),
  by chunks of clients; the rule version.
- files: the batch files: streamed and hashed, written into a partial
  folder, signed by the manifest's checksums and moved into place; and
  rewritten without a client on erasure.
- exports: the group and partner export runs, the withdrawal lists, and
  the recipients and transfers of the register of processing.
- insights: insights back from the group (import, purge) and the client
  page's "From the group" panel.

Purchases come from the orders app (orders.selectors.purchases_for).
"""
