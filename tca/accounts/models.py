from django.conf import settings
from django.db import models


class Profile(models.Model):
    """What a user is besides their login: the desk whose orders a trader sees."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    desk = models.CharField(max_length=64, blank=True, default="")

    def __str__(self) -> str:
        return f"{self.user} ({self.desk or 'no desk'})"
