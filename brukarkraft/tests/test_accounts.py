"""Logging in and out, resetting and changing passwords, switching language, the profile."""

import re

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.urls import reverse
from django.utils import translation

from brukarkraft.models import User
from brukarkraft.roles import Role
from brukarkraft.tests.factories import DEFAULT_PASSWORD, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Blue-kettle-morning-47"
LOGIN_URL = "/accounts/login/"
# Pages whose English wording a test reads are fetched under /en/: Swedish pages
# are (or will be) translated.
EN_LOGIN_URL = "/en/accounts/login/"


def en(name: str, **kwargs) -> str:
    with translation.override("en"):
        return reverse(name, kwargs=kwargs or None)


def login(client, email, password=DEFAULT_PASSWORD, url=LOGIN_URL, **extra):
    return client.post(url, {"username": email, "password": password, **extra})


def logged_in_user_id(client):
    return client.session.get(SESSION_KEY)


# --- Login ---------------------------------------------------------------------


def test_login_page_labels_the_email_field_for_password_managers(client):
    response = client.get(EN_LOGIN_URL)

    html = response.content.decode()
    assert response.status_code == 200
    assert re.search(r'<input type="email" name="username"[^>]*autocomplete="username"', html)
    assert re.search(
        r'<input type="password" name="password"[^>]*autocomplete="current-password"', html
    )
    assert re.search(r'<label\s+for="id_username"[^>]*>\s*E-mail address', html)
    assert en("password_reset") in html


def test_login_with_the_right_password_lands_on_the_role_start_page(client, commissioner):
    response = login(client, commissioner.email)

    assert response.status_code == 302
    assert response.url == "/start/"
    assert logged_in_user_id(client) == str(commissioner.pk)
    assert client.get(response.url).url == "/start/commissioner/"


def test_login_ignores_capitals_and_spaces_in_the_email_address(client, commissioner):
    response = login(client, f"  {commissioner.email.upper()} ")

    assert response.status_code == 302
    assert logged_in_user_id(client) == str(commissioner.pk)


def test_login_with_a_wrong_password_shows_the_error_summary_and_logs_no_one_in(
    client, commissioner
):
    response = login(client, commissioner.email, "not-the-password", url=EN_LOGIN_URL)

    html = response.content.decode()
    assert response.status_code == 200
    assert "data-error-summary" in html
    assert "The e-mail address or the password is wrong" in html
    assert "<title>Error:" in html
    assert logged_in_user_id(client) is None


def test_login_with_empty_fields_links_each_error_to_its_field(client):
    response = login(client, "", "", url=EN_LOGIN_URL)

    html = response.content.decode()
    assert 'href="#id_username"' in html
    assert 'href="#id_password"' in html
    assert 'aria-invalid="true"' in html


def test_login_of_an_inactive_account_fails(client):
    user = UserFactory(is_active=False)

    response = login(client, user.email)

    assert response.status_code == 200
    assert logged_in_user_id(client) is None


def test_login_follows_a_safe_next_url(client, staff):
    response = login(client, staff.email, url=f"{LOGIN_URL}?next=/feedback/inbox/")

    assert response.url == "/feedback/inbox/"


def test_login_refuses_to_follow_a_next_url_to_another_site(client, staff):
    response = login(client, staff.email, next="https://evil.example/steal")

    assert response.url == "/start/"


def test_login_switches_to_the_users_preferred_language(client):
    # Nora reads the portal in Norwegian; she logs in on the Swedish login page.
    nora = UserFactory(preferred_language="nb", roles=[Role.COMMISSIONER])

    response = login(client, nora.email)

    assert response.url == "/nb/start/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "nb"
    assert client.get(response.url).url == "/nb/start/commissioner/"


def test_login_translates_the_next_url_into_the_preferred_language(client):
    emma = UserFactory(preferred_language="en", roles=[Role.STAFF])

    response = login(client, emma.email, url="/nb/accounts/login/", next="/nb/feedback/inbox/")

    assert response.url == "/en/feedback/inbox/"


def test_login_takes_a_swedish_speaker_out_of_the_english_pages(client, commissioner):
    response = login(client, commissioner.email, url="/en/accounts/login/", next="/en/privacy/")

    assert response.url == "/privacy/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "sv"


def test_logout_is_a_post_that_lands_on_home_with_a_message(client, commissioner):
    client.force_login(commissioner)

    response = client.post(en("logout"), follow=True)

    assert response.redirect_chain[-1][0] == "/en/"
    assert "You are logged out." in response.content.decode()
    assert logged_in_user_id(client) is None


def test_logout_by_get_logs_no_one_out_and_shows_the_start_page(client, commissioner):
    client.force_login(commissioner)

    response = client.get(reverse("logout"))

    assert response.status_code == 302
    assert response["Location"] == reverse("start")
    assert logged_in_user_id(client) == str(commissioner.pk)


# --- Throttling ------------------------------------------------------------------


def test_five_wrong_passwords_lock_the_address_out(client, commissioner):
    for _attempt in range(4):
        assert login(client, commissioner.email, "wrong-password").status_code == 200

    fifth = login(client, commissioner.email, "wrong-password")
    sixth = login(client, commissioner.email.upper(), "wrong-password", url=EN_LOGIN_URL)

    assert fifth.status_code == 429
    assert sixth.status_code == 429
    html = sixth.content.decode()
    assert "Too many attempts to log in" in html
    assert "Wait 15 minutes and try again." in html
    assert en("password_reset") in html
    # Both spellings of the address count against one record.
    assert AccessAttempt.objects.get(username=commissioner.email).failures_since_start == 6


def test_the_right_password_does_not_get_through_during_a_lockout(client, commissioner):
    for _attempt in range(6):
        login(client, commissioner.email, "wrong-password")

    response = login(client, commissioner.email)

    assert response.status_code == 429
    assert logged_in_user_id(client) is None


def test_a_lockout_of_one_address_leaves_other_addresses_alone(client, commissioner, staff):
    for _attempt in range(6):
        login(client, commissioner.email, "wrong-password")

    response = login(client, staff.email)

    assert response.status_code == 302
    assert logged_in_user_id(client) == str(staff.pk)


def test_the_lockout_page_is_in_the_language_of_the_login_page(client, commissioner):
    for _attempt in range(6):
        response = login(client, commissioner.email, "wrong-password", url="/nb/accounts/login/")

    assert response.status_code == 429
    assert '<html lang="nb">' in response.content.decode()
    assert "/nb/accounts/password/reset/" in response.content.decode()


# --- Password reset ------------------------------------------------------------


def reset_link_from(message) -> str:
    match = re.search(r"https?://testserver(/\S+/)", message.body)
    assert match, message.body
    return match.group(1)


def test_password_reset_journey_ends_with_a_login_on_the_new_password(client, commissioner):
    response = client.post(reverse("password_reset"), {"email": commissioner.email.upper()})
    assert response.url == reverse("password_reset_done")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [commissioner.email]

    link = reset_link_from(mail.outbox[0])
    form_page = client.get(link, follow=True)
    assert form_page.context["validlink"] is True
    set_password_url = form_page.redirect_chain[-1][0]
    done = client.post(
        set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert done.url == reverse("password_reset_complete")
    assert client.get(done.url).status_code == 200

    assert login(client, commissioner.email, DEFAULT_PASSWORD).status_code == 200
    assert login(client, commissioner.email, NEW_PASSWORD).status_code == 302
    assert logged_in_user_id(client) == str(commissioner.pk)


def test_a_reset_link_works_only_once(client, commissioner):
    client.post(reverse("password_reset"), {"email": commissioner.email})
    link = reset_link_from(mail.outbox[0])
    set_password_url = client.get(link).url
    client.post(set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    again = client.get(link, follow=True)

    assert again.context["validlink"] is False
    assert en("password_reset") not in again.content.decode()
    assert reverse("password_reset") in again.content.decode()


def test_a_broken_reset_link_explains_itself_and_offers_a_new_one(client, commissioner):
    response = client.get("/en/accounts/password/reset/MQ/not-a-token/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "The link does not work" in html
    assert "Get a new link" in html
    assert en("password_reset") in html


def main_of(response) -> str:
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


def test_an_unknown_address_gets_the_same_page_and_no_mail(client, commissioner):
    known = client.post(reverse("password_reset"), {"email": commissioner.email}, follow=True)
    mail.outbox.clear()

    unknown = client.post(reverse("password_reset"), {"email": "nobody@example.se"}, follow=True)

    assert unknown.redirect_chain == known.redirect_chain
    assert main_of(unknown) == main_of(known)
    assert mail.outbox == []


def test_the_reset_email_is_in_the_norwegian_recipients_language(client):
    nora = UserFactory(preferred_language="nb")

    # Asked for from the Swedish page: the recipient's language wins.
    client.post(reverse("password_reset"), {"email": nora.email})

    message = mail.outbox[0]
    assert "passord" in message.subject.lower()
    assert "Brukarkraft" in message.subject
    assert reset_link_from(message).startswith("/nb/accounts/password/reset/")


def test_the_reset_email_is_in_the_english_recipients_language(client):
    emma = UserFactory(preferred_language="en", full_name="Emma Example")

    client.post("/nb/accounts/password/reset/", {"email": emma.email})

    message = mail.outbox[0]
    assert message.subject == "Password reset on Brukarkraft"
    assert "Hello Emma Example," in message.body
    assert "The link works once and for 24 hours." in message.body
    assert reset_link_from(message).startswith("/en/accounts/password/reset/")


def test_the_reset_email_is_swedish_for_a_swedish_recipient(client, commissioner):
    client.post("/en/accounts/password/reset/", {"email": commissioner.email})

    message = mail.outbox[0]
    assert "lösenord" in message.subject.lower()
    assert reset_link_from(message).startswith("/accounts/password/reset/")


def test_the_request_language_is_unchanged_after_sending_a_reset_email(client):
    nora = UserFactory(preferred_language="nb")

    response = client.post("/en/accounts/password/reset/", {"email": nora.email}, follow=True)

    assert response.redirect_chain[-1][0] == "/en/accounts/password/reset/sent/"
    assert '<html lang="en">' in response.content.decode()


def test_setting_a_new_password_lifts_a_lockout(client, commissioner):
    for _attempt in range(6):
        login(client, commissioner.email, "wrong-password")
    client.post(reverse("password_reset"), {"email": commissioner.email})
    set_password_url = client.get(reset_link_from(mail.outbox[0])).url

    client.post(set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    assert login(client, commissioner.email, NEW_PASSWORD).status_code == 302


def test_a_weak_new_password_is_refused_with_the_reason(client, commissioner):
    client.post(reverse("password_reset"), {"email": commissioner.email})
    set_password_url = client.get(reset_link_from(mail.outbox[0])).url

    response = client.post(set_password_url, {"new_password1": "short", "new_password2": "short"})

    assert response.status_code == 200
    assert 'href="#id_new_password2"' in response.content.decode()
    commissioner.refresh_from_db()
    assert commissioner.check_password(DEFAULT_PASSWORD)


# --- Password change -----------------------------------------------------------


def test_password_change_needs_a_login(client):
    response = client.get(reverse("password_change"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_password_change_keeps_the_user_logged_in_with_the_new_password(client, auditor):
    client.force_login(auditor)

    response = client.post(
        en("password_change"),
        {
            "old_password": DEFAULT_PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
        follow=True,
    )

    assert response.redirect_chain[-1][0] == en("password_change_done")
    assert "Your password is changed" in response.content.decode()
    assert logged_in_user_id(client) == str(auditor.pk)
    auditor.refresh_from_db()
    assert auditor.check_password(NEW_PASSWORD)


def test_password_change_with_a_wrong_old_password_changes_nothing(client, auditor):
    client.force_login(auditor)

    response = client.post(
        en("password_change"),
        {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 200
    assert 'href="#id_old_password"' in response.content.decode()
    auditor.refresh_from_db()
    assert auditor.check_password(DEFAULT_PASSWORD)


# --- Language switch -----------------------------------------------------------


def test_switching_language_translates_the_page_address(client):
    response = client.post(reverse("set_language"), {"language": "nb", "next": "/accessibility/"})

    assert response.url == "/nb/accessibility/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "nb"


def test_switching_to_swedish_drops_the_language_prefix(client):
    response = client.post(
        reverse("set_language"), {"language": "sv", "next": "/en/accessibility/"}
    )

    assert response.url == "/accessibility/"


def test_switching_between_two_prefixed_languages(client):
    response = client.post(
        reverse("set_language"), {"language": "en", "next": "/nb/feedback/?page=%2Fnb%2F"}
    )

    assert response.url == "/en/feedback/?page=%2Fnb%2F"


def test_switching_language_without_next_falls_back_to_the_referring_page(client):
    response = client.post(
        reverse("set_language"), {"language": "en"}, HTTP_REFERER="http://testserver/privacy/"
    )

    assert response.url == "http://testserver/en/privacy/"


def test_switching_language_never_redirects_to_another_site(client):
    response = client.post(
        reverse("set_language"), {"language": "en", "next": "https://evil.example/"}
    )

    assert response.url == "/en/"


def test_switching_language_saves_the_preference_of_a_logged_in_user(client, commissioner):
    client.force_login(commissioner)

    response = client.post(reverse("set_language"), {"language": "en", "next": "/start/"})

    assert response.url == "/en/start/"
    commissioner.refresh_from_db()
    assert commissioner.preferred_language == "en"


def test_an_unknown_language_is_refused_and_nothing_is_saved(client, commissioner):
    client.force_login(commissioner)

    response = client.post(reverse("set_language"), {"language": "de", "next": "/"})

    assert response.status_code == 400
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    commissioner.refresh_from_db()
    assert commissioner.preferred_language == "sv"


def test_switching_language_by_get_changes_nothing_and_goes_home(client):
    response = client.get(reverse("set_language"), {"language": "nb", "next": "/"})

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


# --- Profile ---------------------------------------------------------------------


def test_profile_needs_a_login(client):
    response = client.get(reverse("profile"))

    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={reverse('profile')}"


def test_profile_shows_email_organisations_roles_and_password_link(
    client, commissioner, organisation
):
    client.force_login(commissioner)

    response = client.get(en("profile"))

    html = response.content.decode()
    assert commissioner.email in html
    assert organisation.name in html
    assert organisation.get_kind_display() in html
    assert str(organisation.municipality) in html
    assert "Commissioner" in html
    assert en("password_change") in html
    assert '<legend class="form-label fs-6">Language for the portal and e-mail</legend>' in html
    assert re.search(
        r'<label class="form-check-label" for="id_preferred_language_1" lang="nb">', html
    )


def test_profile_runs_a_fixed_number_of_queries(
    client, commissioner, django_assert_max_num_queries
):
    MembershipFactory.create_batch(10, user=commissioner)
    client.force_login(commissioner)

    with django_assert_max_num_queries(4):
        response = client.get(reverse("profile"))

    assert len(response.context["memberships"]) == 11


def test_profile_of_an_outsider_says_there_is_no_role_or_organisation(client, outsider):
    client.force_login(outsider)

    html = client.get(en("profile")).content.decode()

    assert "Your account has no role yet." in html
    assert "Your account does not belong to any organisation yet." in html


def test_profile_update_saves_and_switches_to_the_new_language(client, commissioner):
    client.force_login(commissioner)

    response = client.post(
        reverse("profile"), {"full_name": "  Cecilia Ny  ", "preferred_language": "nb"}
    )

    assert response.url == "/nb/accounts/profile/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "nb"
    commissioner.refresh_from_db()
    assert commissioner.full_name == "Cecilia Ny"
    assert commissioner.preferred_language == "nb"
    page = client.get(response.url)
    assert '<html lang="nb">' in page.content.decode()
    assert len(page.context["messages"]) == 1


def test_profile_update_with_an_empty_name_shows_the_error_and_saves_nothing(client, commissioner):
    client.force_login(commissioner)

    response = client.post(en("profile"), {"full_name": " ", "preferred_language": "en"})

    html = response.content.decode()
    assert response.status_code == 200
    assert 'href="#id_full_name"' in html
    # The navigation still shows the saved name, not the rejected one.
    assert "Cecilia Beställare" in html
    commissioner.refresh_from_db()
    assert commissioner.preferred_language == "sv"


def test_profile_update_refuses_an_unknown_language(client, commissioner):
    client.force_login(commissioner)

    response = client.post(reverse("profile"), {"full_name": "Cecilia", "preferred_language": "de"})

    assert response.status_code == 200
    assert User.objects.get(pk=commissioner.pk).preferred_language == "sv"


def test_the_translations_of_the_login_labels_follow_the_active_language():
    # Django's own catalogue already covers "Password": a check that the form's
    # labels are lazy and follow the language at render time.
    from brukarkraft.forms import LoginForm

    with translation.override("nb"):
        assert str(LoginForm().fields["password"].label) == "Passord"
    with translation.override("en"):
        assert str(LoginForm().fields["password"].label) == "Password"


def test_the_login_log_keeps_only_the_retention_period(settings):
    from datetime import timedelta

    from axes.models import AccessLog
    from django.utils import timezone

    from brukarkraft.tasks import purge_login_log

    settings.LOGIN_LOG_RETENTION_DAYS = 90
    now = timezone.now()
    old = AccessLog.objects.create(username="old@example.se", ip_address="127.0.0.1")
    recent = AccessLog.objects.create(username="new@example.se", ip_address="127.0.0.1")
    AccessLog.objects.filter(pk=old.pk).update(attempt_time=now - timedelta(days=91))
    AccessLog.objects.filter(pk=recent.pk).update(attempt_time=now - timedelta(days=89))

    assert purge_login_log() == 1
    assert list(AccessLog.objects.values_list("username", flat=True)) == ["new@example.se"]


def test_the_reset_mail_is_handed_to_the_worker_in_the_recipients_language(
    client, commissioner, monkeypatch
):
    commissioner.preferred_language = "nb"
    commissioner.save(update_fields=["preferred_language"])
    queued = []
    monkeypatch.setattr(
        "brukarkraft.tasks.send_email.delay", lambda **message: queued.append(message)
    )

    client.post(reverse("password_reset"), {"email": commissioner.email})

    assert mail.outbox == []
    assert len(queued) == 1
    assert queued[0]["to"] == [commissioner.email]
    assert queued[0]["subject"].startswith("Tilbakestilling av passord")
    assert "/nb/accounts/password/reset/" in queued[0]["body"]


def test_the_reset_mail_is_sent_from_the_request_when_the_broker_is_down(
    client, commissioner, monkeypatch
):
    from kombu.exceptions import OperationalError

    def broker_down(**message):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr("brukarkraft.tasks.send_email.delay", broker_down)

    response = client.post(reverse("password_reset"), {"email": commissioner.email})

    assert response.url == reverse("password_reset_done")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [commissioner.email]
    assert reset_link_from(mail.outbox[0]).startswith("/accounts/password/reset/")
