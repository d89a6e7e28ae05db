"""WSGI entry point for gunicorn (``dieuhanh serve``)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dieuhanh.settings")
application = get_wsgi_application()
