"""The report bank's addresses (namespace "bank"): the public bank, and an audit's
publication terms and steps for the people behind the audit."""

from django.urls import path

from . import views

app_name = "bank"
urlpatterns = [
    path("", views.bank_list, name="list"),
    path("<int:pk>/", views.bank_detail, name="detail"),
    path("<int:pk>/report.pdf", views.bank_report, name="report"),
    path("<int:pk>/compare/", views.bank_compare, name="compare"),
    path("national/", views.national_picture, name="national"),
    path("national/<slug:slug>.csv", views.national_csv, name="national_csv"),
    path("national/staff/", views.national_staff, name="national_staff"),
    path("national/staff/<slug:slug>.csv", views.national_staff_csv, name="national_staff_csv"),
    path("audits/<int:pk>/", views.publication, name="publication"),
    path("audits/<int:pk>/terms/", views.terms_edit, name="terms"),
    path("audits/<int:pk>/consent/", views.consent, name="consent"),
    path("audits/<int:pk>/publish/", views.publish, name="publish"),
    path("audits/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path(
        "audits/<int:pk>/public-report/retry/",
        views.public_report_retry,
        name="public_report_retry",
    ),
]
