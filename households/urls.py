from django.urls import path

from . import views

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
]
