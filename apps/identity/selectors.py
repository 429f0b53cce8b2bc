from apps.accounts.models import User
from apps.identity.models import Reporter


def reporter_for_user(*, user: User) -> Reporter | None:
    """The reporter profile of a signed-in citizen, or None (staff, anonymous)."""
    if not user.is_authenticated:
        return None
    return Reporter.objects.filter(user=user, erased_at__isnull=True).first()
