"""Consent wordings per language; the ledger records the language (decision 0030).

Every wording and ledger row written before this migration was English:
both get "en". The ledger is append-only (a PostgreSQL trigger refuses
UPDATE, decision 0011), so its existing rows are not updated: the column
is added with the default "en", which fills them as part of ALTER TABLE
(no row is updated, no trigger fires), and the default is then dropped so
that new rows take the language of their wording (consents.services).
The registry sync then adds the French wordings beside the English ones.
"""

from django.db import migrations, models

from consents.registry import sync_registry_migration


class Migration(migrations.Migration):
    dependencies = [
        ("consents", "0010_outreach_list_job"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="purposewording",
            options={"ordering": ["version", "purpose__display_order", "language"]},
        ),
        migrations.RemoveConstraint(
            model_name="purposewording",
            name="purpose_wording_once",
        ),
        migrations.AddField(
            model_name="purposewording",
            name="language",
            field=models.CharField(
                default="en",
                help_text="Language code of the sentence, e.g. en, fr.",
                max_length=5,
            ),
        ),
        migrations.AddConstraint(
            model_name="purposewording",
            constraint=models.UniqueConstraint(
                fields=("version", "purpose", "language"),
                name="purpose_wording_once_per_language",
            ),
        ),
        # Existing ledger rows get "en" from ALTER TABLE's default, which
        # is then dropped (preserve_default=False): a new row says its
        # wording's language.
        migrations.AddField(
            model_name="consentdecision",
            name="language",
            field=models.CharField(blank=True, default="en", max_length=5),
            preserve_default=False,
        ),
        migrations.RunPython(sync_registry_migration, migrations.RunPython.noop),
    ]
