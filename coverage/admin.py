from django.contrib import admin

from teams.access import scope_for
from teams.admin_scope import ScopedHistoryAdmin

from .models import Target


@admin.register(Target)
class TargetAdmin(ScopedHistoryAdmin):
    list_display = ["service", "province", "commune", "percent", "starts_on", "deadline", "set_by"]
    list_filter = ["service", "province"]
    list_select_related = ["service", "province", "commune", "set_by"]
    autocomplete_fields = ["province", "commune"]
    exclude = ["set_by"]

    def get_queryset(self, request):
        # Not in Scope.for_model: teams/ does not know the models of coverage/; the rule is the scope's.
        targets = scope_for(request.user).unit_rows(Target.objects.all())
        ordering = self.get_ordering(request)
        return targets.order_by(*ordering) if ordering else targets

    def save_model(self, request, obj, form, change):
        obj.set_by = request.user
        super().save_model(request, obj, form, change)
