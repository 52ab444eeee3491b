"""Targets: the on-track rule, the marks on the pages, and who may set them."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from coverage.models import Target
from coverage.targets import Progress, expected_on, progress, target_set
from tests.coverage.test_coverage_pages import build_dataset, column, page_tables, rows_by_name


@pytest.fixture
def data(world):
    return build_dataset(world)


def _target(percent, starts_on, deadline):
    return Target(percent=Decimal(percent), starts_on=starts_on, deadline=deadline)


def test_it_expects_progress_evenly_from_start_to_deadline():
    target = _target("80", date(2026, 1, 1), date(2026, 1, 11))
    assert expected_on(target, date(2025, 12, 1)) == Decimal("0.0")
    assert expected_on(target, date(2026, 1, 4)) == Decimal("24.0")
    assert expected_on(target, date(2026, 1, 11)) == Decimal("80.0")
    assert expected_on(target, date(2027, 1, 1)) == Decimal("80.0")


def test_it_tells_met_on_track_behind_missed_and_no_data():
    target = _target("80", date(2026, 1, 1), date(2026, 1, 11))
    during, after = date(2026, 1, 6), date(2026, 1, 12)
    assert progress(target, Decimal("80.0"), during).status == Progress.MET
    assert progress(target, Decimal("40.0"), during).status == Progress.ON_TRACK
    assert progress(target, Decimal("39.9"), during).status == Progress.BEHIND
    assert progress(target, Decimal("79.9"), after).status == Progress.MISSED
    assert progress(target, None, during).status == Progress.NO_DATA
    assert progress(target, Decimal("40.0"), during).ok and not progress(target, Decimal("1"), during).ok


def test_it_keeps_one_target_per_unit_and_service(world):
    w = world
    common = {"service": w.services["ewallet"], "deadline": w.today + timedelta(days=10), "starts_on": w.today}
    target_set(province=w.province, percent=Decimal("50"), **common)
    _t, created = target_set(province=w.province, percent=Decimal("60"), **common)
    assert not created
    target_set(province=w.province, commune=w.commune, percent=Decimal("70"), **common)
    assert sorted(Target.objects.values_list("percent", flat=True)) == [Decimal("60.0"), Decimal("70.0")]
    with pytest.raises(IntegrityError), transaction.atomic():
        Target.objects.create(province=w.province, percent=Decimal("10"), **common)


def test_it_refuses_bad_targets(world):
    w = world
    service = w.services["ewallet"]
    with pytest.raises(ValidationError):
        target_set(province=w.province, service=service, percent=50, deadline=w.today, starts_on=w.today)
    with pytest.raises(ValidationError):
        target_set(
            province=w.province, commune=w.far_commune, service=service, percent=50,
            deadline=w.today + timedelta(days=1), starts_on=w.today,
        )  # fmt: skip
    with pytest.raises(ValidationError):
        target_set(
            province=w.province, service=service, percent=0, deadline=w.today + timedelta(days=1), starts_on=w.today
        )


def _set_targets(w):
    # Province: VNeID 80% over 200 days, half gone → 40,0% expected today.
    target_set(
        province=w.province,
        service=w.V,
        percent=Decimal("80"),
        starts_on=w.today - timedelta(days=100),
        deadline=w.today + timedelta(days=100),
    )
    # Commune A's own e-wallet target: 50% over 20 days, half gone → 25,0% expected.
    target_set(
        province=w.province,
        commune=w.commune,
        service=w.E,
        percent=Decimal("50"),
        starts_on=w.today - timedelta(days=10),
        deadline=w.today + timedelta(days=10),
    )


def test_it_shows_who_is_on_track_on_the_province_page(client, data):
    w = data
    _set_targets(w)
    w.login(client, "province_official")
    response = client.get(reverse("coverage_province", args=["92"]))
    rows, vneid, wallet = rows_by_name(response), column(response, w.V.name), column(response, w.E.name)
    assert rows["Phường Ninh Kiều"][vneid] == "50,0% ▲(đúng tiến độ)"
    assert rows["Xã Cờ Đỏ"][vneid] == "0,0% ▼(chậm tiến độ)"
    assert rows["Tổng"][vneid] == "42,9% ▲(đúng tiến độ)"
    # The commune's own target applies to it only.
    assert rows["Phường Ninh Kiều"][wallet] == "16,7% ▼(chậm tiến độ)"
    assert rows["Xã Cờ Đỏ"][wallet] == "0,0%"
    summary = {r[0]: r for r in page_tables(response)["table"][1:]}
    assert summary[w.V.name][1:] == ["80,0%", f"{w.today + timedelta(days=100):%d/%m/%Y}", "40,0%", "42,9%",
                                     "▲ đúng tiến độ", "1/2"]  # fmt: skip
    assert summary[w.E.name][1:] == ["chỉ đặt cho một số xã/phường", "0/1"]
    assert "tăng đều" in response.content.decode()  # the rule is on the page


def test_it_measures_a_commune_and_its_hamlets_against_the_commune_targets(client, data):
    w = data
    _set_targets(w)
    w.login(client, "commune_official")
    response = client.get(reverse("coverage_commune", args=["31135"]))
    rows, vneid, wallet = rows_by_name(response), column(response, w.V.name), column(response, w.E.name)
    assert rows["Khu vực 2"][wallet] == "50,0% ▲(đã đạt mục tiêu)"
    assert rows["Khu vực 1"][wallet] == "0,0% ▼(chậm tiến độ)"
    assert rows["Tổng"][wallet] == "16,7% ▼(chậm tiến độ)"
    assert rows["Tổng"][vneid] == "50,0% ▲(đúng tiến độ)"
    summary = {r[0]: r for r in page_tables(response)["table"][1:]}
    assert summary[w.E.name][-1] == "1/3"
    # As of a day before the commune's target counted from, nothing is expected yet.
    response = client.get(reverse("coverage_commune", args=["31135"]), {"on": w.d[12].isoformat()})
    # Dung not yet registered, Cường not yet deactivated: 1 of 6.
    assert rows_by_name(response)["Tổng"][wallet] == "16,7% ▲(đúng tiến độ)"


def test_it_lets_officials_set_and_remove_targets(client, world):
    w = world
    w.login(client, "commune_official")
    url = reverse("coverage_commune_targets", args=["31135"])
    assert client.get(url).status_code == 200
    deadline = w.today + timedelta(days=30)
    response = client.post(
        url,
        {
            "service": w.services["ewallet"].pk,
            "percent": "60",
            "starts_on": w.today.isoformat(),
            "deadline": deadline.isoformat(),
        },
    )
    assert response.status_code == 302
    target = Target.objects.get()
    assert (target.commune, target.percent, target.deadline, target.set_by) == (
        w.commune,
        Decimal("60.0"),
        deadline,
        w.commune_official,
    )
    assert "60,0%" in client.get(url).content.decode()
    # A deadline before the start is refused with a message.
    response = client.post(
        url,
        {"service": w.services["ewallet"].pk, "percent": "60", "starts_on": w.today, "deadline": w.today.isoformat()},
    )
    assert response.status_code == 200 and "Hạn phải sau" in response.content.decode()
    # Another commune's official can neither see nor remove it.
    w.login(client, "other_commune_official")
    assert client.get(url).status_code == 404
    assert client.post(reverse("coverage_target_delete", args=[target.pk])).status_code == 404
    w.login(client, "commune_official")
    assert client.post(reverse("coverage_target_delete", args=[target.pk])).status_code == 302
    assert not Target.objects.exists()


@pytest.mark.parametrize(
    ("persona", "page", "status"),
    [
        ("province_official", "province", 200),
        ("superuser", "province", 200),
        ("commune_official", "province", 404),
        ("other_province_official", "province", 404),
        ("province_official", "commune", 200),
        ("commune_official", "commune", 200),
        ("other_commune_official", "commune", 404),
        ("member", "commune", 404),
        ("leader", "commune", 404),
    ],
)
def test_it_scopes_the_target_pages(client, world, persona, page, status):
    world.login(client, persona)
    url = reverse(f"coverage_{page}_targets", args=["92" if page == "province" else "31135"])
    assert client.get(url).status_code == status


def test_a_commune_official_cannot_remove_a_province_target(client, world):
    w = world
    target, _created = target_set(
        province=w.province,
        service=w.services["ewallet"],
        percent=Decimal("50"),
        starts_on=w.today,
        deadline=w.today + timedelta(days=5),
    )
    w.login(client, "commune_official")
    assert client.post(reverse("coverage_target_delete", args=[target.pk])).status_code == 404
    w.login(client, "province_official")
    assert client.post(reverse("coverage_target_delete", args=[target.pk])).status_code == 302
