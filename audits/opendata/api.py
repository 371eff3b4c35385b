"""The read-only JSON API (Django REST framework): the published audits, their findings and
their improvement proposals, with cursor pagination, the report bank's filters, the
licence in every response and an OpenAPI schema (drf-spectacular). Anonymous, throttled
(throttles.py), cacheable for a short while like the bank's pages."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response

from brukarkraft.http import public_cache

from . import filters, selectors, serializers
from .licence import licence, with_licence


class OpenDataCursor(CursorPagination):
    """Cursor pagination: stable pages however many rows come and go between two requests,
    and no COUNT or OFFSET over the whole table."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    ordering: Any = "pk"

    def get_paginated_response(self, data) -> Response:
        return Response(
            {
                "license": licence(),
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema: dict) -> dict:
        response = super().get_paginated_response_schema(schema)
        response["properties"] = {
            "license": {
                "type": "object",
                "properties": {
                    "name": {"type": "string", "example": "CC BY 4.0"},
                    "url": {"type": "string", "format": "uri"},
                    "attribution": {"type": "string", "example": "Brukarkraft"},
                },
            },
            **response["properties"],
        }
        return response


class NewestFirst(OpenDataCursor):
    ordering = ("-published_at", "-pk")


class _OpenData(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        with_licence(response)
        if response.status_code == 200:
            public_cache(response)
        return response


@extend_schema(tags=["audits"])
class AuditViewSet(_OpenData):
    """Published user audits, newest first."""

    serializer_class = serializers.AuditSerializer
    filterset_class = filters.AuditFilter
    pagination_class = NewestFirst

    def get_queryset(self) -> QuerySet:
        return selectors.public_audits()


@extend_schema(tags=["findings"])
class FindingViewSet(_OpenData):
    """The findings of published audits whose agreement lets the findings be published."""

    serializer_class = serializers.FindingSerializer
    filterset_class = filters.FindingFilter
    pagination_class = OpenDataCursor

    def get_queryset(self) -> QuerySet:
        return selectors.public_findings()


@extend_schema(tags=["proposals"])
class ProposalViewSet(_OpenData):
    """The improvement proposals of published audits, with the response and the follow-up."""

    serializer_class = serializers.ProposalSerializer
    filterset_class = filters.ProposalFilter
    pagination_class = OpenDataCursor

    def get_queryset(self) -> QuerySet:
        return selectors.public_proposals()
