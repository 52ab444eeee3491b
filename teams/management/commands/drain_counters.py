from django.utils.translation import gettext as _

from teams.counters_drain import queue_drain

from ._province import ProvinceCommand


class Command(ProvinceCommand):
    help = (
        "Fold the queued coverage changes (visits and edits dated long ago) into the counters; the app does it "
        "after each response, this catches what an interrupted one left."
    )

    def run(self, scope):
        folded = queue_drain([scope.pk] if scope else None)
        self.stdout.write(_("%(count)s queued counter changes folded.") % {"count": folded})
