"""The benchmark's settings: the app's, plus the bench app (`manage.py seed_scale`) and its URLconf (/bench/).

    .venv/bin/python manage.py seed_scale --settings=bench.settings --households N

bench/run.py and bench/load.py start their server with these settings, and
collect static files into a temporary directory (GOCUA_BENCH_STATIC_ROOT).
"""

import os

from config.settings import *  # noqa: F403
from config.settings import INSTALLED_APPS, STATIC_ROOT

INSTALLED_APPS = [*INSTALLED_APPS, "bench"]
ROOT_URLCONF = "bench.urls"
# Seeding needs no static files; the benchmark's server sets this to its own temporary directory.
STATIC_ROOT = os.getenv("GOCUA_BENCH_STATIC_ROOT", STATIC_ROOT)
EXPORT_RATE_LIMIT = 10**9  # the benchmark asks for hundreds of files; the limit is measured, never reached
