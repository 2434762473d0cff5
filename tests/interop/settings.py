# Django settings for the interop tests: the app of the seed document
# (label myapp), USE_TZ = True, SQLite. The database file comes from the
# environment, so one project can open several databases.
import os

SECRET_KEY = "folio-interop"
INSTALLED_APPS = ["myapp"]
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("FOLIO_INTEROP_DB", "db.sqlite3"),
    }
}
USE_TZ = True
TIME_ZONE = "UTC"
# Django 3.2's default when a project names none: ids are `integer`.
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
