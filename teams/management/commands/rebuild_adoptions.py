from django.utils.translation import gettext as _

from teams.state_rebuild import adoptions_rebuild

from ._province import ProvinceCommand


class Command(ProvinceCommand):
    help = "Recompute every household's service state from its visits, in batches, then the coverage counters."

    def run(self, scope):
        corrected = adoptions_rebuild(province=scope)
        self.stdout.write(
            _("%(count)s households out of step corrected; service states and counters rebuilt.") % {"count": corrected}
        )
