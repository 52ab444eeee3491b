from django.core.management.base import BaseCommand, CommandError

from households.models import Province
from teams.visits import adoptions_rebuild


class Command(BaseCommand):
    help = "Recompute every household's service state from its visits."

    def add_arguments(self, parser):
        parser.add_argument("--province", help="Only this province's GSO code.")

    def handle(self, *args, province=None, **options):
        scope = None
        if province:
            scope = Province.objects.filter(code=province.zfill(2)).first()
            if scope is None:
                raise CommandError(f"No province with code {province}.")
        written = adoptions_rebuild(province=scope)
        self.stdout.write(f"{written} household-service states rebuilt.")
