"""segments' part of the data map (see core.classification).

A segment holds criteria, never clients; a campaign holds its counts. The
follow-ups a campaign writes are clienteling's FollowUp rows.
"""

from core.classification import (
    NOT_PERSONAL,
    Category,
    Erasure,
    F,
    ModelMap,
    Source,
    Subject,
)

C, E, S = Category, Erasure, Source

ACCOUNTABILITY = F(
    C.IDENTITY,
    E.KEEP,
    S.SYSTEM,
    obligation="accountability for who segmented clients (GDPR Art. 5(2))",
)

DATAMAP = {
    "segments.Segment": ModelMap(
        Subject.STAFF,
        None,
        description="Saved client lists: criteria and the boutiques they "
        "cover, never the clients.",
        fields={
            **dict.fromkeys(
                (
                    "id",
                    "name",
                    "boutiques",
                    "shared",
                    "adviser",
                    "preferred_collection",
                    "preferred_channel",
                    "purchase_collection",
                    "purchase_category",
                    "purchase_metal",
                    "purchase_min_eur",
                    "purchase_max_eur",
                    "purchased_from",
                    "purchased_to",
                    "lifetime_value_min_eur",
                    "lifetime_value_max_eur",
                    "contacted_within_days",
                    "not_contacted_for_days",
                    "bought_within_days",
                    "not_bought_for_days",
                    "important_date_within_days",
                    "language",
                    "eligible_purpose",
                    "eligible_channel",
                    "created_at",
                    "updated_at",
                ),
                NOT_PERSONAL,
            ),
            "created_by": ACCOUNTABILITY,
        },
        codes={
            "purchase_category": "a product category code",
            "purchase_metal": "a metal code",
        },
    ),
    "segments.Campaign": ModelMap(
        Subject.STAFF,
        None,
        description="Follow-up campaigns asked for: the segment, the due "
        "date, the note to the advisers, the job and its counts.",
        fields={
            **dict.fromkeys(
                (
                    "id",
                    "segment",
                    "due_date",
                    "note",
                    "job",
                    "created_count",
                    "excluded_by_reason",
                    "created_at",
                ),
                NOT_PERSONAL,
            ),
            "requested_by": ACCOUNTABILITY,
        },
    ),
    "segments.SalesFact": ModelMap(
        Subject.NONE,
        None,
        description="Daily sales totals per boutique, adviser and currency "
        "(rebuilt nightly from the orders): no client.",
        fields={
            **dict.fromkeys(
                (
                    "id",
                    "day",
                    "boutique",
                    "currency",
                    "orders",
                    "amount",
                    "amount_eur",
                    "built_at",
                ),
                NOT_PERSONAL,
            ),
            "adviser": F(
                C.STAFF_NOTES,
                E.KEEP,
                S.SYSTEM,
                obligation="sales figures of the house (staff, not clients)",
            ),
        },
        codes={"currency": "an ISO 4217 code"},
    ),
    "segments.ContactFact": ModelMap(
        Subject.NONE,
        None,
        description="Daily contact counts per boutique, member of staff, "
        "channel and outcome (rebuilt nightly from the contact log): no client.",
        fields={
            **dict.fromkeys(
                (
                    "id",
                    "day",
                    "boutique",
                    "channel",
                    "outcome",
                    "contacts",
                    "built_at",
                ),
                NOT_PERSONAL,
            ),
            "staff": F(
                C.STAFF_NOTES,
                E.KEEP,
                S.SYSTEM,
                obligation="activity figures of the house (staff, not clients)",
            ),
        },
        codes={
            "channel": "a contact channel code",
            "outcome": "a contact outcome code",
        },
    ),
    "segments.ClientSnapshot": ModelMap(
        Subject.NONE,
        None,
        description="Nightly counts of clients per boutique (live, new per "
        "day, lapsing, current consents per purpose and channel) and per "
        "retention rule (due within 30 and 90 days): no client.",
        fields=dict.fromkeys(
            (
                "id",
                "kind",
                "boutique",
                "day",
                "purpose",
                "channel",
                "rule_code",
                "within_days",
                "clients",
                "built_at",
            ),
            NOT_PERSONAL,
        ),
        codes={
            "channel": "a consent channel code",
            "rule_code": "a retention rule code",
        },
    ),
    "segments.FactsRebuild": ModelMap(
        Subject.NONE,
        None,
        description="When the daily facts were rebuilt, and how many rows.",
        fields=dict.fromkeys(("id", "built_at", "facts_written"), NOT_PERSONAL),
    ),
}
