"""bench/snapshot.py measures what it says: the whole team list, then only what changed since yesterday."""

import pytest

from bench.snapshot import measure

pytestmark = pytest.mark.django_db


def test_the_snapshot_bench_sends_the_whole_list_then_the_ten_changed_households():
    result = measure(40)
    assert result["households"] == 40
    assert result["changes_rows"] == 10  # the households edited after yesterday's cursor, not the 40
    assert result["changes_gzip_bytes"] < result["full_gzip_bytes"] < result["full_raw_bytes"]
    assert result["full_seconds_at_400_kbps"] == round(result["full_gzip_bytes"] * 8 / 400_000, 2)
