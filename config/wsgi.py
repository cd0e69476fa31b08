import os

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# Never serve without a secret key: sessions, CSRF tokens and password resets sign with it.
try:
    getattr(settings, "SECRET_KEY")  # noqa: B009  (Django refuses an empty key on access)
except ImproperlyConfigured:
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY (or DJANGO_SECRET_KEY_FILE) is required to serve the app"
    ) from None
