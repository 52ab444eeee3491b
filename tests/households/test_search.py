import pytest

from households.lookup import SEARCH_ORDER, households_search
from households.models import Household
from households.registry import household_register


@pytest.fixture
def streets(world):
    """Two more households where "duong" is a head's name and a street (đường Dương Quảng Hàm)."""
    for name, address in [("Lê Văn Tư", "Số 3, đường Dương Quảng Hàm"), ("Dương Thị Lan", "Số 9, hẻm 4")]:
        household_register(hamlet=world.hamlet, head_name=name, address=address, registered_on=world.today)
    return world


def found(query, *, sees_phones):
    households = households_search(Household.objects.all(), query, sees_phones=sees_phones)
    return [(h.head_name, h.search_rank) for h in households.order_by(*SEARCH_ORDER)]


@pytest.mark.parametrize("sees_phones", [False, True])
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("van tran", [("Trần Văn Bình", 0), ("Nguyễn Văn An", 1)]),
        ("duong", [("Dương Thị Lan", 0), ("Lê Văn Tư", 1), ("Nguyễn Văn An", 1)]),
        ("duong quang", [("Lê Văn Tư", 2)]),
        ("so 3 duong", [("Lê Văn Tư", 3)]),
        ("thi", [("Đặng Thị Đào", 0), ("Dương Thị Lan", 0), ("Lâm Thị Cúc", 0)]),
        ("van tu le", [("Lê Văn Tư", 0)]),
        ("hem 4", [("Đặng Thị Đào", 2), ("Dương Thị Lan", 2)]),
    ],
)
def test_it_ranks_each_word_found_only_in_the_address_one_more(streets, query, expected, sees_phones):
    assert found(query, sees_phones=sees_phones) == expected


def test_it_finds_phone_digits_among_words_only_for_those_who_see_phones(world):
    assert found("an 0912", sees_phones=True) == [("Nguyễn Văn An", 1)]
    assert found("an 0912", sees_phones=False) == []


def test_it_takes_a_bar_alone_for_no_word_where_phones_are_masked(world):
    everybody = sorted(Household.objects.values_list("head_name", flat=True))
    assert sorted(name for name, rank in found("|", sees_phones=False) if rank == 0) == everybody
    # Where phones are seen it is a word: every key has " | ", never in the name.
    assert sorted(name for name, rank in found("|", sees_phones=True) if rank == 1) == everybody


@pytest.mark.parametrize("sees_phones", [False, True])
def test_it_searches_in_a_subquery_and_a_count(world, sees_phones):
    matching = households_search(Household.objects.all(), "van tran", sees_phones=sees_phones)
    assert matching.count() == 2
    inner = Household.objects.filter(pk__in=matching.values("pk"))
    assert set(inner.values_list("head_name", flat=True)) == {"Trần Văn Bình", "Nguyễn Văn An"}


@pytest.mark.parametrize("sees_phones", [False, True])
def test_it_takes_the_wildcards_of_like_typed_as_characters(world, sees_phones):
    household_register(
        hamlet=world.hamlet, head_name="Hồ Văn Tâm", address="Kiốt A_1, chợ Mới", registered_on=world.today
    )
    assert found("a_1", sees_phones=sees_phones) == [("Hồ Văn Tâm", 1)]
    assert found("ng_yen", sees_phones=sees_phones) == []
    assert found("ng%", sees_phones=sees_phones) == []
    assert found("tam ki%", sees_phones=sees_phones) == []
