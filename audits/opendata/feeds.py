"""Atom feeds of newly published reports: all of them, and one for each service area.
A withdrawn report leaves the feed at once (selectors read published rows only)."""

from __future__ import annotations

from typing import Any

from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape, linebreaks
from django.utils.translation import gettext

from audits.bank.models import Publication
from audits.models import ServiceArea
from brukarkraft.http import public_cache
from brukarkraft.views.errors import rate_limited

from . import selectors, throttles
from .licence import licence, with_licence

AREAS = dict(ServiceArea.choices)


class LatestReportsFeed(Feed):
    feed_type = Atom1Feed
    author_name = "Brukarkraft"

    def __call__(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if throttles.over_limit(request):
            return rate_limited(request)
        return with_licence(public_cache(super().__call__(request, *args, **kwargs)))

    def get_object(self, request: HttpRequest, area: str = "") -> str:
        if area and area not in AREAS:
            raise Http404
        return area

    def title(self, area: str) -> str:
        if area:
            return gettext("Published audit reports: %(area)s") % {"area": AREAS[area]}
        return gettext("Published audit reports")

    def subtitle(self, area: str) -> str:
        return gettext("Newly published reports of user audits in the Brukarkraft report bank.")

    def link(self, area: str) -> str:
        address = reverse("bank:list")
        return f"{address}?area={area}" if area else address

    def feed_url(self, area: str) -> str:
        if area:
            return reverse("open_data:area_feed", args=[area])
        return reverse("open_data:feed")

    def feed_copyright(self) -> str:
        terms = licence()
        return f"{terms['name']} {terms['url']}"

    def items(self, area: str):
        return selectors.latest_publications(area)

    def item_title(self, item: Publication) -> str:
        return item.audit.title or item.audit.reference

    def item_link(self, item: Publication) -> str:
        return reverse("bank:detail", args=[item.audit_id])

    def item_description(self, item: Publication) -> str:
        # Plain text written by people: escaped, then in paragraphs.
        return linebreaks(escape(item.audit.summary)) if item.audit.summary else ""

    def item_pubdate(self, item: Publication):
        return item.published_at

    def item_updateddate(self, item: Publication):
        return item.published_at

    def item_author_name(self, item: Publication) -> str:
        # The commissioning organisation, never a person.
        return item.audit.organisation.name

    def item_categories(self, item: Any) -> list[str]:
        # area_facets: prefetched by selectors.latest_publications.
        return [str(AREAS.get(facet.value, facet.value)) for facet in item.area_facets]
