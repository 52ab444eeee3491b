"""Coverage pages, their exports, targets and the JSON API (mounted at the site root)."""

from django.urls import path, re_path

from . import coverage_api as api
from . import coverage_views as views

EXPORT = r"export\.(?P<fmt>xlsx|csv)$"

urlpatterns = [
    path("coverage/", views.coverage_index, name="coverage"),
    path("coverage/province/<str:code>/", views.province_page, name="coverage_province"),
    re_path(rf"^coverage/province/(?P<code>\d+)/{EXPORT}", views.province_export, name="coverage_province_export"),
    path("coverage/province/<str:code>/targets/", views.province_targets, name="coverage_province_targets"),
    path("coverage/commune/<str:code>/", views.commune_page, name="coverage_commune"),
    re_path(rf"^coverage/commune/(?P<code>\d+)/{EXPORT}", views.commune_export, name="coverage_commune_export"),
    re_path(
        r"^coverage/commune/(?P<code>\d+)/activity\.(?P<fmt>xlsx|csv)$",
        views.activity_export,
        name="coverage_activity_export",
    ),
    path("coverage/commune/<str:code>/targets/", views.commune_targets, name="coverage_commune_targets"),
    path("coverage/hamlet/<int:pk>/", views.hamlet_page, name="coverage_hamlet"),
    re_path(rf"^coverage/hamlet/(?P<pk>\d+)/{EXPORT}", views.hamlet_export, name="coverage_hamlet_export"),
    path("coverage/targets/<int:pk>/delete/", views.target_delete, name="coverage_target_delete"),
    path("api/coverage/province/<str:code>/", api.province_api, name="api_coverage_province"),
    path("api/coverage/commune/<str:code>/", api.commune_api, name="api_coverage_commune"),
    path("api/coverage/hamlet/<int:pk>/", api.hamlet_api, name="api_coverage_hamlet"),
]
