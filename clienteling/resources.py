"""Client import and export (django-import-export), explicit fields only.

An import is all or nothing: `clienteling.services.clients_import` runs the
whole file in one transaction and rolls it back on the first problem, with
every problem named by row, column and reason.
"""

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from import_export import fields, resources, widgets

from clienteling.models import Boutique, Client, ClientEmail, ClientPhone
from clienteling.phones import normalise_phone


class EmailWidget(widgets.CharWidget):
    def clean(self, value, row=None, **kwargs):
        value = (value or "").strip()
        if value:
            try:
                validate_email(value)
            except ValidationError:
                raise ValueError(f"{value!r} is not a valid email address.") from None
        return value


class PhoneWidget(widgets.CharWidget):
    def clean(self, value, row=None, **kwargs):
        value = (value or "").strip()
        if not value:
            return ""
        number = normalise_phone(value)
        if not number:
            raise ValueError(f"{value!r} is not a valid phone number.")
        return number


class BoutiqueCodeWidget(widgets.ForeignKeyWidget):
    def __init__(self):
        super().__init__(Boutique, field="code")

    def clean(self, value, row=None, **kwargs):
        value = (value or "").strip()
        if not value:
            raise ValueError("A home boutique code is required.")
        try:
            return Boutique.objects.get(code=value)
        except Boutique.DoesNotExist:
            raise ValueError(f"No boutique has the code {value!r}.") from None


class ClientResource(resources.ModelResource):
    client_number = fields.Field(attribute="client_number", column_name="client_number")
    home_boutique = fields.Field(
        attribute="home_boutique",
        column_name="home_boutique",
        widget=BoutiqueCodeWidget(),
    )
    email = fields.Field(
        attribute="import_email", column_name="email", widget=EmailWidget()
    )
    mobile = fields.Field(
        attribute="import_mobile", column_name="mobile", widget=PhoneWidget()
    )
    landline = fields.Field(
        attribute="import_landline", column_name="landline", widget=PhoneWidget()
    )

    class Meta:
        model = Client
        fields = (
            "client_number",
            "title",
            "first_name",
            "last_name",
            "birth_date",
            "nationality",
            "civil_status",
            "preferred_language",
            "home_boutique",
            "email",
            "mobile",
            "landline",
        )
        export_order = fields
        import_id_fields = ()
        clean_model_instances = True
        skip_unchanged = False
        use_bulk = False
        widgets = {"birth_date": {"format": "%Y-%m-%d"}}

    COLUMNS = frozenset(Meta.fields)

    def __init__(self, *, acting_user=None, **kwargs):
        super().__init__(**kwargs)
        self.acting_user = acting_user

    def get_instance(self, instance_loader, row):
        # Imports create clients; they never overwrite one (see
        # clients_import for the duplicate check).
        return None

    def before_save_instance(self, instance, row, **kwargs):
        instance.source = Client.Source.IMPORT
        instance._history_user = self.acting_user

    def after_save_instance(self, instance, row, **kwargs):
        if kwargs.get("dry_run"):
            return
        if instance.import_email:
            email = ClientEmail(
                client=instance, address=instance.import_email, is_primary=True
            )
            email._history_user = self.acting_user
            email.save()
        for attr, kind in (
            ("import_mobile", "mobile"),
            ("import_landline", "landline"),
        ):
            number = getattr(instance, attr, "")
            if number:
                phone = ClientPhone(
                    client=instance,
                    kind=kind,
                    number=number,
                    is_primary=not instance.phones.filter(is_primary=True).exists(),
                )
                phone._history_user = self.acting_user
                phone.save()

    def export_field(self, field, instance, **kwargs):
        if field.column_name == "email":
            return next((e.address for e in instance.emails.all() if e.is_primary), "")
        if field.column_name in ("mobile", "landline"):
            return next(
                (
                    str(p.number)
                    for p in instance.phones.all()
                    if p.kind == field.column_name
                ),
                "",
            )
        if field.column_name == "home_boutique":
            return instance.home_boutique.code
        return super().export_field(field, instance, **kwargs)

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("home_boutique").prefetch_related(
            "emails", "phones"
        )
