"""Two-step login (django-otp) for staff and admin, and the short staff session."""

import re
import time
from base64 import b32decode
from datetime import timedelta
from urllib.parse import quote

import pytest
from django.contrib.auth import SESSION_KEY
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import ngettext
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from brukarkraft.middleware import LAST_ACTIVITY_KEY
from brukarkraft.roles import Role
from brukarkraft.tests.factories import UserFactory
from brukarkraft.twofactor import backup_codes_replace

pytestmark = pytest.mark.django_db

SETUP = "/accounts/two-factor/"
VERIFY = "/accounts/two-factor/verify/"
BACKUP = "/accounts/two-factor/backup-codes/"
EN_SETUP = "/en/accounts/two-factor/"
EN_VERIFY = "/en/accounts/two-factor/verify/"


@pytest.fixture
def required(settings):
    # Tests run with DEBUG on, where two-step login is off for the demo.
    settings.TWO_FACTOR_REQUIRED = True


def code_for(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    """What the person's authenticator app shows now (or a step later)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def confirmed_device(user) -> TOTPDevice:
    device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    backup_codes_replace(user=user)
    return device


def backup_codes_of(user) -> list[str]:
    return list(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))


def is_verified(client) -> bool:
    return DEVICE_ID_SESSION_KEY in client.session


def end_throttle(device) -> None:
    # Stands in for waiting out django-otp's pause after a wrong code.
    type(device).objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=timezone.now() - timedelta(hours=1)
    )


# --- Who is asked ----------------------------------------------------------------------


def test_staff_without_an_app_is_sent_to_set_it_up_and_then_back(client, staff, required):
    client.force_login(staff)

    response = client.get("/start/staff/?tab=1")

    assert response.status_code == 302
    assert response["Location"] == f"{SETUP}?next={quote('/start/staff/?tab=1', safe='')}"


def test_staff_with_an_app_is_asked_for_a_code(client, staff, required):
    confirmed_device(staff)
    client.force_login(staff)

    response = client.get("/audits/")

    assert response.status_code == 302
    assert response["Location"] == f"{VERIFY}?next=%2Faudits%2F"


def test_the_redirect_keeps_the_language_of_the_page(client, staff, required):
    client.force_login(staff)

    response = client.get("/nb/start/staff/")

    assert response["Location"].startswith("/nb/accounts/two-factor/?next=")


def test_admin_pages_are_covered_too(client, admin_user, required):
    client.force_login(admin_user)

    response = client.get("/admin/")

    assert response.status_code == 302
    assert response["Location"].startswith(f"{SETUP}?next=%2Fadmin%2F")


def test_the_admin_flag_alone_is_enough_to_be_asked(client, required):
    # No portal role, but may use Django admin.
    person = UserFactory(is_staff=True)
    client.force_login(person)

    assert client.get("/start/").status_code == 302


def test_an_admin_role_without_the_flags_is_asked(client, required):
    person = UserFactory(roles=[Role.ADMIN])
    client.force_login(person)

    assert client.get("/start/").status_code == 302


@pytest.mark.parametrize("persona", ["commissioner", "auditor", "outsider"])
def test_other_people_are_never_asked(request, client, persona, required):
    client.force_login(request.getfixturevalue(persona))

    response = client.get(reverse("profile"))

    assert response.status_code == 200
    assert "two-factor" not in response.content.decode()


@pytest.mark.parametrize("persona", ["commissioner", "auditor", "outsider"])
def test_other_people_cannot_open_the_pages(request, client, persona):
    client.force_login(request.getfixturevalue(persona))

    assert client.get(SETUP).status_code == 403
    assert client.get(VERIFY).status_code == 403
    assert client.get(BACKUP).status_code == 403
    assert not TOTPDevice.objects.exists()


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(SETUP)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_with_the_setting_off_staff_are_never_redirected(client, staff, admin_user, settings):
    settings.TWO_FACTOR_REQUIRED = False
    confirmed_device(staff)
    client.force_login(staff)
    assert client.get("/start/staff/").status_code == 200

    client.force_login(admin_user)
    assert client.get("/admin/").status_code == 200


def test_a_verified_session_goes_everywhere(client, admin_user, required):
    device = confirmed_device(admin_user)
    client.force_login(admin_user)
    client.post(VERIFY, {"code": code_for(device)})

    assert client.get("/start/staff/").status_code == 200
    assert client.get("/admin/").status_code == 200


def test_an_unverified_staff_member_may_still_log_out_and_switch_language(client, staff, required):
    client.force_login(staff)

    assert client.get("/healthz").status_code == 200
    switched = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert switched.status_code == 302
    assert switched["Location"] == "/en/"
    logged_out = client.post(reverse("logout"))
    assert logged_out.status_code == 302
    assert SESSION_KEY not in client.session


def test_an_unknown_address_still_gets_its_404(client, staff, required):
    client.force_login(staff)

    assert client.get("/no-such-page/").status_code == 404


def test_after_a_post_the_next_address_is_the_page_not_the_post(client, staff, required):
    client.force_login(staff)

    response = client.post("/feedback/inbox/?status=new", {})

    assert response["Location"] == f"{SETUP}?next=%2Ffeedback%2Finbox%2F"


# --- Setting up ------------------------------------------------------------------------


def test_the_setup_page_shows_a_qr_code_and_the_key_as_text(client, staff, required):
    client.force_login(staff)

    html = client.get(EN_SETUP).content.decode()

    device = TOTPDevice.objects.get(user=staff)
    assert not device.confirmed
    assert re.search(r'<svg role="img"[^>]*><title>QR code to add Brukarkraft', html)
    assert "style=" not in html
    key = re.search(r"<code[^>]*data-secret-key>([A-Z2-7 ]+)</code>", html).group(1)
    assert b32decode(key.replace(" ", "")) == device.bin_key
    assert "Time-based" in html
    assert 'autocomplete="one-time-code"' in html


def test_reloading_the_setup_page_keeps_the_same_key(client, staff, required):
    client.force_login(staff)
    client.get(SETUP)
    client.get(SETUP)

    assert TOTPDevice.objects.filter(user=staff).count() == 1


def test_the_right_code_turns_it_on_and_shows_ten_backup_codes_once(client, staff, required):
    client.force_login(staff)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=staff)

    response = client.post(SETUP, {"code": code_for(device), "next": "/start/staff/"})

    assert response.status_code == 302
    assert response["Location"] == f"{BACKUP}?next=%2Fstart%2Fstaff%2F"
    device.refresh_from_db()
    assert device.confirmed
    assert is_verified(client)
    page = client.get(response["Location"])
    shown = page.context["codes"]
    assert len(shown) == 10
    assert sorted(shown) == sorted(backup_codes_of(staff))
    assert all(code in page.content.decode() for code in shown)
    assert 'href="/start/staff/"' in page.content.decode()
    again = client.get(BACKUP)
    assert again.context["codes"] is None
    assert not any(code in again.content.decode() for code in shown)
    assert client.get("/start/staff/").status_code == 200


def test_a_wrong_code_changes_nothing_and_says_so_linked_to_the_field(client, staff, required):
    client.force_login(staff)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=staff)
    wrong = f"{(int(code_for(device)) + 1) % 1_000_000:06d}"

    response = client.post(EN_SETUP, {"code": wrong})

    html = response.content.decode()
    assert response.status_code == 200
    assert '<a href="#id_code">' in html
    assert "That code is not right." in html
    device.refresh_from_db()
    assert not device.confirmed
    assert not is_verified(client)
    assert not StaticDevice.objects.exists()
    assert client.get("/start/staff/").status_code == 302


def test_a_code_that_is_not_six_digits_is_refused_before_checking(client, staff, required):
    client.force_login(staff)

    response = client.post(EN_SETUP, {"code": "12ab"})

    assert "Type the 6 digits the app shows." in response.content.decode()
    assert TOTPDevice.objects.get(user=staff).throttling_failure_count == 0


def test_setup_after_a_wrong_code_is_paused_even_for_the_right_code(client, staff, required):
    client.force_login(staff)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=staff)
    client.post(SETUP, {"code": "000000" if code_for(device) != "000000" else "111111"})

    response = client.post(EN_SETUP, {"code": code_for(device)})

    assert "You typed a wrong code too many times. Wait" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    end_throttle(device)
    assert client.post(SETUP, {"code": code_for(device)}).status_code == 302


def test_moving_to_a_new_phone_needs_the_current_code_first(client, staff, required):
    old = confirmed_device(staff)
    client.force_login(staff)

    response = client.get(SETUP)

    assert response.status_code == 302
    assert response["Location"].startswith(VERIFY)
    assert list(TOTPDevice.objects.filter(user=staff)) == [old]


def test_moving_to_a_new_phone_replaces_the_app_and_the_backup_codes(client, staff, required):
    old = confirmed_device(staff)
    old_codes = backup_codes_of(staff)
    client.force_login(staff)
    client.post(VERIFY, {"code": code_for(old)})

    client.get(SETUP)
    new = TOTPDevice.objects.get(user=staff, confirmed=False)
    response = client.post(SETUP, {"code": code_for(new)})

    assert response.status_code == 302
    assert list(TOTPDevice.objects.filter(user=staff)) == [new]
    assert set(backup_codes_of(staff)).isdisjoint(old_codes)
    assert client.get("/start/staff/").status_code == 200


def test_unsafe_next_addresses_are_dropped(client, staff, required):
    client.force_login(staff)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=staff)

    response = client.post(SETUP, {"code": code_for(device), "next": "https://evil.example/"})

    assert response["Location"] == BACKUP
    assert 'href="/start/"' in client.get(BACKUP).content.decode()


def test_staff_may_set_it_up_voluntarily_with_the_setting_off(client, staff, settings):
    settings.TWO_FACTOR_REQUIRED = False
    client.force_login(staff)

    assert client.get(SETUP).status_code == 200
    device = TOTPDevice.objects.get(user=staff)
    assert client.post(SETUP, {"code": code_for(device)}).status_code == 302


# --- Logging in with a code -------------------------------------------------------------


def test_the_right_code_lets_staff_in_and_goes_to_next(client, staff, required):
    device = confirmed_device(staff)
    client.force_login(staff)

    response = client.post(VERIFY, {"code": code_for(device), "next": "/audits/"})

    assert response.status_code == 302
    assert response["Location"] == "/audits/"
    assert is_verified(client)


def test_a_code_with_a_space_is_accepted(client, staff, required):
    device = confirmed_device(staff)
    client.force_login(staff)
    code = code_for(device)

    client.post(VERIFY, {"code": f"{code[:3]} {code[3:]}"})

    assert is_verified(client)


def test_a_wrong_code_at_login_is_refused_linked_to_the_field(client, staff, required):
    confirmed_device(staff)
    client.force_login(staff)

    response = client.post(EN_VERIFY, {"code": "12345"})

    html = response.content.decode()
    assert response.status_code == 200
    assert '<a href="#id_code">' in html
    assert "That code is not right." in html
    assert not is_verified(client)


def test_an_empty_code_is_asked_for(client, staff, required):
    confirmed_device(staff)
    client.force_login(staff)

    response = client.post(EN_VERIFY, {"code": ""})

    assert '<a href="#id_code">' in response.content.decode()
    assert not is_verified(client)


def test_a_used_code_cannot_be_used_again(client, staff, required):
    device = confirmed_device(staff)
    client.force_login(staff)
    code = code_for(device)
    client.post(VERIFY, {"code": code})
    client.logout()
    client.force_login(staff)

    client.post(VERIFY, {"code": code})

    assert not is_verified(client)


def test_repeated_wrong_codes_pause_the_app_with_a_clear_message(client, staff, required):
    device = confirmed_device(staff)
    client.force_login(staff)
    for _ in range(3):
        client.post(VERIFY, {"code": "000000" if code_for(device) != "000000" else "111111"})
        end_throttle(device)
    client.post(VERIFY, {"code": "000000" if code_for(device) != "000000" else "111111"})

    response = client.post(EN_VERIFY, {"code": code_for(device)})

    html = response.content.decode()
    # Four failures: django-otp waits 2**3 = 8 seconds before it checks a code again.
    assert re.search(r"You typed a wrong code too many times. Wait [5-8] seconds", html)
    assert '<a href="#id_code">' in html
    assert not is_verified(client)
    device.refresh_from_db()
    assert device.throttling_failure_count == 4


def test_a_backup_code_lets_staff_in_once(client, staff, required):
    confirmed_device(staff)
    code = backup_codes_of(staff)[0]
    client.force_login(staff)

    response = client.post(EN_VERIFY, {"code": code.upper()}, follow=True)

    assert is_verified(client)
    assert code not in backup_codes_of(staff)
    assert len(backup_codes_of(staff)) == 9
    assert "You have 9 backup codes left" in response.content.decode()
    client.logout()
    client.force_login(staff)
    client.post(VERIFY, {"code": code})
    assert not is_verified(client)


def test_someone_elses_backup_code_does_not_work(client, staff, required):
    other = UserFactory(roles=[Role.STAFF])
    confirmed_device(other)
    confirmed_device(staff)
    client.force_login(staff)

    client.post(VERIFY, {"code": backup_codes_of(other)[0]})

    assert not is_verified(client)
    assert len(backup_codes_of(other)) == 10


def test_the_verify_page_without_an_app_goes_to_setup(client, staff, required):
    client.force_login(staff)

    response = client.get(f"{VERIFY}?next=/audits/")

    assert response["Location"] == f"{SETUP}?next=%2Faudits%2F"


def test_backup_codes_alone_do_not_count_as_set_up(client, staff, required):
    # An admin removed the lost phone's app in admin: the person sets up a new one.
    backup_codes_replace(user=staff)
    client.force_login(staff)

    assert client.get("/start/").headers["Location"].startswith(SETUP)
    assert client.get(SETUP).status_code == 200


# --- Backup codes page --------------------------------------------------------------------


def test_new_backup_codes_replace_the_old_ones(client, staff, required):
    device = confirmed_device(staff)
    old = backup_codes_of(staff)
    client.force_login(staff)
    client.post(VERIFY, {"code": code_for(device)})

    response = client.post(BACKUP, follow=True)

    new = response.context["codes"]
    assert len(new) == 10
    assert set(new).isdisjoint(old)
    assert sorted(backup_codes_of(staff)) == sorted(new)
    # The session stays verified after the codes are renewed.
    assert client.get("/start/staff/").status_code == 200


def test_the_backup_codes_page_needs_a_verified_session(client, staff, required):
    confirmed_device(staff)
    client.force_login(staff)

    response = client.post(BACKUP)

    assert response.status_code == 302
    assert response["Location"].startswith(VERIFY)
    assert len(backup_codes_of(staff)) == 10


def test_the_pages_are_never_cached(client, staff, required):
    client.force_login(staff)

    response = client.get(SETUP)

    assert "no-store" in response["Cache-Control"]


# --- Profile ---------------------------------------------------------------------------


def test_the_profile_offers_staff_to_set_it_up(client, staff):
    client.force_login(staff)

    html = client.get("/en/accounts/profile/").content.decode()

    assert "Two-step login is off." in html
    assert 'href="/en/accounts/two-factor/"' in html


def test_the_profile_offers_a_new_phone_and_backup_codes_when_it_is_on(client, staff):
    confirmed_device(staff)
    client.force_login(staff)

    html = client.get("/en/accounts/profile/").content.decode()

    assert "Two-step login is on" in html
    assert 'href="/en/accounts/two-factor/backup-codes/"' in html
    assert "Backup codes (10 left)" in html


def test_the_profile_of_a_commissioner_says_nothing_about_it(client, commissioner):
    client.force_login(commissioner)

    html = client.get("/en/accounts/profile/").content.decode()

    assert "Two-step login" not in html


# --- Staff session timeout -------------------------------------------------------------------


@pytest.fixture
def clock(monkeypatch):
    """The middleware's clock, to move forward without waiting."""
    now = [time.time()]
    monkeypatch.setattr("brukarkraft.middleware.time.time", lambda: now[0])
    return now


def test_a_staff_session_ends_when_the_browser_closes(client, staff):
    staff.set_password("a long staff password 7")
    staff.save()

    response = client.post(
        "/accounts/login/", {"username": staff.email, "password": "a long staff password 7"}
    )

    assert response.status_code == 302
    assert client.session.get_expire_at_browser_close()
    # A cookie without max-age or expires is a browser-session cookie.
    assert response.cookies["sessionid"]["max-age"] == ""
    assert response.cookies["sessionid"]["expires"] == ""


def test_a_commissioner_keeps_the_normal_session(client, commissioner):
    client.force_login(commissioner)

    client.get("/start/commissioner/")

    assert not client.session.get_expire_at_browser_close()
    assert LAST_ACTIVITY_KEY not in client.session


def test_staff_are_logged_out_after_the_idle_time_with_a_message(client, staff, clock, settings):
    settings.STAFF_SESSION_IDLE_MINUTES = 30
    client.force_login(staff)
    client.get("/start/staff/")
    clock[0] += 30 * 60 + 1

    response = client.get("/en/audits/?page=2")

    assert response.status_code == 302
    assert response["Location"] == "/en/accounts/login/?next=/en/audits/%3Fpage%3D2"
    assert SESSION_KEY not in client.session
    page = client.get(response["Location"])
    assert "You were logged out after 30 minutes without activity." in page.content.decode()


def test_activity_within_the_idle_time_keeps_staff_logged_in(client, staff, clock, settings):
    settings.STAFF_SESSION_IDLE_MINUTES = 30
    client.force_login(staff)
    client.get("/start/staff/")
    for _ in range(3):
        clock[0] += 20 * 60
        assert client.get("/start/staff/").status_code == 200

    assert client.session[SESSION_KEY] == str(staff.pk)


def test_the_last_activity_is_written_at_most_once_a_minute(client, staff, clock):
    client.force_login(staff)
    client.get("/start/staff/")
    first = client.session[LAST_ACTIVITY_KEY]

    clock[0] += 30
    client.get("/start/staff/")
    assert client.session[LAST_ACTIVITY_KEY] == first

    clock[0] += 31
    client.get("/start/staff/")
    assert client.session[LAST_ACTIVITY_KEY] > first


def test_a_request_within_the_minute_writes_no_session(client, staff, clock):
    client.force_login(staff)
    client.get("/start/staff/")
    clock[0] += 10

    with CaptureQueriesContext(connection) as queries:
        client.get("/start/staff/")

    writes = [q["sql"] for q in queries if "django_session" in q["sql"]]
    assert writes and not any(sql.lstrip().upper().startswith("UPDATE") for sql in writes)


def test_a_commissioner_is_not_logged_out_after_the_staff_idle_time(client, commissioner, clock):
    client.force_login(commissioner)
    client.get("/start/commissioner/")
    clock[0] += 8 * 60 * 60

    assert client.get("/start/commissioner/").status_code == 200


def test_the_timeout_message_is_in_the_language_of_the_page(client, staff, clock, settings):
    settings.STAFF_SESSION_IDLE_MINUTES = 15
    client.force_login(staff)
    client.get("/start/staff/")
    clock[0] += 16 * 60

    page = client.get("/nb/start/staff/", follow=True)

    with translation.override("nb"):
        expected = ngettext(
            "You were logged out after %(minutes)d minute without activity. "
            "Log in again to continue.",
            "You were logged out after %(minutes)d minutes without activity. "
            "Log in again to continue.",
            15,
        ) % {"minutes": 15}
    assert page.request["PATH_INFO"] == "/nb/accounts/login/"
    assert expected in page.content.decode()
