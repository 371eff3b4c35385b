from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from .views import (
    accounts,
    dashboards,
    feedback,
    health,
    pages,
    people,
    records,
    signup,
    trail,
    twofactor,
)

# Swedish pages have no prefix; Norwegian and English live under /nb/ and /en/,
# so every page has one stable address per language.
urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("language/", accounts.set_language, name="set_language"),
    path("favicon.ico", pages.favicon, name="favicon"),
    # The open-data API is the same in every language: no language prefix.
    path("api/v1/", include("audits.opendata.api_urls")),
]

urlpatterns += i18n_patterns(
    # First: answering a survey is most of the portal's requests, and each one tries the
    # patterns in order until one matches (no prefix here is shared with another).
    path("surveys/", include("surveys.urls")),
    path("", pages.home, name="home"),
    path("accessibility/", pages.accessibility_statement, name="accessibility"),
    path("privacy/", pages.privacy_notice, name="privacy"),
    path("feedback/", feedback.feedback_create, name="feedback"),
    path("feedback/thanks/", feedback.feedback_thanks, name="feedback_thanks"),
    path("feedback/inbox/", feedback.feedback_inbox, name="feedback_inbox"),
    path("feedback/inbox/<int:pk>/", feedback.feedback_handle, name="feedback_handle"),
    path("start/", dashboards.start, name="start"),
    path("start/commissioner/", dashboards.commissioner_home, name="start_commissioner"),
    path("start/auditor/", dashboards.auditor_home, name="start_auditor"),
    path("start/staff/", dashboards.staff_home, name="start_staff"),
    path("start/admin/", dashboards.admin_home, name="start_admin"),
    path("start/notices/<int:pk>/read/", dashboards.notice_read, name="notice_read"),
    path("accounts/login/", accounts.LoginView.as_view(), name="login"),
    path("accounts/logout/", accounts.LogoutView.as_view(), name="logout"),
    path("accounts/profile/", accounts.profile, name="profile"),
    path("accounts/my-data/", people.my_data, name="my_data"),
    path(
        "accounts/password/change/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path(
        "accounts/password/reset/",
        accounts.PasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "accounts/password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        accounts.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("accounts/sign-up/sent/", signup.signup_sent, name="signup_sent"),
    path(
        "accounts/sign-up/confirm/<str:token>/",
        signup.signup_confirm_view,
        name="signup_confirm",
    ),
    path("accounts/two-factor/", twofactor.setup, name="two_factor_setup"),
    path("accounts/two-factor/verify/", twofactor.verify, name="two_factor_verify"),
    path(
        "accounts/two-factor/backup-codes/",
        twofactor.backup_codes,
        name="two_factor_backup_codes",
    ),
    path("staff/changes/", trail.change_history, name="change_history"),
    path("staff/retention/", records.retention_overview, name="retention_overview"),
    path("staff/join-requests/", signup.join_requests, name="join_requests"),
    path(
        "staff/join-requests/<int:pk>/decide/",
        signup.join_request_decision,
        name="join_request_decide",
    ),
    path("staff/people/", people.person_search, name="person_search"),
    path("staff/people/<str:token>/", people.person_detail, name="person_detail"),
    path("staff/people/<str:token>/export/", people.person_export, name="person_export"),
    path("staff/people/<str:token>/erase/", people.person_erase, name="person_erase"),
    path("audits/", include("audits.urls")),
    path("councils/", include("councils.urls")),
    path("resources/", include("resources.urls")),
    path("report-bank/", include("audits.bank.urls")),
    path("open-data/", include("audits.opendata.urls")),
    # Before the admin's own: admin logins go through the portal's login.
    path("admin/login/", accounts.admin_login, name="admin_login"),
    path("admin/", admin.site.urls),
    prefix_default_language=False,
)

admin.site.site_header = "Brukarkraft"
admin.site.site_title = "Brukarkraft"

# A database fault raised in a middleware reaches only the 500 handler: it answers with the
# 503 page for those (brukarkraft/faults.py) and with the plain 500 page for anything else.
handler500 = "brukarkraft.faults.server_error"
