from django.utils.functional import SimpleLazyObject

from .access import Access, scope_for


def scope(request):
    """`scope` (what the user sees) and `access` (which pages they may open) in every template."""
    return {"scope": SimpleLazyObject(lambda: scope_for(request.user)), "access": Access(request.user)}
