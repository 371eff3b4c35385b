"""What every test of the report bank needs: stored files (public PDFs, approved reports)
go to a folder of the test's own."""

import pytest


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
