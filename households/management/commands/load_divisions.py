from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from households.divisions import divisions_load
from households.models import Commune, Province


class Command(BaseCommand):
    help = "Load the 34 provinces and 3,321 communes (July 2025) from vietnam-provinces; idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--province", help="Load only this province's GSO code, e.g. 92 for Cần Thơ.")

    def handle(self, *args, province=None, **options):
        try:
            provinces, communes = divisions_load(province_code=province)
        except ValidationError as e:
            raise CommandError(" ".join(e.messages)) from e
        self.stdout.write(
            f"{provinces} provinces and {communes} communes added or updated; "
            f"now {Province.objects.count()} provinces, {Commune.objects.count()} communes."
        )
