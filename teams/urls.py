from django.urls import path

from . import views

urlpatterns = [
    path("households/<int:pk>/visit/", views.visit_log, name="visit_log"),
    path("team/", views.roster, name="roster"),
    path("team/new/", views.member_new, name="member_new"),
    path("team/<int:pk>/", views.member_edit, name="member_edit"),
    path("team/<int:pk>/deactivate/", views.member_deactivate_view, name="member_deactivate"),
    path("team/<int:pk>/reactivate/", views.member_reactivate_view, name="member_reactivate"),
    path("team/<int:pk>/login/", views.member_login, name="member_login"),
]
