"""The benchmark measures every page and file: each URL name has a bench entry or a reason (issue 17)."""

from django.urls import URLResolver, get_resolver

from bench.pages import ACTIONS, ADMIN_SAME_AS_CHANGE, NOT_MEASURED, NOT_MEASURED_MODELS, PAGES

# Entries bench/run.py adds itself (they rotate over households), by URL name.
ROTATING = {"households:list", "visit_log"}


def url_names(resolver=None, namespace=""):
    """Every named route of the URLconf, with its namespace: "households:list", "admin:teams_visit_changelist"…"""
    names = set()
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            names |= url_names(pattern, namespace + (f"{pattern.namespace}:" if pattern.namespace else ""))
        elif pattern.name:
            names.add(namespace + pattern.name)
    return names


def unmeasured(names):
    measured = {page.url_name for page in PAGES} | ROTATING
    missing = []
    for name in sorted(names - measured - set(NOT_MEASURED)):
        base = next((name.removesuffix(s) for s in ADMIN_SAME_AS_CHANGE if name.endswith(s)), None)
        if name.startswith("admin:") and base and f"{base}_change" in measured | set(NOT_MEASURED):
            continue  # add, delete, history: the change page's queries
        if any(name.startswith(f"admin:{model}_") for model in NOT_MEASURED_MODELS):
            continue
        missing.append(name)
    return missing


def test_every_url_name_has_a_bench_entry_or_a_reason():
    names = url_names()
    assert "admin:teams_visit_changelist" in names and "households:list" in names  # the walk sees them all
    missing = unmeasured(names)
    assert not missing, "URL names with no entry in bench/pages.py (add a Page, or a reason in NOT_MEASURED):\n" + (
        "\n".join(missing)
    )


def test_it_fails_for_a_page_nobody_measures():
    assert unmeasured({"coverage_province", "households:brand_new_page", "admin:teams_widget_delete"}) == [
        "admin:teams_widget_delete",
        "households:brand_new_page",
    ]


def test_every_entry_names_a_real_url_and_a_bound():
    names = url_names()
    assert {page.url_name for page in PAGES} <= names
    assert not set(NOT_MEASURED) - names, "stale NOT_MEASURED entries"
    assert all(page.bound for page in PAGES if page.name != "trivial")
    assert len({page.name for page in PAGES}) == len(PAGES)
    assert {a.name for a in ACTIONS} == {"visit_post", "visit_post_late"}
