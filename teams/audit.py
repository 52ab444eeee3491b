"""The access log: every view of a household's page and every export (Decree 356/2025)."""

from .models import AccessLog


def access_log(*, request, action, province=None, household=None, unit="", detail=""):
    """Record that `request.user` did `action`; the province is the household's when not given."""
    if province is None and household is not None:
        province = household.province_id
    return AccessLog.objects.create(
        user=request.user if request.user.is_authenticated else None,
        province_id=getattr(province, "pk", province),
        action=action,
        household=household,
        unit=str(unit)[:200],
        detail=str(detail)[:300],
    )
