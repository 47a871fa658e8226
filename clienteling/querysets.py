from django.db import models


class BoutiqueQuerySet(models.QuerySet):
    def active(self):
        """Boutiques still trading."""
        return self.filter(is_active=True)
