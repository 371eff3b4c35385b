"""Shared fixtures: personas for permission tests, and a headless Chromium with axe-core."""

import os
import uuid

import pytest

from brukarkraft.roles import Role
from brukarkraft.tests.factories import (
    DEFAULT_PASSWORD,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)

# Playwright's sync API runs an event loop in the test thread; Django must allow
# its ORM calls there for live_server tests.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


# pytest-playwright's fixtures: a test that takes one drives a browser.
BROWSER_FIXTURES = {"page", "context", "new_context", "browser"}


def _drives_a_browser(item) -> bool:
    # A test's own parameter may share a fixture's name (a "page" to visit): that is no browser.
    params = getattr(getattr(item, "callspec", None), "params", {})
    return any(name in BROWSER_FIXTURES and name not in params for name in item.fixturenames)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    """Mark every browser test "browser"; then the longest tests first.

    The mark comes before `-m` selects (tryfirst), so `make test-fast` (-m "not browser")
    leaves out a browser test whose module forgot the mark.

    The longest tests first, so the parallel workers finish together.

    The axe crawl's tests and the multinode run take up to a minute each and the other
    browser and real-worker
    tests seconds; most others take milliseconds. Collected last, the long ones left one
    worker running a crawl while the other had nothing to do. The Makefile hands tests out
    one at a time (--maxschedchunk), so they go to whichever worker is free.
    """

    for item in items:
        if _drives_a_browser(item) and not item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.browser)

    def rank(item) -> int:
        if item.path.name == "test_axe_all_pages.py" or item.get_closest_marker("multinode"):
            return 0
        if item.get_closest_marker("browser") or item.get_closest_marker("worker"):
            return 1
        return 2

    items.sort(key=rank)


@pytest.fixture
def empty_cache(settings):
    """A cache of the test's own, empty at the start, for tests of once-only keys.

    cache.clear() would do, were Redis not shared: it empties the whole Redis database,
    the keys of the other xdist worker's running test included. A key prefix (a fresh
    in-memory cache without Redis) of the test's own keeps the two apart.
    """
    default = settings.CACHES["default"]
    own = f"test-{uuid.uuid4().hex}"
    key = "KEY_PREFIX" if "redis" in default["BACKEND"].lower() else "LOCATION"
    settings.CACHES = {**settings.CACHES, "default": {**default, key: own}}


@pytest.fixture(scope="session", autouse=True)
def _flush_by_delete():
    """On PostgreSQL, empty the tables after a transactional test with DELETE, not TRUNCATE.

    Every browser and real-worker test (transaction=True) ends with a flush of every table.
    TRUNCATE makes new files for each of the ~150 tables, 1-2 seconds a test; DELETE of the
    few rows a test made takes a fraction of that. The result is the same: empty tables,
    sequences left as they were (Django's flush restarts them only on request, and then
    TRUNCATE still does it), but for the content types and permissions post_migrate would
    write again as they were (below). The foreign keys Django makes are deferrable, so the order of
    the DELETEs does not matter inside the flush's transaction.
    """
    from django.db.backends.postgresql.operations import DatabaseOperations

    truncate = DatabaseOperations.sql_flush
    # The flush's post_migrate signal makes the content types and permissions again, one
    # INSERT each (~0.5 s a test): kept, they are there already and it only reads them.
    kept = {"django_content_type", "auth_permission"}

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences or not tables:
            return truncate(
                self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
            )
        # The table names are Django's own, from the database's catalogue, quoted.
        return ["SET CONSTRAINTS ALL DEFERRED;"] + [
            f"DELETE FROM {self.quote_name(table)};"  # noqa: S608
            for table in tables
            if table not in kept
        ]

    DatabaseOperations.sql_flush = sql_flush
    yield
    DatabaseOperations.sql_flush = truncate


@pytest.fixture(autouse=True)
def _eager_celery(settings):
    # Unit tests run tasks inline; tests marked "worker" start a real worker instead.
    settings.CELERY_TASK_ALWAYS_EAGER = True
    from brukarkraft.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


@pytest.fixture(autouse=True)
def _default_language():
    # A request through the test client leaves its language active in the thread; without
    # this, reverse() in the next test would give that language's prefix.
    from django.utils import translation

    translation.activate("sv")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # PBKDF2 at production strength costs ~0.3 s a user; the suite creates hundreds.
    # Tests about hashing itself would override this again.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _no_rate_limits(settings):
    # Every test client is 127.0.0.1 and the counts outlive a test (in the process's cache,
    # or in Redis across workers): one test's POSTs would block the next one's. The tests
    # about rate limits switch them on.
    settings.RATELIMIT_ENABLE = False


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    # A real Celery worker (tests marked "worker") runs in another process, which cannot
    # see an in-memory SQLite database: on SQLite the tests use a file of their own.
    from django.conf import settings

    database = settings.DATABASES["default"]
    test = database.setdefault("TEST", {})
    if database["ENGINE"] == "django.db.backends.sqlite3" and not test.get("NAME"):
        test["NAME"] = str(tmp_path_factory.mktemp("sqlite") / "test.sqlite3")


@pytest.fixture
def password():
    return DEFAULT_PASSWORD


@pytest.fixture
def organisation(db):
    return OrganisationFactory(name="Örebro kommun, arbetsmarknadsenheten")


@pytest.fixture
def other_organisation(db):
    return OrganisationFactory(name="Karlstads kommun, socialtjänsten")


@pytest.fixture
def commissioner(organisation):
    # Cecilia orders audits for her own organisation only.
    user = UserFactory(full_name="Cecilia Beställare", roles=[Role.COMMISSIONER])
    MembershipFactory(user=user, organisation=organisation, is_contact=True)
    return user


@pytest.fixture
def other_commissioner(other_organisation):
    # Olof belongs to another organisation and must see none of Cecilia's things.
    user = UserFactory(full_name="Olof Annanstans", roles=[Role.COMMISSIONER])
    MembershipFactory(user=user, organisation=other_organisation)
    return user


@pytest.fixture
def auditor(db):
    # Astrid is a user auditor: she sees only the audits she is on.
    return UserFactory(full_name="Astrid Revisor", roles=[Role.AUDITOR])


@pytest.fixture
def staff(db):
    # Sara works at the resource centre and sees everything the centre handles.
    return UserFactory(full_name="Sara Personal", roles=[Role.STAFF])


@pytest.fixture
def admin_user(db):
    # Adam administers the portal in Django admin.
    return UserFactory(full_name="Adam Admin", is_staff=True, is_superuser=True)


@pytest.fixture
def outsider(db):
    # Otto has an account but no role: he may reach only public pages and his account.
    return UserFactory(full_name="Otto Utomstående")


@pytest.fixture(scope="module")
def seeded_demo(django_db_setup, django_db_blocker):
    """seed_demo, run once for a whole test module; returns what it printed.

    Seeding takes seconds (it renders PDFs), and most demo tests only read what it made.
    The data lives in a transaction around the module, rolled back after its last test;
    each test runs in a savepoint inside it, so its own changes go as usual. The data stays
    for every later test of the module: use it in a module whose tests all want it.
    """
    from io import StringIO

    from django.core.management import call_command
    from django.db import transaction
    from django.test import override_settings

    from brukarkraft.celery import app
    from brukarkraft.tests.factories import demo_municipalities

    with (
        django_db_blocker.unblock(),
        override_settings(
            DEBUG=True,
            CELERY_TASK_ALWAYS_EAGER=True,
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        ),
        transaction.atomic(),
    ):
        app.conf.task_always_eager = True
        try:
            demo_municipalities()
            output = StringIO()
            call_command("seed_demo", stdout=output)
        finally:
            app.conf.task_always_eager = False
        yield output.getvalue()
        transaction.set_rollback(True)


@pytest.fixture
def seed_demo_again(settings):
    """Run seed_demo once more (over seeded_demo's data); returns what it printed."""
    from io import StringIO

    from django.core.management import call_command

    # The command refuses to run with DEBUG off.
    settings.DEBUG = True

    def seed() -> str:
        output = StringIO()
        call_command("seed_demo", stdout=output)
        return output.getvalue()

    return seed


# --- Browser tests -----------------------------------------------------------


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    # Debian's Chromium, never a downloaded browser; flags keep it off the network.
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
            # A Swedish browser: Swedish pages offer no other language to it.
            "--lang=sv-SE",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # Headless Chromium asks for en-US; every page would offer English (brukarkraft/languages.py).
    return {**browser_context_args, "locale": "sv-SE"}


@pytest.fixture
def axe():
    """Run axe-core on a page and fail with a readable list of WCAG 2.1 AA violations."""
    from axe_playwright_python.sync_playwright import Axe

    engine = Axe()

    def check(page, context: str = "") -> None:
        results = engine.run(
            page,
            options={
                "runOnly": {
                    "type": "tag",
                    "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"],
                },
                # Only the violations are read. Without this axe also gathers and sends back
                # every passing and inapplicable node, most of its time on a long page.
                "resultTypes": ["violations"],
            },
        )
        violations = results.response["violations"]
        details = [
            f"{v['id']} ({v['impact']}): {v['help']} — "
            + "; ".join(node["target"][0] if node["target"] else "?" for node in v["nodes"][:5])
            for v in violations
        ]
        assert not violations, f"axe violations on {context or page.url}:\n" + "\n".join(details)

    return check


@pytest.fixture
def login_in_browser(live_server):
    """Log a user in through the real login form."""

    def do_login(page, user, password=DEFAULT_PASSWORD, language_prefix=""):
        page.goto(f"{live_server.url}{language_prefix}/accounts/login/")
        page.fill("input[name=username]", user.email)
        page.fill("input[name=password]", password)
        page.locator("main button[type=submit]").click()
        page.wait_for_load_state()

    return do_login


# --- Object storage (S3) -----------------------------------------------------------------


@pytest.fixture(scope="session")
def moto_s3_endpoint():
    """moto's S3 server, one per test process, started the first time a test asks for it."""
    from brukarkraft.tests.objectstore import start_server

    server, endpoint = start_server()
    yield endpoint
    server.stop()


@pytest.fixture
def s3_bucket(settings, tmp_path, moto_s3_endpoint):
    """A fresh private bucket as the default storage, for this test only.

    MEDIA_ROOT points at a folder of the test's own, so a test can show that nothing was
    written to the local disk (`s3_bucket.local_files()`). The bucket is emptied and removed
    afterwards.
    """
    from django.core.files.storage import default_storage

    from brukarkraft.tests.objectstore import Bucket, storage_settings

    bucket = Bucket(moto_s3_endpoint, media_root=tmp_path / "media").create()
    settings.MEDIA_ROOT = bucket.media_root
    settings.STORAGES = {
        **settings.STORAGES,
        "default": storage_settings(bucket.endpoint, bucket.name),
    }
    default_storage._setup()
    yield bucket
    bucket.remove()
