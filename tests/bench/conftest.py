import pytest


@pytest.fixture(autouse=True)
def bench_settings(settings):
    """What bench.settings adds to the app's settings: the bench app (seed_scale) and its URLconf (/bench/)."""
    from bench import settings as bench

    settings.INSTALLED_APPS = bench.INSTALLED_APPS
    settings.ROOT_URLCONF = bench.ROOT_URLCONF
