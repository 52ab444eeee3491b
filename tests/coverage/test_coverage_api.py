"""The JSON rollup for provincial operations centres: same figures as the pages, same scope (docs/api.md)."""

import base64

import pytest
from django.urls import reverse

from tests.conftest import PASSWORD
from tests.coverage.test_coverage_pages import build_dataset


@pytest.fixture
def data(world):
    return build_dataset(world)


def basic(username, password=PASSWORD):
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()}


def test_it_answers_the_commune_rollup_with_exact_figures(client, data):
    w = data
    w.login(client, "commune_official")
    response = client.get(reverse("api_coverage_commune", args=["31135"]))
    assert response.status_code == 200
    body = response.json()
    assert body["unit"] == {"kind": "commune", "code": "31135", "name": "Phường Ninh Kiều", "province": "92"}
    assert body["as_of"] == w.today.isoformat()
    assert body["priority_only"] is False
    assert [s["code"] for s in body["services"]][:2] == ["province_app", "vneid_level2"]
    total = body["total"]
    assert (total["households"], total["reached"], total["reach"]) == (6, 3, 50.0)
    assert total["services"]["vneid_level2"] == {"adopted": 3, "coverage": 50.0, "people_helped": 5}
    assert total["services"]["ewallet"] == {"adopted": 1, "coverage": 16.7, "people_helped": 2}
    assert total["pillars"]["government"] == {"adopted": 3, "coverage": 50.0}
    rows = {r["unit"]["name"]: r for r in body["rows"]}
    assert rows["Khu vực 1"]["unit"] == {
        "kind": "hamlet",
        "id": w.hamlet.pk,
        "code": "01",
        "name": "Khu vực 1",
        "commune": "31135",
    }
    assert (rows["Khu vực 1"]["households"], rows["Khu vực 1"]["reach"]) == (3, 66.7)
    assert rows["Khu vực 2"]["services"]["ewallet"]["people_helped"] == 2  # the repeated UUID counts once


def test_it_answers_as_of_a_date_and_for_priority_households(client, data):
    w = data
    w.login(client, "province_official")
    url = reverse("api_coverage_province", args=["92"])
    before = client.get(url, {"on": w.d[16].isoformat()}).json()
    assert before["as_of"] == w.d[16].isoformat()
    # Cường, deactivated on d3, counts on d16 as it stood then.
    assert before["total"]["households"] == 7
    assert before["total"]["services"]["vneid_level2"]["adopted"] == 2
    rows = {r["unit"]["code"]: r for r in before["rows"]}
    assert rows["31135"]["reach"] == 33.3 and rows["31261"]["reach"] == 0.0
    priority = client.get(url, {"priority": "1"}).json()
    assert priority["priority_only"] is True
    assert priority["total"]["households"] == 3
    assert {r["unit"]["code"]: r["reach"] for r in priority["rows"]} == {"31135": 66.7, "31261": None}


def test_it_answers_a_hamlet_without_personal_data(client, data):
    w = data
    w.login(client, "member")
    body = client.get(reverse("api_coverage_hamlet", args=[w.hamlet.pk])).json()
    assert body["rows"] == []
    assert body["total"]["households"] == 3
    assert "Nguyễn Văn An" not in str(body)


def test_it_accepts_http_basic_credentials(client, data):
    response = client.get(reverse("api_coverage_province", args=["92"]), **basic("canbo_tinh"))
    assert response.status_code == 200
    assert response.json()["total"]["households"] == 7


def test_it_refuses_without_or_with_wrong_credentials(client, world):
    url = reverse("api_coverage_province", args=["92"])
    response = client.get(url)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Basic")
    assert client.get(url, **basic("canbo_tinh", "wrong")).status_code == 401
    assert client.get(url, HTTP_AUTHORIZATION="Basic !!!").status_code == 401


def test_it_refuses_bad_parameters(client, world):
    world.login(client, "province_official")
    response = client.get(reverse("api_coverage_province", args=["92"]), {"on": "31/02/2026"})
    assert response.status_code == 400
    assert "on" in response.json()["fields"]


@pytest.mark.parametrize(
    ("persona", "name", "arg", "status"),
    [
        ("province_official", "api_coverage_province", "92", 200),
        ("commune_official", "api_coverage_province", "92", 404),
        ("other_province_official", "api_coverage_province", "92", 404),
        ("commune_official", "api_coverage_commune", "31135", 200),
        ("other_commune_official", "api_coverage_commune", "31135", 404),
        ("other_province_official", "api_coverage_commune", "31135", 404),
        ("member", "api_coverage_commune", "31135", 404),
        ("other_commune_official", "api_coverage_hamlet", "hamlet", 404),
        ("other_member", "api_coverage_hamlet", "hamlet", 404),
        ("commune_official", "api_coverage_hamlet", "hamlet", 200),
    ],
)
def test_it_is_scoped_like_the_pages(client, world, persona, name, arg, status):
    world.login(client, persona)
    arg = world.hamlet.pk if arg == "hamlet" else arg
    response = client.get(reverse(name, args=[arg]))
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"


def test_it_only_answers_get(client, world):
    world.login(client, "province_official")
    assert client.post(reverse("api_coverage_province", args=["92"])).status_code == 405
