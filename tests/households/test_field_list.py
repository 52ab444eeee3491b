from datetime import timedelta

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from households.models import Household
from teams.models import Outcome
from teams.visits import Help, visit_record
from tests.households.conftest import many_households

URL = reverse("households:list")


def names(response):
    return [household.head_name for household, _states in response.context["rows"]]


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("member", 200),
        ("leader", 200),
        ("other_member", 200),
        ("commune_official", 404),
        ("province_official", 404),
        ("superuser", 404),
        ("nobody", 404),
    ],
)
def test_it_opens_the_list_to_team_members_only(world, client, persona, status):
    world.login(client, persona)
    assert client.get(URL).status_code == status


def test_it_sends_anonymous_users_to_the_login_page(world, client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_lists_only_the_households_of_the_teams_hamlets(world, client):
    world.login(client, "member")
    response = client.get(URL)
    assert names(response) == ["Đặng Thị Đào", "Nguyễn Văn An"]
    assert "Trần Văn Bình" not in response.content.decode()
    world.login(client, "other_member")
    assert names(client.get(URL)) == ["Trần Văn Bình"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("nguyen van an", ["Nguyễn Văn An"]),
        ("Nguyễn Văn An", ["Nguyễn Văn An"]),
        ("NGUYEN", ["Nguyễn Văn An"]),
        ("  an   nguyen ", ["Nguyễn Văn An"]),
        ("dao", ["Đặng Thị Đào", "Nguyễn Văn An"]),
        ("thi dao", ["Đặng Thị Đào"]),
        ("dang thi", ["Đặng Thị Đào"]),
        ("tran hung dao", ["Nguyễn Văn An"]),
        ("hem 45", ["Đặng Thị Đào"]),
        ("0912 345 678", ["Nguyễn Văn An"]),
        ("+84 912 345 678", ["Nguyễn Văn An"]),
        # A member sees the phone masked: a part of the number finds nothing (no digit-by-digit oracle).
        ("0912 345", []),
        ("345.678", []),
        ("2345", []),
        ("tran van binh", []),
        ("nguyen binh", []),
    ],
)
def test_it_searches_name_address_and_phone_ignoring_accents_and_case(world, client, query, expected):
    world.login(client, "member")
    assert names(client.get(URL, {"q": query})) == expected


@pytest.mark.parametrize("query", ["0912 345", "345.678", "2345"])
def test_it_lets_the_leader_who_sees_phones_search_a_part_of_a_number(world, client, query):
    world.login(client, "leader")
    assert names(client.get(URL, {"q": query})) == ["Nguyễn Văn An"]


def test_it_masks_the_phone_number_in_the_list(world, client):
    world.login(client, "member")
    content = client.get(URL).content.decode()
    assert "0912•••678" in content
    assert "0912345678" not in content


def test_it_says_so_when_nothing_matches(world, client):
    world.login(client, "member")
    response = client.get(URL, {"q": "khong co ai"})
    assert "Không tìm thấy hộ nào" in response.content.decode()
    assert "0 hộ" in response.content.decode()


def test_it_filters_by_hamlet(world, client):
    world.login(client, "member")
    assert names(client.get(URL, {"hamlet": world.hamlet2.pk})) == ["Đặng Thị Đào"]


def test_it_shows_the_filter_chosen_each_time_in_the_language_asked(world, client):
    """The filter fields are remembered once rendered: each choice, language and error still shows as its own."""
    from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field

    from households.forms import HouseholdFilterForm

    world.login(client, "member")

    def selected(response):
        html = response.content.decode()
        return [pk for pk in (world.hamlet.pk, world.hamlet2.pk) if f'<option value="{pk}" selected>' in html]

    for _round in (1, 2):  # the second round is served from what the first remembered
        assert selected(client.get(URL, {"hamlet": world.hamlet2.pk})) == [world.hamlet2.pk]
        assert selected(client.get(URL, {"hamlet": world.hamlet.pk})) == [world.hamlet.pk]
        assert selected(client.get(URL)) == []
        assert "Tất cả ấp/khu vực" in client.get(URL).content.decode()
        # Vietnamese whatever the browser asks; English for a user who chose it on their account.
        assert "Tất cả ấp/khu vực" in client.get(URL, headers={"accept-language": "en"}).content.decode()
        client.post(reverse("set_language"), {"language": "en"})
        assert "All hamlets" in client.get(URL).content.decode()
        client.post(reverse("set_language"), {"language": "vi"})
    # Identical to what crispy renders for the same field.
    response = client.get(URL, {"hamlet": world.hamlet2.pk, "show": "never_visited"})
    form = HouseholdFilterForm(
        {"hamlet": world.hamlet2.pk, "show": "never_visited"},
        hamlets=world.team.hamlets.order_by("name"),
        services=response.context["form"].fields["lacks"].queryset,
    )
    for name in ("hamlet", "show", "lacks"):
        assert str(as_crispy_field(form[name])) in response.content.decode()


def test_it_refuses_a_hamlet_of_another_team_with_a_message(world, client):
    world.login(client, "member")
    response = client.get(URL, {"hamlet": world.hamlet3.pk})
    assert "Hãy chọn một mục trong danh sách" in response.content.decode()
    assert "Trần Văn Bình" not in response.content.decode()


def test_it_filters_never_visited_follow_up_and_lacking_a_service(visited, client):
    w = visited
    w.login(client, "member")
    assert names(client.get(URL, {"show": "never_visited"})) == ["Đặng Thị Đào"]
    assert names(client.get(URL, {"show": "follow_up"})) == ["Nguyễn Văn An"]
    assert names(client.get(URL, {"lacks": "vneid_level2"})) == ["Đặng Thị Đào"]
    assert names(client.get(URL, {"lacks": "ewallet"})) == ["Đặng Thị Đào", "Nguyễn Văn An"]
    assert names(client.get(URL, {"lacks": "vneid_level2", "q": "nguyen"})) == []


def test_it_keeps_moved_away_households_out_unless_asked(world, client):
    Household.objects.filter(pk=world.household2.pk).update(active=False, deactivated_on=world.today)
    world.login(client, "member")
    assert names(client.get(URL)) == ["Nguyễn Văn An"]
    response = client.get(URL, {"show": "moved_away"})
    assert names(response) == ["Đặng Thị Đào"]
    assert "Đã chuyển đi" in response.content.decode()


def test_it_shows_each_households_services_at_a_glance(visited, client):
    visited.login(client, "member")
    response = client.get(URL, {"q": "nguyen van an"})
    content = response.content.decode()
    (_household, states) = response.context["rows"][0]
    kinds = {service.code: kind for service, kind in states}
    assert kinds["vneid_level2"] == "adopted"
    assert kinds["province_app"] == "follow_up"
    assert kinds["ewallet"] == "declined"
    assert kinds["health_record"] == "not_yet"
    assert 'class="chip chip-adopted" title="Kích hoạt định danh điện tử VNeID mức 2: Đã có"' in content
    assert "Lần thăm gần nhất" in content


def test_its_chips_follow_the_language_and_a_renamed_service(visited, client):
    # A chip is built once per process for its service's name, kind and language (household_tags._chip).
    visited.login(client, "member")
    vneid = visited.services["vneid_level2"]
    vneid.name_en = ""  # the same name in both languages: only the state's label differs
    vneid.save()
    chip = 'class="chip chip-adopted" title="{name}: {label}"'
    assert chip.format(name=vneid.name, label="Đã có") in client.get(URL).content.decode()
    client.post(reverse("set_language"), {"language": "en"})
    assert chip.format(name=vneid.name, label="Adopted") in client.get(URL).content.decode()
    client.post(reverse("set_language"), {"language": "vi"})
    vneid.name = "Định danh điện tử mức 2"
    vneid.save()
    content = client.get(URL).content.decode()
    assert chip.format(name="Định danh điện tử mức 2", label="Đã có") in content


def test_it_paginates_with_a_constant_number_of_queries(world, client, django_assert_max_num_queries):
    many_households(world, 60)
    for household in Household.objects.filter(head_name__startswith="Lê Thị Hộ")[:30]:
        visit_record(
            member=world.member_m,
            household=household,
            visited_on=world.today - timedelta(days=1),
            outcomes={world.services["ewallet"]: Help(Outcome.SET_UP, 1)},
        )
    world.login(client, "member")
    client.get(reverse("home"))  # a session's first page reads the account's language, once (config.language)
    with django_assert_max_num_queries(10):
        first = client.get(URL)
    assert len(first.context["rows"]) == 25
    assert "Trang 1 / 3" in first.content.decode()
    with django_assert_max_num_queries(10):
        last = client.get(URL, {"page": 3, "q": "hem 9"})
    assert len(last.context["rows"]) == 10
    assert "?page=2&amp;q=hem+9" in last.content.decode()


@pytest.mark.parametrize(
    ("asked", "shown", "reads"),
    [
        (None, 1, 1),
        ("", 1, 1),
        ("2", 2, 1),
        ("3", 3, 1),
        ("4", 3, 3),
        ("0", 3, 2),
        ("-1", 3, 2),
        ("abc", 1, 1),
        ("2.5", 1, 1),
        ("1000000000000000000", 3, 2),
    ],
)
def test_it_reads_a_page_with_its_total_and_turns_a_page_past_the_end_to_the_last(world, client, asked, shown, reads):
    many_households(world, 60)
    households = Household.objects.filter(hamlet__in=world.team.hamlets.all(), active=True)
    expected = Paginator(households.order_by("search_key", "id"), 25).get_page(asked)
    assert 50 < expected.paginator.count <= 75  # three pages of 25
    world.login(client, "member")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL, {"page": asked} if asked is not None else {})
    page = response.context["page"]
    assert (page.number, page.paginator.count, page.paginator.num_pages) == (shown, expected.paginator.count, 3)
    assert [h.pk for h, _states in response.context["rows"]] == [h.pk for h in expected.object_list]
    assert f"{expected.paginator.count} hộ" in response.content.decode()
    # The rows and their total in one statement. A page past the end also counts, then reads the last
    # page; one below 1 or beyond any list is not looked for.
    assert sum('FROM "households_household"' in query["sql"] for query in queries) == reads


def test_it_counts_nothing_twice_when_nothing_matches(world, client):
    world.login(client, "member")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL, {"q": "không có ai tên này"})
    assert response.context["page"].paginator.count == 0
    assert "0 hộ" in response.content.decode()
    # The page as typed (rows and count in one statement), then the keys read once to forgive a typo.
    assert sum('FROM "households_household"' in query["sql"] for query in queries) == 2


def test_it_has_a_trigram_index_for_search_on_postgresql(db):
    if connection.vendor != "postgresql":
        pytest.skip("the trigram index exists on PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'household_search_key_trgm'")
        (definition,) = cursor.fetchone()
    assert "gin_trgm_ops" in definition


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # Words match from their start: "yen" is not the end of Nguyễn, "an" not the middle of "Văn".
        ("yen", []),
        ("hung", ["Nguyễn Văn An"]),
        # One typo per word is forgiven when nothing matches as typed.
        ("ngyen", ["Nguyễn Văn An"]),
        ("nguyne van", ["Nguyễn Văn An"]),
        ("dnag thi", ["Đặng Thị Đào"]),
        # Short words stay exact; two typos in one word find nothing.
        ("ngyn", []),
    ],
)
def test_it_matches_words_from_their_start_and_forgives_one_typo(world, client, query, expected):
    world.login(client, "member")
    assert names(client.get(URL, {"q": query})) == expected


def test_it_lists_households_found_by_name_before_those_found_by_address(world, client):
    from households.registry import household_register

    for name, address in [("Lê Văn Tư", "Số 3, đường Dương Quảng Hàm"), ("Dương Thị Lan", "Số 9, hẻm 4")]:
        household_register(hamlet=world.hamlet, head_name=name, address=address, registered_on=world.today)
    world.login(client, "member")
    # "duong" starts a word of each (đường in two addresses); the head named Dương comes first.
    assert names(client.get(URL, {"q": "duong"})) == ["Dương Thị Lan", "Lê Văn Tư", "Nguyễn Văn An"]
