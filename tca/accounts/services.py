"""Services for users and roles."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser, Group, Permission
from django.db import transaction

from .models import Profile
from .roles import ROLE_PERMISSIONS, ROLES


def roles_sync() -> None:
    """Create the role groups and give each exactly its permissions.

    Idempotent; run by a migration and again after apps add permissions.
    """
    for role in ROLES:
        group, _ = Group.objects.get_or_create(name=role)
        perms = []
        for dotted in ROLE_PERMISSIONS[role]:
            app_label, codename = dotted.split(".")
            perm = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if perm is not None:
                perms.append(perm)
        group.permissions.set(perms)


@transaction.atomic
def user_create_with_role(
    *, username: str, password: str, role: str, desk: str = "", email: str = ""
) -> AbstractUser:
    """Create (or reset) a user holding exactly one role."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; expected one of {', '.join(ROLES)}")
    user_model = get_user_model()
    user, _ = user_model.objects.get_or_create(username=username, defaults={"email": email})
    user.set_password(password)
    user.is_staff = role == "quant"  # quants work in the admin (retrain, promote)
    user.save()
    user.groups.set([Group.objects.get(name=role)])
    Profile.objects.update_or_create(user=user, defaults={"desk": desk})
    return user
