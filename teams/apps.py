from django.apps import AppConfig
from django.core.signals import request_finished
from django.utils.translation import gettext_lazy as _


class TeamsConfig(AppConfig):
    name = "teams"
    verbose_name = _("Teams and visits")

    def ready(self):
        from .counters_drain import drain_after_response

        # Changes dated long ago reach the counter rows once the response is sent (teams.counters_drain).
        request_finished.connect(drain_after_response, dispatch_uid="teams.counters_drain")
