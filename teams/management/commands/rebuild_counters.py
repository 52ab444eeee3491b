from django.utils.translation import gettext as _

from teams.counters_rebuild import counters_rebuild
from teams.models import Service

from ._province import ProvinceCommand


class Command(ProvinceCommand):
    help = (
        "Recompute the coverage counters from the households and visits; counts the services "
        "added or moved to another pillar in the admin since the last rebuild (with --province, "
        "waiting services keep waiting)."
    )

    def run(self, scope):
        waiting = set(Service.objects.filter(counters_pending=True).values_list("code", flat=True))
        written = counters_rebuild(province=scope)
        self.stdout.write(_("Counters recomputed: %(count)s rows corrected (0: they were right).") % {"count": written})
        counted = waiting - set(Service.objects.filter(counters_pending=True).values_list("code", flat=True))
        if counted:
            self.stdout.write(_("Now counted for coverage: %(codes)s.") % {"codes": ", ".join(sorted(counted))})
