import secrets

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_countries.fields import CountryField

from clienteling.querysets import (
    LIVE,
    NOT_ERASED,
    RETIRED,
    TOMBSTONE_PREFIX,
    ClientQuerySet,
)
from clienteling.validators import validate_plausible_birth_date
from core.free_text import FreeTextModel
from core.history import house_history

CLIENT_NUMBER_PATTERN = r"^[A-Z0-9][A-Z0-9-]{3,19}$"

LANGUAGES = [
    ("fr", _("French")),
    ("en", _("English")),
    ("de", _("German")),
    ("it", _("Italian")),
    ("es", _("Spanish")),
    ("zh", _("Chinese")),
    ("ja", _("Japanese")),
    ("ko", _("Korean")),
    ("ar", _("Arabic")),
    ("ru", _("Russian")),
]


def new_client_number() -> str:
    """A public client number: never the primary key, not guessable."""
    return f"EC{secrets.randbelow(10**10):010d}"


# The columns of the live() filter, carried in the list's order indexes so
# a deep page's ids come from the index alone (decision 0041).
LIVE_COLUMNS = ["status", "client_number"]


class Client(FreeTextModel):
    """A person the house knows: the centre of the client 360."""

    class Title(models.TextChoices):
        NONE = "", "—"
        MRS = "mrs", _("Mrs")
        MS = "ms", _("Ms")
        MR = "mr", _("Mr")
        MX = "mx", _("Mx")
        DR = "dr", _("Dr")

    class CivilStatus(models.TextChoices):
        UNDISCLOSED = "", _("Not disclosed")
        SINGLE = "single", _("Single")
        MARRIED = "married", _("Married")
        CIVIL_PARTNERSHIP = "civil_partnership", _("Civil partnership")
        DIVORCED = "divorced", _("Divorced")
        WIDOWED = "widowed", _("Widowed")

    class Source(models.TextChoices):
        BOUTIQUE = "boutique", _("Boutique")
        WEB = "web", _("Website")
        PAPER_FORM = "paper_form", _("Paper form")
        IMPORT = "import", _("Import")
        CUSTOMER_SERVICE = "customer_service", _("Customer service")

    class CookieConsent(models.TextChoices):
        UNKNOWN = "", _("Unknown")
        ACCEPTED = "accepted", _("Accepted all")
        REFUSED = "refused", _("Refused all")
        CUSTOMISED = "customised", _("Customised")

    class Status(models.TextChoices):
        ACTIVE = "active", pgettext_lazy("client status", "Active")
        MERGED = "merged", _("Merged into another record")

    client_number = models.CharField(
        max_length=20,
        unique=True,
        default=new_client_number,
        validators=[
            RegexValidator(
                CLIENT_NUMBER_PATTERN,
                _("A client number is 4 to 20 capital letters, digits or dashes."),
            )
        ],
        verbose_name=_("client number"),
    )
    title = models.CharField(
        max_length=5, choices=Title.choices, blank=True, verbose_name=_("title")
    )
    first_name = models.CharField(max_length=100, verbose_name=_("first name"))
    last_name = models.CharField(max_length=100, verbose_name=_("last name"))
    birth_date = models.DateField(
        null=True,
        blank=True,
        validators=[validate_plausible_birth_date],
        verbose_name=_("birth date"),
    )
    nationality = CountryField(blank=True, verbose_name=_("nationality"))
    civil_status = models.CharField(
        max_length=20,
        choices=CivilStatus.choices,
        blank=True,
        verbose_name=_("civil status"),
    )
    preferred_language = models.CharField(
        max_length=5,
        choices=LANGUAGES,
        default="en",
        verbose_name=_("preferred language"),
    )
    home_boutique = models.ForeignKey(
        "clienteling.Boutique",
        on_delete=models.PROTECT,
        related_name="clients",
        verbose_name=_("home boutique"),
    )
    primary_adviser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="primary_clients",
        verbose_name=_("primary adviser"),
    )
    secondary_adviser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="secondary_clients",
        verbose_name=_("secondary adviser"),
    )
    source = models.CharField(
        max_length=20,
        choices=Source.choices,
        default=Source.BOUTIQUE,
        verbose_name=_("source"),
    )
    # Technical data: only the result of geolocation is kept, never the
    # coordinates it was computed from.
    nearest_boutique = models.ForeignKey(
        "clienteling.Boutique",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # client_nearest_boutique, partial
        help_text=_("Computed from a coarse location; the location is not kept."),
        verbose_name=_("nearest boutique"),
    )
    display_language = models.CharField(
        max_length=5, choices=LANGUAGES, blank=True, verbose_name=_("display language")
    )
    cookie_consent = models.CharField(
        max_length=12,
        choices=CookieConsent.choices,
        blank=True,
        verbose_name=_("cookie consent"),
    )
    cookie_consent_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("cookie consent at")
    )
    preferred_boutique = models.ForeignKey(
        "clienteling.Boutique",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # client_preferred_boutique, partial
        verbose_name=_("preferred boutique"),
    )
    status = models.CharField(
        max_length=10,
        choices=Status.choices,
        default=Status.ACTIVE,
        verbose_name=_("status"),
    )
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # client_merged_into, partial
        verbose_name=_("merged into"),
    )
    # Derived values kept on the row by the services that change them, so
    # the changelist never aggregates.
    last_contact_at = models.DateTimeField(
        null=True, blank=True, editable=False, verbose_name=_("last contact at")
    )
    last_client_initiated_contact_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        verbose_name=_("last contact initiated by the client at"),
    )
    lifetime_value = models.DecimalField(
        _("lifetime value (EUR)"),
        max_digits=14,
        decimal_places=2,
        default=0,
        editable=False,
        help_text=_(
            "Invoices less credit notes, converted to euros at the "
            "house's budget exchange rates (set once a year by finance), so "
            "purchases in different currencies add up."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    history = house_history()
    objects = ClientQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        permissions = [
            ("view_all_clients", "Can see the clients of every boutique"),
            ("import_client", "Can import clients"),
            ("export_client", "Can export client lists"),
        ]
        indexes = [
            # The list's order: page 1 reads 50 index entries, not a sort of
            # every client. The six order indexes leave erased tombstones
            # out (NOT_ERASED, decision 0116): the tombstone UPDATE writes
            # no entry in them; the default view (live()) implies the
            # condition, the Merged and Erased views read client_retired.
            models.Index(
                fields=["last_name", "first_name", "id"],
                name="client_name_order",
                include=LIVE_COLUMNS,
                condition=NOT_ERASED,
            ),
            models.Index(
                fields=["home_boutique", "last_name", "first_name", "id"],
                name="client_boutique_name_order",
                include=LIVE_COLUMNS,
                condition=NOT_ERASED,
            ),
            # The few merged and erased records: the list's "Merged" and
            # "Erased" views, and the count the default view subtracts
            # from the table's estimate (EstimatedCountPaginator).
            models.Index(fields=["id"], name="client_retired", condition=RETIRED),
            # Foreign keys empty on most rows and on every tombstone (erasure
            # empties the two boutiques): indexed where set only, which is
            # all a lookup by one of them (`= value`, the database's own
            # foreign key checks) ever reads (decision 0116).
            *(
                models.Index(
                    fields=[name],
                    name=f"client_{name}",
                    condition=Q(**{f"{name}__isnull": False}),
                )
                for name in ("merged_into", "nearest_boutique", "preferred_boutique")
            ),
            # An adviser's book on the home (clienteling.home.my_book): the
            # live clients I advise, counted from the index alone (decision
            # 0039), as primary adviser and as secondary.
            # The boutique dashboard's clients created since the nightly
            # snapshot (segments.figures, decision 0121): a few entries.
            models.Index(
                fields=["home_boutique", "created_at"],
                name="client_boutique_created",
                condition=LIVE,
            ),
            models.Index(
                fields=["primary_adviser", "last_contact_at", "created_at"],
                name="client_book_primary",
                condition=LIVE,
            ),
            models.Index(
                fields=[
                    "secondary_adviser",
                    "primary_adviser",
                    "last_contact_at",
                    "created_at",
                ],
                name="client_book_secondary",
                condition=LIVE,
            ),
            # The list sorted by a derived column, in either direction
            # (ClientAdmin's sort key: the column, then the name, decision
            # 0041), unscoped and within a boutique.
            models.Index(
                fields=["last_contact_at", "last_name", "first_name", "id"],
                name="client_last_contact_order",
                include=LIVE_COLUMNS,
                condition=NOT_ERASED,
            ),
            models.Index(
                fields=[
                    "home_boutique",
                    "last_contact_at",
                    "last_name",
                    "first_name",
                    "id",
                ],
                name="client_boutique_contact_order",
                include=LIVE_COLUMNS,
                condition=NOT_ERASED,
            ),
            models.Index(
                fields=["lifetime_value", "last_name", "first_name", "id"],
                name="client_value_order",
                include=LIVE_COLUMNS,
                condition=NOT_ERASED,
            ),
            models.Index(
                fields=[
                    "home_boutique",
                    "lifetime_value",
                    "last_name",
                    "first_name",
                    "id",
                ],
                name="client_boutique_value_order",
                include=LIVE_COLUMNS,
                condition=NOT_ERASED,
            ),
        ]
        constraints = [
            models.CheckConstraint(
                name="client_merged_iff_merged_into",
                condition=Q(status="merged", merged_into__isnull=False)
                | Q(status="active", merged_into__isnull=True),
            ),
            models.CheckConstraint(
                name="client_lifetime_value_not_negative",
                condition=Q(lifetime_value__gte=0),
            ),
        ]
        verbose_name = _("client")
        verbose_name_plural = _("clients")

    def __str__(self):
        return f"{self.full_name} ({self.client_number})"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def is_erased(self) -> bool:
        return self.client_number.startswith(TOMBSTONE_PREFIX)

    @property
    def is_retired(self) -> bool:
        """Merged into another record or erased: nothing more is done to it."""
        return self.status == self.Status.MERGED or self.is_erased


class DuplicateFlag(models.Model):
    """Two records that look like the same person, awaiting a decision."""

    # Flags are settled by the merge itself, not moved.
    merge_policy = "keep"

    class Reason(models.TextChoices):
        SAME_EMAIL = "same_email", _("Same email")
        SAME_PHONE = "same_phone", _("Same phone")

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("duplicate flag status", "Open")
        MERGED = "merged", _("Merged")
        DISMISSED = "dismissed", _("Not the same person")

    client = models.ForeignKey(
        Client, on_delete=models.CASCADE, related_name="+", verbose_name=_("client")
    )
    other = models.ForeignKey(
        Client, on_delete=models.CASCADE, related_name="+", verbose_name=_("other")
    )
    reason = models.CharField(
        max_length=20, choices=Reason.choices, verbose_name=_("reason")
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default="open", verbose_name=_("status")
    )
    flagged_at = models.DateTimeField(auto_now_add=True, verbose_name=_("flagged at"))
    resolved_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("resolved at")
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resolved by"),
    )

    history = house_history()

    class Meta:
        constraints = [
            # Each pair once per reason, stored with the lower id first.
            models.UniqueConstraint(
                fields=["client", "other", "reason"], name="duplicate_flag_once"
            ),
            models.CheckConstraint(
                name="duplicate_flag_ordered_pair",
                condition=Q(client__lt=models.F("other")),
            ),
        ]
        verbose_name = _("duplicate flag")
        verbose_name_plural = _("duplicate flags")

    def __str__(self):
        return f"{self.client_id} ~ {self.other_id} ({self.get_reason_display()})"
