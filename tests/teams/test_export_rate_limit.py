"""Exports are limited per user: a clear Vietnamese answer (429) past the limit, others unaffected."""

import pytest
from django.core.cache import cache


@pytest.fixture
def limit(settings):
    settings.EXPORT_RATE_LIMIT = 3
    settings.EXPORT_RATE_PERIOD = 600
    cache.clear()
    yield 3
    cache.clear()


@pytest.mark.parametrize(
    "persona, url",
    [
        ("commune_official", "/coverage/commune/31135/export.csv"),
        ("commune_official", "/coverage/commune/31135/activity.xlsx"),
        ("province_official", "/coverage/province/92/export.xlsx"),
        ("leader", "/households/{pk}/data.json"),
    ],
)
def test_it_answers_429_in_vietnamese_past_the_limit(client, world, limit, persona, url):
    url = url.format(pk=world.household.pk)
    world.login(client, persona)
    for _ in range(limit):
        assert client.get(url).status_code == 200
    response = client.get(url)
    assert response.status_code == 429
    assert "Quá nhiều lượt tải" in response.text and int(response["Retry-After"]) > 0
    # Another user is not held back by this one's downloads.
    client.logout()
    other = "superuser"
    assert world.login(client, other).get(url).status_code == 200


def test_it_shares_the_count_between_kinds_of_export(client, world, limit):
    world.login(client, "commune_official")
    for url in [
        "/coverage/commune/31135/export.csv",
        "/coverage/commune/31135/activity.csv",
        "/coverage/hamlet/{h}/export.xlsx",
    ]:
        assert client.get(url.format(h=world.hamlet.pk)).status_code == 200
    assert client.get("/coverage/commune/31135/export.xlsx").status_code == 429
    # Pages are not exports: they stay open.
    assert client.get("/coverage/commune/31135/").status_code == 200
