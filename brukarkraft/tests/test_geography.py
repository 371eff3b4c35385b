"""The counties and municipalities migration: all of Sweden, with SCB's codes."""

import importlib

import pytest
from django.apps import apps

from brukarkraft.models import County, Municipality

pytestmark = pytest.mark.django_db

migration = importlib.import_module("brukarkraft.migrations.0002_counties_municipalities")


@pytest.fixture
def empty_geography():
    # Transactional tests elsewhere may have flushed what the migration loaded; start clean
    # so the test proves what the migration itself does.
    Municipality.objects.all().delete()
    County.objects.all().delete()


def test_the_migration_loads_21_counties_and_290_municipalities(empty_geography):
    migration.load_geography(apps, None)

    assert County.objects.count() == 21
    assert Municipality.objects.count() == 290
    orebro = Municipality.objects.select_related("county").get(code="1880")
    assert (orebro.name, orebro.county.code, orebro.county.letter) == ("Örebro", "18", "T")
    assert Municipality.objects.get(code="0180").name == "Stockholm"
    assert Municipality.objects.get(code="2584").name == "Kiruna"
    assert County.objects.get(code="14").name == "Västra Götalands län"


def test_every_county_has_municipalities_whose_codes_start_with_its_code(empty_geography):
    migration.load_geography(apps, None)

    for county in County.objects.prefetch_related("municipalities"):
        codes = [m.code for m in county.municipalities.all()]
        assert codes, county
        assert all(code.startswith(county.code) for code in codes)
    assert County.objects.get(code="01").municipalities.count() == 26
    assert County.objects.get(code="14").municipalities.count() == 49


def test_running_the_migration_again_corrects_names_and_adds_nothing(empty_geography):
    migration.load_geography(apps, None)
    Municipality.objects.filter(code="1880").update(name="Orebro (wrong)")

    migration.load_geography(apps, None)

    assert Municipality.objects.count() == 290
    assert Municipality.objects.get(code="1880").name == "Örebro"
