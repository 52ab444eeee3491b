"""What every Gõ Cửa ModelAdmin shares: lists, choices and filters cut to the user's scope."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from households.models import Commune, Hamlet, Household, Province

from .access import scope_for
from .models import Member, Team


def scoped_choices():
    """Models whose choices in any admin form are cut to the user's scope."""
    return (Province, Commune, Hamlet, Household, Team, Member, get_user_model())


class ScopedAdmin(admin.ModelAdmin):
    """A province administrator sees and picks only what lies in their province."""

    def get_queryset(self, request):
        scoped = scope_for(request.user).for_model(self.model)
        ordering = self.get_ordering(request)
        return scoped.order_by(*ordering) if ordering else scoped

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model in scoped_choices():
            kwargs["queryset"] = scope_for(request.user).for_model(db_field.related_model)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.related_model in (Hamlet,):
            kwargs["queryset"] = scope_for(request.user).for_model(db_field.related_model)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class ScopedInline:
    def get_queryset(self, request):
        return super().get_queryset(request).filter(pk__in=scope_for(request.user).for_model(self.model).values("pk"))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model in scoped_choices():
            kwargs["queryset"] = scope_for(request.user).for_model(db_field.related_model)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class CommuneFilter(admin.SimpleListFilter):
    """Communes of the user's scope that have hamlets (a province has ~100, the country 3,321)."""

    title = _("commune")
    parameter_name = "commune"
    lookup = "commune"  # path from the listed model to Commune

    def lookups(self, request, model_admin):
        communes = scope_for(request.user).communes().filter(hamlets__isnull=False).distinct().order_by("name")
        return [(c.pk, c.name) for c in communes]

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            return queryset.filter(**{self.lookup: self.value()})
        return queryset


class HamletFilter(admin.SimpleListFilter):
    """Hamlets of the scope, narrowed to the commune chosen in CommuneFilter."""

    title = _("hamlet")
    parameter_name = "hamlet"
    lookup = "hamlet"

    def lookups(self, request, model_admin):
        hamlets = scope_for(request.user).hamlets().select_related("commune").order_by("commune__name", "name")
        commune = request.GET.get("commune")
        if commune and commune.isdigit():
            hamlets = hamlets.filter(commune=commune)
        return [(h.pk, f"{h.name} ({h.commune.name})") for h in hamlets[:500]]

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            return queryset.filter(**{self.lookup: self.value()})
        return queryset


def filter_for(base, path):
    """A copy of CommuneFilter/HamletFilter that reaches the unit through `path`."""
    return type(f"{base.__name__}_{path}", (base,), {"lookup": path})
