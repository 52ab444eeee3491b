from django.urls import path  # noqa: F401  (field pages are added here)

app_name = "households"
urlpatterns = []
