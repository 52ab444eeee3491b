"""Seed a synthetic province at scale for the benchmark (issue 6); see bench.scale. Needs --settings=bench.settings."""

from django.core.management.base import BaseCommand, CommandError

from bench.scale import DEFAULT_PASSWORD, PROVINCE_CODE, AlreadySeeded, Plan, province_seed


class Command(BaseCommand):
    help = (
        "Build a synthetic province (code 99, 'Tỉnh Mô Phỏng') of N households with visits over the last year, "
        "with COPY on PostgreSQL, and the benchmark logins bench_member_1..60, bench_official_commune, "
        "bench_official_province. Runs once per database."
    )

    def add_arguments(self, parser):
        parser.add_argument("--households", type=int, required=True)
        parser.add_argument("--visits-per-household", type=float, default=3.0)
        parser.add_argument("--communes", type=int, default=100)
        parser.add_argument("--hamlets-per-commune", type=int, default=15)
        parser.add_argument("--province", default=PROVINCE_CODE, help="GSO-like code of the synthetic province.")
        parser.add_argument("--password", default=DEFAULT_PASSWORD, help="Password of the bench_* logins.")
        parser.add_argument("--seed", type=int, default=2026, help="Random seed: the same seed builds the same data.")

    def handle(self, *args, **options):
        self.verbosity = options["verbosity"]
        if options["households"] < 1 or options["visits_per_household"] < 0:
            raise CommandError("--households must be positive and --visits-per-household not negative.")
        plan = Plan(
            households=options["households"],
            visits_per_household=options["visits_per_household"],
            communes=options["communes"],
            hamlets_per_commune=options["hamlets_per_commune"],
            seed=options["seed"],
            password=options["password"],
        )
        try:
            totals = province_seed(plan, province_code=options["province"], out=self._progress)
        except AlreadySeeded as error:
            raise CommandError(str(error))
        self.stdout.write(
            self.style.SUCCESS(
                f"Province {totals['province']}: {totals['households']:,} households, {totals['visits']:,} visits, "
                f"{totals['assistance']:,} assistance rows, {totals['adoptions']:,} adoption rows "
                f"in {totals['seconds']}s."
            )
        )

    def _progress(self, line):
        if self.verbosity < 1:
            return
        self.stdout.write(line)
        self.stdout.flush()
