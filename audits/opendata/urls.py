"""Open data's pages, files and feeds (namespace "open_data"), in every language; the API
itself is in api_urls.py."""

from django.urls import path

from . import feeds, views

app_name = "open_data"
urlpatterns = [
    path("", views.open_data, name="page"),
    path("audits.csv", views.audits_csv, name="audits_csv"),
    path("findings.csv", views.findings_csv, name="findings_csv"),
    path("proposals.csv", views.proposals_csv, name="proposals_csv"),
    path("feeds/", views.feeds, name="feeds"),
    path("feed/", feeds.LatestReportsFeed(), name="feed"),
    path("feed/<slug:area>/", feeds.LatestReportsFeed(), name="area_feed"),
]
