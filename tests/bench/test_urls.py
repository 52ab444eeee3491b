"""/bench/ is served only with bench.settings: production URLs have none of it."""

import pytest
from django.urls import URLResolver, get_resolver, resolve, reverse
from django.urls.exceptions import Resolver404


def routes(resolver, prefix=""):
    """Every route of a URLconf as written, includes expanded: "households/<int:pk>/", …"""
    found = []
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        found += routes(pattern, route) if isinstance(pattern, URLResolver) else [route]
    return found


def test_it_serves_nothing_under_bench_in_production():
    production = routes(get_resolver("config.urls"))
    assert any(r.startswith("households/") for r in production)  # the walk sees the real URLs
    assert [r for r in production if r.startswith("bench")] == []
    with pytest.raises(Resolver404):
        resolve("/bench/trivial/", urlconf="config.urls")


def test_it_serves_the_production_urls_and_the_yardstick_with_the_bench_settings(settings):
    assert settings.ROOT_URLCONF == "bench.urls"  # tests/bench/conftest.py
    assert set(routes(get_resolver("config.urls"))) < set(routes(get_resolver("bench.urls")))
    assert resolve("/bench/trivial/").url_name == "bench_trivial"


def test_it_shows_the_yardstick_to_a_signed_in_user_only(client, world):
    url = reverse("bench_trivial")
    assert url == "/bench/trivial/"
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    world.login(client, "member")
    response = client.get(url)
    assert response.status_code == 200
    assert response.templates[0].name == "base.html"
