"""The benchmark's URLconf (bench.settings): the production URLs, and the yardstick at /bench/trivial/.

Production (config.urls) has no /bench/: the yardstick is served only by a
server started with bench.settings, as bench/run.py starts it.
"""

from django.urls import path

from config.urls import urlpatterns as production_urlpatterns

from . import views

urlpatterns = [
    *production_urlpatterns,
    path("bench/trivial/", views.trivial, name="bench_trivial"),
]
