"""The open-data API's addresses (namespace "api"), outside the language prefixes: the
data is the same in every language."""

from typing import Any

from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from . import api

LIST: dict[str, Any] = {"get": "list"}
ONE: dict[str, Any] = {"get": "retrieve"}

app_name = "api"
urlpatterns = [
    path("audits/", api.AuditViewSet.as_view(LIST), name="audits"),
    path("audits/<int:pk>/", api.AuditViewSet.as_view(ONE), name="audit"),
    path("findings/", api.FindingViewSet.as_view(LIST), name="findings"),
    path("findings/<int:pk>/", api.FindingViewSet.as_view(ONE), name="finding"),
    path("proposals/", api.ProposalViewSet.as_view(LIST), name="proposals"),
    path("proposals/<int:pk>/", api.ProposalViewSet.as_view(ONE), name="proposal"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
]
