import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# What is loaded by now lives as long as the process: keep it out of the garbage collector's
# full passes, which otherwise walk every module, model, view and template object and stall whichever
# request sets them off (a pause of 30 ms, seen as the pages' slowest 5 %). The views, templates and
# translations come on the first requests unless built now (config.warmup).
from config.warmup import warm_up  # noqa: E402 - needs the settings that get_wsgi_application set up

warm_up()
gc.collect()
gc.freeze()
