"""The bodies each endpoint accepts and answers (and the OpenAPI schema)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from clienteling.models import WebEvent
from consents.models import ConsentDecision

EVENT_ID_MAX = 48


class StrictSerializer(serializers.Serializer):
    """Refuses a field it does not know, naming it: a typo is not ignored."""

    event_id = serializers.RegexField(
        r"^[A-Za-z0-9._:-]+$",
        max_length=EVENT_ID_MAX,
        help_text=_(
            "The website's own id of this call: sending it again with the same "
            "body answers the first result and writes nothing."
        ),
    )

    def to_internal_value(self, data):
        unknown = sorted(set(data) - set(self.fields)) if isinstance(data, dict) else []
        if unknown:
            raise serializers.ValidationError(
                {name: [_("Unknown field.")] for name in unknown}
            )
        return super().to_internal_value(data)


class VisitorMixin(serializers.Serializer):
    language = serializers.CharField(
        max_length=5,
        default="en",
        help_text=_("The language of the sentences the visitor read (en, fr)."),
    )
    ip_address = serializers.IPAddressField(
        help_text=_("The visitor's IP address, kept with the ledger row as proof.")
    )
    user_agent = serializers.CharField(
        max_length=500, required=False, allow_blank=True, default=""
    )


# The client fields of the website account form (consents.registry).
CLIENT_VALUE_FIELDS = (
    "title",
    "first_name",
    "last_name",
    "birth_date",
    "nationality",
    "email",
    "phone",
    "address_line1",
    "postal_code",
    "city",
    "country",
    "preferred_language",
)


def _text(max_length: int):
    return serializers.CharField(
        max_length=max_length, required=False, allow_blank=True, default=""
    )


class AccountRequest(VisitorMixin, StrictSerializer):
    services = serializers.ListField(
        child=serializers.CharField(max_length=50),
        help_text=_("The services the client asks for (purpose codes)."),
    )
    consents = serializers.ListField(
        child=serializers.CharField(max_length=50),
        required=False,
        default=list,
        help_text=_("The purposes whose consent box the client ticked."),
    )
    title = _text(10)
    first_name = _text(100)
    last_name = _text(100)
    birth_date = serializers.DateField(required=False, allow_null=True, default=None)
    nationality = _text(2)
    email = serializers.EmailField(required=False, allow_blank=True)
    phone = _text(30)
    address_line1 = _text(200)
    postal_code = _text(20)
    city = _text(100)
    country = _text(2)
    preferred_language = _text(5)


class ConsentRequest(VisitorMixin, StrictSerializer):
    client_number = serializers.CharField(max_length=20)
    purpose = serializers.CharField(max_length=50)
    decision = serializers.ChoiceField(
        choices=[ConsentDecision.Decision.GRANT, ConsentDecision.Decision.WITHDRAW]
    )


class CookieChoiceRequest(StrictSerializer):
    client_number = serializers.CharField(max_length=20)
    preferences = serializers.BooleanField()
    statistics = serializers.BooleanField()
    advertising = serializers.BooleanField()


class WebEventRequest(StrictSerializer):
    client_number = serializers.CharField(max_length=20)
    kind = serializers.ChoiceField(choices=WebEvent.Kind.values)
    product_reference = _text(40)
    occurred_at = serializers.DateTimeField()


# --- Answers --------------------------------------------------------------------


class DecisionAnswer(serializers.Serializer):
    purpose = serializers.CharField()
    decision = serializers.CharField()


class AccountAnswer(serializers.Serializer):
    client_number = serializers.CharField()
    created = serializers.BooleanField()
    decisions = DecisionAnswer(many=True)


class ConsentAnswer(serializers.Serializer):
    client_number = serializers.CharField()
    purpose = serializers.CharField()
    decision = serializers.CharField()


class CookieChoiceAnswer(serializers.Serializer):
    client_number = serializers.CharField()
    cookie_consent = serializers.CharField()
    preferences = serializers.BooleanField()
    statistics = serializers.BooleanField()
    advertising = serializers.BooleanField()


class WebEventAnswer(serializers.Serializer):
    stored = serializers.BooleanField()
    reason = serializers.CharField(required=False)


class ErrorAnswer(serializers.Serializer):
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text=_("Messages by the field (or part of the request) they are about."),
    )
