from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("orders", "0004_order_marketing_email")]

    operations = [
        migrations.AddIndex(
            model_name="payment",
            index=models.Index(
                condition=models.Q(("provider_reference", ""), _negated=True),
                fields=["provider_reference", "received_at"],
                name="payment_token_used_at",
            ),
        ),
    ]
