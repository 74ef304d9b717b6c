"""API tokens: each user creates, replaces and revokes their own (no admin needed)."""

from __future__ import annotations

import logging

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from rest_framework.authtoken.models import Token

log = logging.getLogger("footprint.security")


def api_token_get(*, user: AbstractBaseUser) -> Token | None:
    return Token.objects.filter(user=user).first()


@transaction.atomic
def api_token_create(*, user: AbstractBaseUser) -> str:
    """A new key for ``user``; any previous key stops working at once.

    The key is returned to be shown once: pages never display a stored key again.
    """
    Token.objects.filter(user=user).delete()
    token = Token.objects.create(user=user)
    log.info("api token created for user %s", user.pk)
    return token.key


def api_token_revoke(*, user: AbstractBaseUser) -> bool:
    """Delete ``user``'s key; whether there was one."""
    deleted, _ = Token.objects.filter(user=user).delete()
    if deleted:
        log.info("api token revoked for user %s", user.pk)
    return bool(deleted)
