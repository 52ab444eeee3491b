from django.utils.functional import SimpleLazyObject

from .access import scope_for


def scope(request):
    return {"scope": SimpleLazyObject(lambda: scope_for(request.user))}
