"""Every page and file of Gõ Cửa that the benchmark measures, and its bound: the one registry (issue 17, item 7).

A page another branch adds gets its line here: `Page(name, url_name, who, bound, url)`
where `url(units)` builds the address from the seeded units (`bench.run.plan_units`),
or a line in NOT_MEASURED saying why it has none. `tests/bench/test_pages.py`
walks the URL resolver and fails when a URL name has neither.

`who` is the login that asks (bench.run.LOGINS); `bound` the p95 ratio to the
trivial page that the issues set; `kind` "page" or "file"; `status` what a
correct answer is. `url` is called for every request, so it may rotate.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse


@dataclass(frozen=True)
class Page:
    name: str
    url_name: str
    who: str
    bound: float | None
    url: Callable  # units -> path and query
    kind: str = "page"
    status: int = 200
    method: str = "GET"


def _r(url_name, *keys, query=""):
    """A url(units) that reverses `url_name` with the units named by `keys`."""

    def build(units):
        path = reverse(url_name, args=[units.get(k, k) if k in ("xlsx", "csv") else units[k] for k in keys])
        return f"{path}?{query.format(**units)}" if query else path

    return build


def _admin(model, action, key=None, query=""):
    return _r(f"admin:{model}_{action}", *([key] if key else []), query=query)


PAST = "on={as_of_past}"
# The bounds of the first scale issue (province ≤ 5×, commune ≤ 4×, JSON ≤ 3×, field pages ≤ 2×, POST ≤ 3×)
# and of issue 17 (admin ≤ 5×, home pages ≤ 3×, late visit ≤ 5×, files: CSV ≤ 5×, province xlsx ≤ 10×,
# a 2,000-row hamlet xlsx ≤ 100×).
PAGES = [
    Page("trivial", "bench_trivial", "member", None, _r("bench_trivial")),
    # Officials' coverage pages and JSON.
    Page("province_page", "coverage_province", "province", 5, _r("coverage_province", "province")),
    Page("province_page_past", "coverage_province", "province", 5, _r("coverage_province", "province", query=PAST)),
    Page("commune_page", "coverage_commune", "commune", 4, _r("coverage_commune", "commune")),
    Page("commune_page_past", "coverage_commune", "commune", 4, _r("coverage_commune", "commune", query=PAST)),
    Page("hamlet_page", "coverage_hamlet", "commune", 4, _r("coverage_hamlet", "hamlet")),
    # The index of every province is a superuser's: officials get a redirect to their unit (runs before
    # 2026-12-05 measured that redirect, and reported its 302 as errors).
    Page("coverage_index", "coverage", "superuser", 3, _r("coverage")),
    Page("coverage_json", "api_coverage_province", "province", 3, _r("api_coverage_province", "province")),
    Page(
        "coverage_json_past",
        "api_coverage_province",
        "province",
        3,
        _r("api_coverage_province", "province", query=PAST),
    ),
    Page("coverage_json_commune", "api_coverage_commune", "commune", 3, _r("api_coverage_commune", "commune")),
    Page("coverage_json_hamlet", "api_coverage_hamlet", "commune", 3, _r("api_coverage_hamlet", "hamlet")),
    Page("province_targets", "coverage_province_targets", "province", 3, _r("coverage_province_targets", "province")),
    Page("commune_targets", "coverage_commune_targets", "commune", 3, _r("coverage_commune_targets", "commune")),
    # Home pages.
    Page("home_province_official", "home", "province", 3, _r("home")),
    Page("home_commune_official", "home", "commune", 3, _r("home")),
    Page("home_member", "home", "member", 3, _r("home")),
    Page("my_work", "my_work", "member", 3, _r("my_work")),
    # Field pages.
    Page("household_list", "households:list", "member", 2, _r("households:list")),
    Page("household_new", "households:new", "member", 2, _r("households:new")),
    Page("household_detail", "households:detail", "member", 2, _r("households:detail", "household")),
    # Corrections: a visit of the member's team of this month or the last.
    Page("visit_edit", "visit_edit", "member", 2, _r("visit_edit", "member_visit")),
    Page("visit_void", "visit_void", "member", 2, _r("visit_void", "member_visit")),
    Page("household_edit", "households:edit", "member", 2, _r("households:edit", "household")),
    Page("household_deactivate", "households:deactivate", "leader", 2, _r("households:deactivate", "leader_household")),
    Page("household_data", "households:data", "leader", 2, _r("households:data", "leader_household")),
    Page(
        "household_data_json", "households:data_export", "leader", 2, _r("households:data_export", "leader_household")
    ),
    Page("household_anonymise", "households:anonymise", "leader", 2, _r("households:anonymise", "leader_household")),
    Page("roster", "roster", "leader", 2, _r("roster")),
    Page("member_new", "member_new", "leader", 2, _r("member_new")),
    Page("member_edit", "member_edit", "leader", 2, _r("member_edit", "leader_member")),
    Page("password_change", "password_change", "member", 2, _r("password_change")),
    Page("password_change_done", "password_change_done", "member", 2, _r("password_change_done")),
    Page("login_page", "login", "anonymous", 2, _r("login")),
    # Files.
    Page(
        "province_xlsx",
        "coverage_province_export",
        "province",
        10,
        _r("coverage_province_export", "province", "xlsx"),
        "file",
    ),
    Page(
        "province_csv",
        "coverage_province_export",
        "province",
        5,
        _r("coverage_province_export", "province", "csv"),
        "file",
    ),
    Page(
        "commune_xlsx",
        "coverage_commune_export",
        "commune",
        10,
        _r("coverage_commune_export", "commune", "xlsx"),
        "file",
    ),
    Page(
        "commune_csv", "coverage_commune_export", "commune", 5, _r("coverage_commune_export", "commune", "csv"), "file"
    ),
    # The monthly report (issue 18): two rollups (period's end, previous end), the period's visits, idle teams.
    # Bounds set by analogy with the coverage pages, not yet measured at 1M.
    Page("report_commune", "coverage_report_commune", "commune", 5, _r("coverage_report_commune", "commune")),
    Page(
        "report_commune_xlsx",
        "coverage_report_commune_xlsx",
        "commune",
        10,
        _r("coverage_report_commune_xlsx", "commune"),
        "file",
    ),
    Page("report_province", "coverage_report_province", "province", 10, _r("coverage_report_province", "province")),
    Page(
        "report_province_xlsx",
        "coverage_report_province_xlsx",
        "province",
        15,
        _r("coverage_report_province_xlsx", "province"),
        "file",
    ),
    Page(
        "report_province_submitted",
        "coverage_report_province_submitted",
        "province",
        15,
        _r("coverage_report_province_submitted", "province"),
        "file",
    ),
    Page(
        "activity_xlsx",
        "coverage_activity_export",
        "commune",
        10,
        _r("coverage_activity_export", "commune", "xlsx"),
        "file",
    ),
    Page(
        "activity_csv",
        "coverage_activity_export",
        "commune",
        5,
        _r("coverage_activity_export", "commune", "csv"),
        "file",
    ),
    Page(
        "hamlet_xlsx_largest",
        "coverage_hamlet_export",
        "admin",
        100,
        _r("coverage_hamlet_export", "largest_hamlet", "xlsx"),
        "file",
    ),
    Page(
        "hamlet_csv_largest",
        "coverage_hamlet_export",
        "admin",
        5,
        _r("coverage_hamlet_export", "largest_hamlet", "csv"),
        "file",
    ),
    # The admin of a province administrator: lists, object pages, autocomplete.
    Page("admin_index", "admin:index", "admin", 5, _r("admin:index")),
    Page(
        "admin_households",
        "admin:households_household_changelist",
        "admin",
        5,
        _admin("households_household", "changelist"),
    ),
    Page(
        "admin_household_search",
        "admin:households_household_changelist",
        "admin",
        5,
        _admin("households_household", "changelist", query="q=nguyen"),
    ),
    Page(
        "admin_household",
        "admin:households_household_change",
        "admin",
        5,
        _admin("households_household", "change", "household"),
    ),
    Page("admin_household_add", "admin:households_household_add", "admin", 5, _admin("households_household", "add")),
    Page(
        "admin_household_history",
        "admin:households_household_history",
        "admin",
        5,
        _admin("households_household", "history", "household"),
    ),
    Page("admin_visits", "admin:teams_visit_changelist", "admin", 5, _admin("teams_visit", "changelist")),
    Page(
        "admin_visits_commune",
        "admin:teams_visit_changelist",
        "admin",
        5,
        _admin("teams_visit", "changelist", query="commune={commune_pk}"),
    ),
    Page(
        "admin_visits_week",
        "admin:teams_visit_changelist",
        "admin",
        5,
        _admin("teams_visit", "changelist", query="visited_on__gte={week_ago}"),
    ),
    Page("admin_visit", "admin:teams_visit_change", "admin", 5, _admin("teams_visit", "change", "visit")),
    Page("admin_visit_add", "admin:teams_visit_add", "admin", 5, _admin("teams_visit", "add")),
    Page(
        "admin_assistance_list",
        "admin:teams_assistance_changelist",
        "admin",
        5,
        _admin("teams_assistance", "changelist"),
    ),
    Page(
        "admin_assistance",
        "admin:teams_assistance_change",
        "admin",
        5,
        _admin("teams_assistance", "change", "assistance"),
    ),
    Page("admin_adoptions", "admin:teams_adoption_changelist", "admin", 5, _admin("teams_adoption", "changelist")),
    Page("admin_adoption", "admin:teams_adoption_change", "admin", 5, _admin("teams_adoption", "change", "adoption")),
    Page("admin_accesslog", "admin:teams_accesslog_changelist", "admin", 5, _admin("teams_accesslog", "changelist")),
    Page("admin_teams", "admin:teams_team_changelist", "admin", 5, _admin("teams_team", "changelist")),
    Page("admin_team", "admin:teams_team_change", "admin", 5, _admin("teams_team", "change", "team")),
    Page("admin_members", "admin:teams_member_changelist", "admin", 5, _admin("teams_member", "changelist")),
    Page("admin_member", "admin:teams_member_change", "admin", 5, _admin("teams_member", "change", "leader_member")),
    Page("admin_officials", "admin:teams_official_changelist", "admin", 5, _admin("teams_official", "changelist")),
    Page("admin_services", "admin:teams_service_changelist", "admin", 5, _admin("teams_service", "changelist")),
    Page("admin_hamlets", "admin:households_hamlet_changelist", "admin", 5, _admin("households_hamlet", "changelist")),
    Page(
        "admin_hamlet",
        "admin:households_hamlet_change",
        "admin",
        5,
        _admin("households_hamlet", "change", "largest_hamlet"),
    ),
    Page(
        "admin_communes", "admin:households_commune_changelist", "admin", 5, _admin("households_commune", "changelist")
    ),
    Page(
        "admin_commune",
        "admin:households_commune_change",
        "admin",
        5,
        _admin("households_commune", "change", "commune_pk"),
    ),
    Page(
        "admin_provinces",
        "admin:households_province_changelist",
        "admin",
        5,
        _admin("households_province", "changelist"),
    ),
    Page("admin_targets", "admin:coverage_target_changelist", "admin", 5, _admin("coverage_target", "changelist")),
    Page(
        "admin_province",
        "admin:households_province_change",
        "admin",
        5,
        _admin("households_province", "change", "province_pk"),
    ),
    Page("admin_official", "admin:teams_official_change", "admin", 5, _admin("teams_official", "change", "official")),
    Page("admin_service", "admin:teams_service_change", "admin", 5, _admin("teams_service", "change", "service")),
    Page("admin_user", "admin:auth_user_change", "admin", 5, _admin("auth_user", "change", "member_user")),
    Page("admin_users", "admin:auth_user_changelist", "admin", 5, _admin("auth_user", "changelist")),
    # Officials' households and a hamlet's follow-up list (issue 18).
    Page("official_households", "coverage_households", "commune", 4, _r("coverage_households")),
    Page("hamlet_follow_up", "coverage_hamlet_follow_up", "commune", 4, _r("coverage_hamlet_follow_up", "hamlet")),
    # The field app offline (issue 16): its shell, service worker, CSRF/session probe and the team's snapshot.
    Page("field_app", "field_app", "member", 2, _r("field_app")),
    Page("service_worker", "service_worker", "member", 2, _r("service_worker")),
    Page("field_session", "field_session", "member", 2, _r("field_session")),
    Page("field_snapshot", "field_snapshot", "member", 10, _r("field_snapshot"), "file"),
    # Imports (issue 15): the upload forms and the files; the preview and the import itself need an
    # uploaded file and are measured at 20,000 rows by bench/imports.py (make bench-import).
    Page("household_import", "households:import", "commune", 2, _r("households:import")),
    Page("hamlet_import", "households:hamlet_import", "commune", 2, _r("households:hamlet_import")),
    Page("import_template", "households:import_template", "commune", 5, _r("households:import_template"), "file"),
    Page(
        "import_register_export",
        "households:import_register_export",
        "commune",
        100,
        _r("households:import_register_export"),
        "file",
    ),
    Page(
        "admin_autocomplete_household",
        "admin:autocomplete",
        "admin",
        5,
        _r("admin:autocomplete", query="term=nguyen&app_label=teams&model_name=visit&field_name=household"),
    ),
]

# URL names with no entry, and why. Admin pages not listed above run the queries of a listed one
# (delete confirmation and history: the change page's object; the version page: the history's).
NOT_MEASURED = {
    "logout": "POST only; ends the session",
    "set_language": "POST only; sets a cookie, reads no data",
    "member_deactivate": "POST only; a write of one member row (the visit POST is the write that grows with data)",
    "member_reactivate": "POST only; as member_deactivate",
    "coverage_target_delete": "POST only; deletes one target row",
    "coverage_report_commune_submit": "POST only; stores the report the report_commune page computes, once a month",
    "field_sync": "POST only; stores one queued visit through visit_record, the write visit_post measures",
    "coverage_report_convention": "POST only; one row per province",
    "coverage_report_submitted": "reads one stored report (JSON); its rendering is report_commune's",
    "coverage_report_submitted_xlsx": "one stored report as report_commune_xlsx writes it",
    "member_login": "a login form for a member without one: the seed's bench teams all have logins; as member_new",
    "admin:logout": "POST only; ends the session",
    "admin:login": "the admin's login form, the same as login_page",
    "admin:password_change": "the same view as password_change",
    "admin:password_change_done": "the same view as password_change_done",
    "admin:jsi18n": "a static catalogue of the admin's JavaScript strings",
    "admin:view_on_site": "a redirect to the object's own page",
    "admin:app_list": "the index filtered to one app, as admin_index",
    "admin:auth_user_password_change": "a form on one user row, as admin_user",
    "admin:coverage_target_change": "one row by id (the seed sets no targets), as admin_official",
    "households:import_preview": "needs an uploaded file: bench/imports.py measures it at 20,000 rows",
    "households:import_columns": "needs an uploaded file: bench/imports.py measures the column mapping with it",
    "households:import_confirm": "needs an uploaded file: bench/imports.py measures the import at 20,000 rows",
    "admin:teams_accesslog_change": "one read-only row by id (the seed writes no log), as admin_official",
}
# Admin models of the whole country, superusers only (teams.admin_scope.register_superuser_only): a few rows.
NOT_MEASURED_MODELS = {
    "households_importrecord": "one row per import (a few per commune and month), read-only audit",
    "auth_group": "permission groups: a handful of rows, superusers only",
    "axes_accessattempt": "django-axes' failed logins: superusers only, kept short by axes' own reset",
    "axes_accessfailurelog": "django-axes' failure log: superusers only",
    "axes_accesslog": "django-axes' login log: superusers only",
}
# The admin's per-model pages beyond the list and the change page read what those read.
ADMIN_SAME_AS_CHANGE = ("_simple_history", "_add", "_delete", "_history")


@dataclass(frozen=True)
class Action:
    """A write measured with its bound: a visit POST (dated today, or days back as an offline phone sends it)."""

    name: str
    bound: float
    days_back: int


ACTIONS = [Action("visit_post", 3, 0), Action("visit_post_late", 5, 300)]
