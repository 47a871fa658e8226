"""The purpose registry and the form catalogue, kept in code.

One entry per purpose of the privacy notice, plus explicit consent for
allergy-aware service (GDPR Art. 9(2)(a)). Data migrations and seed_demo
call sync_registry(), which makes the Purpose table match this module and
adds any form version not yet in the database. A published form version is
never changed: its wording is what clients signed. To change a form, add a
new version here.

Data categories use the data map's vocabulary (core.classification).
"""

from dataclasses import dataclass, field

from core.classification import Category

# The data map's vocabulary, defined once in core.classification.
IDENTITY = Category.IDENTITY.value
CONTACT = Category.CONTACT.value
PAYMENT = Category.PAYMENT.value
TECHNICAL = Category.TECHNICAL.value
PREFERENCES = Category.PREFERENCES.value
HEALTH = Category.HEALTH.value
CEREMONY = Category.CEREMONY.value
CONTACT_HISTORY = Category.CONTACT_HISTORY.value
WEB_ACTIVITY = Category.WEB_ACTIVITY.value
PURCHASES = Category.PURCHASES.value
STAFF_NOTES = Category.STAFF_NOTES.value
DATA_CATEGORIES = tuple(c.value for c in Category if c is not Category.NOT_PERSONAL)

CONSENT = "consent"
CONTRACT = "contract"
LEGITIMATE_INTEREST = "legitimate_interest"
LEGAL_OBLIGATION = "legal_obligation"

ALLERGY_AWARE_SERVICE = "allergy_aware_service"
NEWSLETTERS = "newsletters_invitations"
PARTNER_SHARING = "partner_sharing"
EVENTS = "events"
CUSTOMER_RELATIONS = "customer_relations"
STATISTICS_SEGMENTATION = "statistics_segmentation"


@dataclass(frozen=True)
class BalancingTest:
    """The legitimate-interest assessment the register of processing shows."""

    interest: str
    necessity: str
    rights: str


@dataclass(frozen=True)
class PurposeSpec:
    code: str
    name: str
    description: str
    legal_basis: str
    data_categories: tuple[str, ...]
    retention: str
    recipients: tuple[str, ...] = ()
    can_object: bool = False
    direct_marketing: bool = False
    # Existing customers may receive email about similar products without a
    # prior consent (soft opt-in) if they did not refuse when offered.
    soft_opt_in: bool = False
    special_category: bool = False
    # A purpose an outreach list may be built for: the house contacts the
    # client about it (newsletters, invitations). Other direct-marketing
    # purposes are not sent from a list (retargeting is advertising,
    # partner sharing goes through privacy.sharing), and no list is built
    # for a purpose that is not marketing (fraud, allergy-aware service).
    outreach: bool = False
    balancing_test: BalancingTest | None = None


_HOUSE = "The house's own staff and IT providers (processors)"

PURPOSES: tuple[PurposeSpec, ...] = (
    PurposeSpec(
        code="contact_us",
        name="Answers to the “Contact us” form",
        description="Answer the questions clients send through the website.",
        legal_basis=LEGITIMATE_INTEREST,
        data_categories=(IDENTITY, CONTACT, CONTACT_HISTORY),
        retention="3 years after the last exchange",
        recipients=(_HOUSE,),
        can_object=True,
        balancing_test=BalancingTest(
            interest="Answering a question the client chose to ask.",
            necessity="A reply needs the client's name and a way to reach them.",
            rights=(
                "The client initiated the exchange and expects an answer; only "
                "the data given in the request is used."
            ),
        ),
    ),
    PurposeSpec(
        code="my_account",
        name="“My account” space on the website",
        description="Create and run the client's personal website account.",
        legal_basis=CONTRACT,
        data_categories=(IDENTITY, CONTACT, TECHNICAL),
        retention="Until the account is closed, then 3 years",
        recipients=(_HOUSE,),
    ),
    PurposeSpec(
        code="selection",
        name="“Selection” of products on the website",
        description="Keep the products the client puts in their Selection.",
        legal_basis=CONTRACT,
        data_categories=(IDENTITY, PREFERENCES, WEB_ACTIVITY),
        retention="Until the account is closed",
        recipients=(_HOUSE,),
    ),
    PurposeSpec(
        code=NEWSLETTERS,
        name="Newsletters, invitations and news",
        description=(
            "Send information on offers, products, news and events "
            "(newsletters, invitations, other publications)."
        ),
        legal_basis=CONSENT,
        data_categories=(IDENTITY, CONTACT, PREFERENCES),
        retention="3 years after the last contact from the client",
        recipients=(_HOUSE,),
        can_object=True,
        direct_marketing=True,
        outreach=True,
        soft_opt_in=True,
    ),
    PurposeSpec(
        code="boutique_orders",
        name="Boutique orders, invoicing, payment and guarantees",
        description=(
            "Manage orders in the boutiques, invoicing and payment, and the "
            "guarantees of the house's products."
        ),
        legal_basis=CONTRACT,
        data_categories=(IDENTITY, CONTACT, PAYMENT, PURCHASES),
        retention=(
            "Guarantee period; invoices 10 years (accounting obligation); "
            "card references 13 months after the last payment with the card"
        ),
        recipients=(_HOUSE, "Payment service provider"),
    ),
    PurposeSpec(
        code=CUSTOMER_RELATIONS,
        name="Customer relations, complaints and after-sales",
        description=(
            "Manage, optimise and personalise customer relations, complaints "
            "and after-sales service."
        ),
        legal_basis=LEGITIMATE_INTEREST,
        data_categories=(
            IDENTITY,
            CONTACT,
            PREFERENCES,
            CEREMONY,
            CONTACT_HISTORY,
            PURCHASES,
            STAFF_NOTES,
        ),
        retention="3 years after the last contact from the client",
        recipients=(_HOUSE,),
        can_object=True,
        balancing_test=BalancingTest(
            interest=(
                "Serving clients well across visits: remembering sizes, "
                "preferences, repairs and complaints."
            ),
            necessity=(
                "After-sales and complaints cannot be handled without the "
                "purchase and contact history."
            ),
            rights=(
                "Clients expect a jeweller to remember them; staff notes are "
                "factual, health data is excluded (own consent), and the "
                "client may object at any time."
            ),
        ),
    ),
    PurposeSpec(
        code="navigation_preferences",
        name="Website navigation preferences",
        description="Save login details and usage preferences for the websites.",
        legal_basis=CONSENT,
        data_categories=(TECHNICAL, WEB_ACTIVITY),
        retention="13 months (cookies)",
        recipients=(_HOUSE,),
        can_object=True,
    ),
    PurposeSpec(
        code=EVENTS,
        name="Participation in the house's events",
        description="Organise the client's participation in events.",
        legal_basis=CONSENT,
        data_categories=(IDENTITY, CONTACT, PREFERENCES),
        retention="3 years after the last event attended",
        recipients=(_HOUSE, "Event organisers (processors)"),
        can_object=True,
        direct_marketing=True,
        outreach=True,
    ),
    PurposeSpec(
        code=PARTNER_SHARING,
        name="Sharing with department-store partners",
        description=(
            "Share with local business partners, including the department "
            "stores hosting shop-in-shops, for their own customer "
            "relationship programmes."
        ),
        legal_basis=CONSENT,
        data_categories=(IDENTITY, CONTACT, PURCHASES),
        retention="Until the consent is withdrawn",
        recipients=("The department-store partner (separate controller)",),
        can_object=True,
        direct_marketing=True,
    ),
    PurposeSpec(
        code=STATISTICS_SEGMENTATION,
        name="Statistics, segmentation and marketing analysis",
        description=(
            "Compile statistics, segmentations and marketing analysis after "
            "visits to boutiques or websites."
        ),
        legal_basis=LEGITIMATE_INTEREST,
        data_categories=(PREFERENCES, PURCHASES, WEB_ACTIVITY),
        retention="3 years after the last contact from the client",
        recipients=(_HOUSE,),
        can_object=True,
        balancing_test=BalancingTest(
            interest="Understanding which collections and boutiques clients use.",
            necessity=(
                "Aggregate analysis needs purchase and visit data; results "
                "are used in aggregate, not to decide about one person."
            ),
            rights=(
                "No profiling with legal or similar effect; the client may "
                "object and is then left out of every segment."
            ),
        ),
    ),
    PurposeSpec(
        code="retargeting",
        name="Retargeting and targeted advertising",
        description="Manage retargeting systems and suggest targeted advertising.",
        legal_basis=CONSENT,
        data_categories=(TECHNICAL, WEB_ACTIVITY),
        retention="13 months (cookies)",
        recipients=(_HOUSE, "Advertising partners"),
        can_object=True,
        direct_marketing=True,
    ),
    PurposeSpec(
        code="nearest_boutique",
        name="Nearest boutique",
        description=(
            "List the client in the boutiques closest to them and suggest a "
            "visit, from a coarse location (the location itself is not kept)."
        ),
        legal_basis=CONSENT,
        data_categories=(TECHNICAL, IDENTITY),
        retention="Until the consent is withdrawn",
        recipients=(_HOUSE,),
        can_object=True,
    ),
    PurposeSpec(
        code="cross_group_intelligence",
        name="Cross-group intelligence",
        description=(
            "Share purchases of the last 3 years, pseudonymised (no name, no "
            "contact details), with the parent group to receive generalised "
            "insight on purchasing habits and preferences."
        ),
        legal_basis=CONSENT,
        data_categories=(PURCHASES, PREFERENCES),
        retention="Purchases of the last 3 years; until the consent is withdrawn",
        recipients=("The parent group, as processor (pseudonymised purchases)",),
        can_object=True,
    ),
    PurposeSpec(
        code="fraud_counterfeiting",
        name="Fighting fraud and counterfeiting",
        description="Detect and prevent fraud and counterfeiting.",
        legal_basis=LEGITIMATE_INTEREST,
        data_categories=(IDENTITY, CONTACT, PAYMENT, PURCHASES, TECHNICAL),
        retention="5 years after the incident",
        recipients=(_HOUSE, "Authorities on request"),
        can_object=False,
        balancing_test=BalancingTest(
            interest="Protecting clients and the house from fraud and fakes.",
            necessity=(
                "Fraud checks need the identity, payment and purchase data of "
                "the transaction under review."
            ),
            rights=(
                "Used only for checks and incidents, access is restricted, "
                "and no marketing use is made of it."
            ),
        ),
    ),
    PurposeSpec(
        code=ALLERGY_AWARE_SERVICE,
        name="Allergy-aware service",
        description=(
            "Record metal allergies so advisers never offer a piece the client "
            "reacts to (health data, GDPR Art. 9(2)(a))."
        ),
        legal_basis=CONSENT,
        data_categories=(HEALTH,),
        retention="Until the consent is withdrawn (erased with its history)",
        recipients=(_HOUSE,),
        can_object=True,
        special_category=True,
    ),
)

PURPOSES_BY_CODE = {p.code: p for p in PURPOSES}
OUTREACH_PURPOSE_CODES = frozenset(p.code for p in PURPOSES if p.outreach)


# --- Form catalogue -----------------------------------------------------------


@dataclass(frozen=True)
class FieldSpec:
    key: str
    label: str
    category: str
    # Purpose codes (the services a client asks for) this field is
    # compulsory for; empty means optional.
    mandatory_for: tuple[str, ...] = ()


@dataclass(frozen=True)
class FormVersionSpec:
    template: str
    kind: str
    title: str
    version: int
    services: tuple[str, ...]
    fields: tuple[FieldSpec, ...]
    # language -> purpose code -> the consent sentence
    wording: dict[str, dict[str, str]] = field(default_factory=dict)


_ALL_SERVICES = (NEWSLETTERS, EVENTS, "boutique_orders", "customer_relations")

CLIENT_FIELDS = (
    FieldSpec("title", "Title", IDENTITY),
    FieldSpec("first_name", "First name", IDENTITY, _ALL_SERVICES),
    FieldSpec("last_name", "Last name", IDENTITY, _ALL_SERVICES),
    FieldSpec("birth_date", "Date of birth", IDENTITY),
    FieldSpec("nationality", "Nationality", IDENTITY),
    FieldSpec("email", "Email address", CONTACT, (NEWSLETTERS, EVENTS)),
    FieldSpec("phone", "Mobile number", CONTACT, ("customer_relations",)),
    FieldSpec("address_line1", "Postal address", CONTACT, ("boutique_orders",)),
    FieldSpec("postal_code", "Postal code", CONTACT),
    FieldSpec("city", "City", CONTACT, ("boutique_orders",)),
    FieldSpec("country", "Country", CONTACT, ("boutique_orders",)),
    FieldSpec("preferred_language", "Preferred language", PREFERENCES),
)

# The consent wordings, per language: the form version is the legal
# content (services, fields, purposes); each language is a rendering of it,
# added to a published version without changing what was signed before.
# Every language of consents.documents.languages.COMPLETE has a wording for
# every purpose here (tests/consents/test_document_languages.py).
_WORDING = {
    "en": {
        NEWSLETTERS: (
            "I agree to receive information on offers, products, news and events "
            "(newsletters, invitations and other publications). I can withdraw "
            "at any time."
        ),
        EVENTS: "I agree that my details are used to invite me to events.",
        PARTNER_SHARING: (
            "I agree that my details are shared with the department store "
            "hosting this boutique for its own customer relationship programme."
        ),
        "cross_group_intelligence": (
            "I agree that my purchases of the last 3 years are shared, without "
            "my name or contact details, with the parent group to receive "
            "offers matching my interests."
        ),
        ALLERGY_AWARE_SERVICE: (
            "I explicitly agree that my metal allergies are recorded so that I "
            "am never offered a piece I react to. I can withdraw at any time, "
            "and the information is then erased."
        ),
    },
    "fr": {
        NEWSLETTERS: (
            "J’accepte de recevoir des informations sur les offres, les "
            "produits, les actualités et les événements (lettres "
            "d’information, invitations et autres publications). Je peux "
            "retirer mon consentement à tout moment."
        ),
        EVENTS: (
            "J’accepte que mes données soient utilisées pour "
            "m’inviter aux événements de la maison."
        ),
        PARTNER_SHARING: (
            "J’accepte que mes données soient communiquées au "
            "grand magasin qui accueille ce corner, pour son propre programme de "
            "gestion de la relation client."
        ),
        "cross_group_intelligence": (
            "J’accepte que mes achats des 3 dernières années "
            "soient communiqués à la société mère du "
            "groupe, sans mon nom ni mes coordonnées, afin de recevoir des "
            "offres correspondant à mes centres d’intérêt."
        ),
        ALLERGY_AWARE_SERVICE: (
            "Je consens expressément à l’enregistrement de mes "
            "allergies aux métaux, afin que ne me soit jamais proposée "
            "une pièce à laquelle je réagis. Je peux retirer mon "
            "consentement à tout moment ; ces informations sont alors "
            "effacées."
        ),
    },
}


def _only(*codes: str) -> dict[str, dict[str, str]]:
    return {
        language: {code: texts[code] for code in codes}
        for language, texts in _WORDING.items()
    }


FORM_VERSIONS: tuple[FormVersionSpec, ...] = (
    FormVersionSpec(
        template="boutique-paper",
        kind="paper",
        title="Boutique client form",
        version=1,
        services=_ALL_SERVICES,
        fields=CLIENT_FIELDS,
        wording=_WORDING,
    ),
    FormVersionSpec(
        template="website-account",
        kind="website",
        title="Website account form",
        version=1,
        services=("my_account", NEWSLETTERS),
        fields=tuple(
            FieldSpec(
                f.key,
                f.label,
                f.category,
                ("my_account", *f.mandatory_for)
                if f.key in ("first_name", "last_name", "email")
                else f.mandatory_for,
            )
            for f in CLIENT_FIELDS
        ),
        wording=_only(NEWSLETTERS),
    ),
    FormVersionSpec(
        template="clienteling-tool",
        kind="clienteling_tool",
        title="Clienteling tool form",
        version=1,
        services=_ALL_SERVICES,
        fields=CLIENT_FIELDS,
        wording=_WORDING,
    ),
)


def sync_registry(apps=None) -> None:
    """Make the Purpose table match PURPOSES; add missing form versions
    and the wordings of a language a version does not have yet.

    Purposes no longer in code are kept (the ledger points at them) but
    marked inactive. Existing form versions, and every wording already
    written, are left untouched: running it twice writes nothing.
    """
    if apps is None:
        from django.apps import apps
    Purpose = apps.get_model("consents", "Purpose")
    FormTemplate = apps.get_model("consents", "FormTemplate")
    FormTemplateVersion = apps.get_model("consents", "FormTemplateVersion")
    FormField = apps.get_model("consents", "FormField")
    PurposeWording = apps.get_model("consents", "PurposeWording")

    purposes = {}
    for order, spec in enumerate(PURPOSES):
        test = spec.balancing_test
        purposes[spec.code], _ = Purpose.objects.update_or_create(
            code=spec.code,
            defaults={
                "name": spec.name,
                "description": spec.description,
                "legal_basis": spec.legal_basis,
                "data_categories": list(spec.data_categories),
                "recipients": list(spec.recipients),
                "retention": spec.retention,
                "can_object": spec.can_object,
                "direct_marketing": spec.direct_marketing,
                "soft_opt_in": spec.soft_opt_in,
                "special_category": spec.special_category,
                "balancing_interest": test.interest if test else "",
                "balancing_necessity": test.necessity if test else "",
                "balancing_rights": test.rights if test else "",
                "display_order": order,
                "is_active": True,
            },
        )
    Purpose.objects.exclude(code__in=purposes).update(is_active=False)

    # Before migration 0011 a wording had no language: old migrations
    # running this with their historical models write the English only.
    by_language = any(f.name == "language" for f in PurposeWording._meta.get_fields())
    for spec in FORM_VERSIONS:
        template, _ = FormTemplate.objects.get_or_create(
            code=spec.template, defaults={"kind": spec.kind, "title": spec.title}
        )
        version = FormTemplateVersion.objects.filter(
            template=template, number=spec.version
        ).first()
        if version is None:
            version = FormTemplateVersion.objects.create(
                template=template, number=spec.version
            )
            version.services.set([purposes[code] for code in spec.services])
            for order, f in enumerate(spec.fields):
                form_field = FormField.objects.create(
                    version=version,
                    key=f.key,
                    label=f.label,
                    data_category=f.category,
                    display_order=order,
                )
                form_field.mandatory_for.set([purposes[c] for c in f.mandatory_for])
        # A wording already published is never rewritten; a language added
        # to a version adds its wordings beside the others.
        for language, texts in spec.wording.items():
            if not by_language and language != "en":
                continue
            have = PurposeWording.objects.filter(version=version)
            if by_language:
                have = have.filter(language=language)
            present = set(have.values_list("purpose__code", flat=True))
            for code, text in texts.items():
                if code in present:
                    continue
                extra = {"language": language} if by_language else {}
                PurposeWording.objects.create(
                    version=version, purpose=purposes[code], text=text, **extra
                )


def sync_registry_migration(apps, schema_editor) -> None:
    sync_registry(apps)
