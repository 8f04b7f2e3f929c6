import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qms.settings.local")
# Downloads are streamed from sync iterators: serve them through WSGI (gunicorn), not ASGI.
application = get_asgi_application()
