from django.urls import path

from . import offline, sync, views

urlpatterns = [
    path("households/<int:pk>/visit/", views.visit_log, name="visit_log"),
    path("visits/<uuid:pk>/edit/", views.visit_edit, name="visit_edit"),
    path("visits/<uuid:pk>/void/", views.visit_void_view, name="visit_void"),
    path("field/app/", offline.field_app, name="field_app"),
    path("field/session/", sync.field_session, name="field_session"),
    path("field/snapshot/", sync.field_snapshot, name="field_snapshot"),
    path("field/sync/", sync.field_sync, name="field_sync"),
    path("sw.js", offline.service_worker, name="service_worker"),
    path("team/", views.roster, name="roster"),
    path("team/new/", views.member_new, name="member_new"),
    path("team/<int:pk>/", views.member_edit, name="member_edit"),
    path("team/<int:pk>/deactivate/", views.member_deactivate_view, name="member_deactivate"),
    path("team/<int:pk>/reactivate/", views.member_reactivate_view, name="member_reactivate"),
    path("team/<int:pk>/login/", views.member_login, name="member_login"),
]
