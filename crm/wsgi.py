import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings")
application = get_wsgi_application()

# Everything loaded so far (Django, the CRM, its translations) lives as long as the process:
# keep it out of the cyclic garbage collector's full passes, which would otherwise walk it all
# and pause a request for 60–80 ms now and then (docs/performance.md). With gunicorn's
# --preload this runs once before the workers fork, so they also share these pages of memory.
gc.freeze()
