"""The app's settings, with static files collected into a temporary directory for the benchmark's server."""

import os

from config.settings import *  # noqa: F403

STATIC_ROOT = os.environ["GOCUA_BENCH_STATIC_ROOT"]
