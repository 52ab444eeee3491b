from django.core.management.base import BaseCommand, CommandError

from households.models import Province
from teams.counters_rebuild import counters_rebuild
from teams.models import Service


class Command(BaseCommand):
    help = (
        "Recompute the coverage counters from the households and visits; counts the services "
        "added or moved to another pillar in the admin since the last rebuild."
    )

    def add_arguments(self, parser):
        parser.add_argument("--province", help="Only this province's GSO code (waiting services keep waiting).")

    def handle(self, *args, province=None, **options):
        scope = None
        if province:
            scope = Province.objects.filter(code=province.zfill(2)).first()
            if scope is None:
                raise CommandError(f"No province with code {province}.")
        waiting = set(Service.objects.filter(counters_pending=True).values_list("code", flat=True))
        written = counters_rebuild(province=scope)
        self.stdout.write(f"{written} counter rows rebuilt.")
        counted = waiting - set(Service.objects.filter(counters_pending=True).values_list("code", flat=True))
        if counted:
            self.stdout.write(f"Now counted for coverage: {', '.join(sorted(counted))}.")
