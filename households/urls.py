from django.urls import path

from . import import_views, views

app_name = "households"
urlpatterns = [
    path("", views.household_list, name="list"),
    path("new/", views.household_new, name="new"),
    path("<int:pk>/", views.household_detail, name="detail"),
    path("<int:pk>/edit/", views.household_edit, name="edit"),
    path("<int:pk>/deactivate/", views.household_deactivate_view, name="deactivate"),
    path("<int:pk>/data/", views.household_data_view, name="data"),
    path("<int:pk>/data.json", views.household_data_export, name="data_export"),
    path("<int:pk>/anonymise/", views.household_anonymise_view, name="anonymise"),
    path("import/", import_views.household_import, name="import"),
    path("import/hamlets/", import_views.hamlet_import, name="hamlet_import"),
    path("import/template.xlsx", import_views.import_template, name="import_template"),
    path("import/register.xlsx", import_views.import_register_export, name="import_register_export"),
    path("import/<uuid:token>/", import_views.import_preview, name="import_preview"),
    path("import/<uuid:token>/columns/", import_views.import_columns, name="import_columns"),
    path("import/<uuid:token>/confirm/", import_views.import_confirm, name="import_confirm"),
]
