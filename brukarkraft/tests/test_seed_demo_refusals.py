"""seed_demo refuses to run where it must not, and then writes nothing.

Apart from test_seed_demo.py, whose tests share one seeded database: these need an empty one.
"""

import pytest
from django.core.management import CommandError, call_command

from brukarkraft.models import Municipality, Organisation, User
from brukarkraft.tests.factories import demo_municipalities

pytestmark = pytest.mark.django_db


def test_it_refuses_to_run_with_debug_off(settings):
    demo_municipalities()
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo")

    assert not User.objects.exists()
    assert not Organisation.objects.exists()


def test_it_asks_for_migrate_when_the_municipalities_are_missing(settings):
    settings.DEBUG = True
    Municipality.objects.all().delete()

    with pytest.raises(CommandError, match="migrate"):
        call_command("seed_demo")

    assert not Organisation.objects.exists()
    assert not User.objects.exists()
