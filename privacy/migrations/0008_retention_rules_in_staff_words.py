"""Retention rule anchors say what starts the clock in staff's words.

The seeded anchors named models, fields and a setting
(`AccessLogEntry.at`, `ACCESS_LOG_RETENTION_DAYS`), shown as they are on
the retention rules page. Only rows still holding the old text change, so
an anchor a compliance officer edited is kept.
"""

from django.db import migrations, models

ANCHORS = {
    "web_activity": (
        "when the event happened (WebEvent.occurred_at)",
        "when the web event happened",
    ),
    "ip_addresses": (
        "last time seen (IpAddressSeen.last_seen_at)",
        "the last time the IP address was seen",
    ),
    "cookie_choices": (
        "when the choice was made (Client.cookie_consent_at)",
        "when the client made the cookie choice",
    ),
    "access_log": (
        "when the access happened (AccessLogEntry.at); period: "
        "ACCESS_LOG_RETENTION_DAYS",
        "when the access happened; the period is set for the installation "
        "(one year unless configured otherwise)",
    ),
}


def forwards(apps, schema_editor):
    RetentionRule = apps.get_model("privacy", "RetentionRule")
    for code, (old, new) in ANCHORS.items():
        RetentionRule.objects.filter(code=code, anchor=old).update(anchor=new)


def backwards(apps, schema_editor):
    RetentionRule = apps.get_model("privacy", "RetentionRule")
    for code, (old, new) in ANCHORS.items():
        RetentionRule.objects.filter(code=code, anchor=new).update(anchor=old)


class Migration(migrations.Migration):
    dependencies = [
        ("privacy", "0007_free_text_bounds"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
        migrations.AlterField(
            model_name="retentionrule",
            name="period_days",
            field=models.PositiveIntegerField(
                blank=True,
                help_text="Empty: the period is set for the installation, not here (the access log: one year unless configured otherwise).",
                null=True,
            ),
        ),
    ]
