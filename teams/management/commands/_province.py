"""What the rebuild commands share: the `--province` option, its lookup, and Vietnamese output."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from households.models import Province


class ProvinceCommand(BaseCommand):
    """A command over every province or, with `--province CODE`, one; `run(scope)` does the work in Vietnamese."""

    def add_arguments(self, parser):
        parser.add_argument("--province", help="Only this province's GSO code, e.g. 92.")

    def handle(self, *args, province=None, **options):
        with translation.override("vi"):
            self.run(self._province(province) if province else None)

    @staticmethod
    def _province(code):
        scope = Province.objects.filter(code=code.zfill(2)).first() if code.isdigit() and len(code) <= 2 else None
        if scope is None:
            raise CommandError(_("No province with code %(code)s.") % {"code": code})
        return scope

    def run(self, scope):
        raise NotImplementedError
