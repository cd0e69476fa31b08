import pytest

from tests.reports.conftest import example  # noqa: F401  the award of the SF-425 worked example


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Attachments go to a folder of this test's own, through the default storage."""
    location = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(location)},
        },
    }
    return location


def stored_files(location) -> list:
    return sorted(p for p in location.rglob("*") if p.is_file()) if location.exists() else []
