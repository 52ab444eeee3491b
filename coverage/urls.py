"""Home, my work, the coverage pages, their exports, targets and the JSON API (mounted at the site root)."""

from django.urls import path, re_path, register_converter

from . import api, home_views, households_views, report_views, views


class GsoCode:
    """A GSO unit code: 2 digits for a province, 5 for a commune. Anything else is a 404."""

    regex = "[0-9]{1,5}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(GsoCode, "gso")

EXPORT = r"export\.(?P<fmt>xlsx|csv)$"

urlpatterns = [
    path("", home_views.home, name="home"),
    path("my-work/", home_views.my_work, name="my_work"),
    path("coverage/", views.coverage_index, name="coverage"),
    path("coverage/province/<gso:code>/", views.province_page, name="coverage_province"),
    re_path(rf"^coverage/province/(?P<code>\d+)/{EXPORT}", views.province_export, name="coverage_province_export"),
    path("coverage/province/<gso:code>/targets/", views.province_targets, name="coverage_province_targets"),
    path("coverage/commune/<gso:code>/", views.commune_page, name="coverage_commune"),
    re_path(rf"^coverage/commune/(?P<code>\d+)/{EXPORT}", views.commune_export, name="coverage_commune_export"),
    re_path(
        r"^coverage/commune/(?P<code>\d+)/activity\.(?P<fmt>xlsx|csv)$",
        views.activity_export,
        name="coverage_activity_export",
    ),
    path("coverage/commune/<gso:code>/targets/", views.commune_targets, name="coverage_commune_targets"),
    path("coverage/hamlet/<int:pk>/", views.hamlet_page, name="coverage_hamlet"),
    re_path(rf"^coverage/hamlet/(?P<pk>\d+)/{EXPORT}", views.hamlet_export, name="coverage_hamlet_export"),
    path("coverage/commune/<gso:code>/report/", report_views.commune_report, name="coverage_report_commune"),
    path(
        "coverage/commune/<gso:code>/report/submit/",
        report_views.commune_report_submit,
        name="coverage_report_commune_submit",
    ),
    path(
        "coverage/commune/<gso:code>/report.xlsx", report_views.commune_report_xlsx, name="coverage_report_commune_xlsx"
    ),
    path("coverage/reports/<int:pk>/", report_views.submitted_report, name="coverage_report_submitted"),
    path("coverage/reports/<int:pk>.xlsx", report_views.submitted_report_xlsx, name="coverage_report_submitted_xlsx"),
    path("coverage/province/<gso:code>/report/", report_views.province_report, name="coverage_report_province"),
    path(
        "coverage/province/<gso:code>/report.xlsx",
        report_views.province_report_xlsx,
        name="coverage_report_province_xlsx",
    ),
    path(
        "coverage/province/<gso:code>/report/submitted.xlsx",
        report_views.province_submitted_xlsx,
        name="coverage_report_province_submitted",
    ),
    path(
        "coverage/province/<gso:code>/report/periods/",
        report_views.province_convention,
        name="coverage_report_convention",
    ),
    path("coverage/hamlet/<int:pk>/follow-up/", households_views.hamlet_follow_up, name="coverage_hamlet_follow_up"),
    path("coverage/households/", households_views.households_page, name="coverage_households"),
    path("coverage/targets/<int:pk>/delete/", views.target_delete, name="coverage_target_delete"),
    path("api/coverage/province/<gso:code>/", api.province_api, name="api_coverage_province"),
    path("api/coverage/commune/<gso:code>/", api.commune_api, name="api_coverage_commune"),
    path("api/coverage/hamlet/<int:pk>/", api.hamlet_api, name="api_coverage_hamlet"),
]
