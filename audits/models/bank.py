"""The report bank's rows: the agreement's structured publication terms, an audit's
publication (consent, publishing, withdrawal) and the facet values the bank filters on."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from brukarkraft.text import NOTE_LENGTH


class PublicationTerms(models.Model):
    """What the agreement lets the parties publish, and from when (next to the free-text
    `Quote.ownership`, which keeps saying who owns the results)."""

    quote = models.OneToOneField(
        "audits.Quote",
        on_delete=models.CASCADE,
        related_name="publication_terms",
        verbose_name=_("quote and agreement"),
    )
    may_publish_report = models.BooleanField(
        _("the report may be published"),
        default=False,
        help_text=_("In the public report bank, as a web page and as the approved PDF."),
    )
    may_publish_findings = models.BooleanField(
        _("the findings may be published"),
        default=False,
        help_text=_("Each finding with its theme, heading and description."),
    )
    may_publish_quotes = models.BooleanField(
        _("the anonymised quotes may be published"),
        default=False,
        help_text=_("The informants' own words under each finding."),
    )
    publish_from = models.DateField(
        _("may be published from"),
        null=True,
        blank=True,
        help_text=_("Leave empty if it may be published as soon as the report is approved."),
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("last changed by"),
    )
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    class Meta:
        verbose_name = _("publication terms")
        verbose_name_plural = _("publication terms")

    def __str__(self) -> str:
        return str(self.quote)

    def has_come(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.publish_from is None or self.publish_from <= today


class PublicationQuerySet(models.QuerySet):
    def public(self) -> PublicationQuerySet:
        """What anyone may read: published and not withdrawn. Every public page, search
        and download starts here, so a withdrawal hides the audit everywhere at once."""
        return self.filter(status=Publication.Status.PUBLISHED)

    def for_cards(self) -> PublicationQuerySet:
        """The list's rows with what a row shows, in a fixed number of queries."""
        return self.select_related(
            "audit__organisation", "audit__performing_organisation", "audit__county"
        ).prefetch_related(
            models.Prefetch(
                "facets",
                queryset=PublicationFacet.objects.filter(
                    kind__in=[PublicationFacet.Kind.AREA, PublicationFacet.Kind.MUNICIPALITY]
                ).order_by("kind", "label"),
                to_attr="card_facets",
            )
        )


class Publication(models.Model):
    """One audit's way into the public report bank: the commissioner consents, someone else
    at the centre publishes, either may withdraw. The steps are written to the audit's
    history (AuditEvent) by audits.bank.services."""

    class Status(models.TextChoices):
        CONSENTED = "consented", _("Consent given")
        PUBLISHED = "published", _("Published")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    audit = models.OneToOneField(
        "audits.Audit",
        on_delete=models.CASCADE,
        related_name="publication",
        verbose_name=_("audit"),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    consented_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("consent given by"),
    )
    consented_at = models.DateTimeField(_("consent given"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published by"),
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("withdrawn by"),
    )
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    reason = models.TextField(_("reason for withdrawal"), blank=True, max_length=NOTE_LENGTH)
    # Set when published, from the report as approved and the terms then in force.
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    language = models.CharField(_("language"), max_length=2, default="sv")
    search_vector = SearchVectorField(null=True, editable=False, verbose_name=_("search vector"))
    # The stems of the indexed text, where the database has no text search (SQLite):
    # " stem stem … " as resources.searchtext.stemmed_text makes it.
    search_words = models.TextField(
        blank=True, default="", editable=False, verbose_name=_("search words")
    )
    # The report bank's PDF: the approved report without personal data (no team, no one
    # responsible for an action) and with only what the terms publish. A worker makes it
    # when the audit is published (services.public_report_render); the approved version,
    # with the team's names, never leaves the portal.
    public_report = models.FileField(
        _("public report"), upload_to="audits/public/", blank=True, editable=False
    )
    public_report_size = models.PositiveIntegerField(
        _("size of the public report in bytes"), default=0, editable=False
    )
    # When a job to make the public PDF was last sent (on publishing, or by beat's sweep
    # for one whose job was lost), and the publishing (its published_at) the stored PDF was
    # made for: one made for an earlier publishing is out of date and is made again.
    public_report_requested_at = models.DateTimeField(
        _("public report asked for"), null=True, blank=True, editable=False
    )
    public_report_made_for = models.DateTimeField(
        _("publishing the public report was made for"), null=True, blank=True, editable=False
    )
    # How many deliveries of the job have begun laying the PDF out since the last
    # publishing, and when the sweep gave up on it after settings.PUBLIC_REPORT_MAX_ATTEMPTS
    # (a report that cannot be laid out): the staff's publication page then says so and
    # offers to try again. Both reset on publishing and on that retry.
    public_report_attempts = models.PositiveSmallIntegerField(
        _("attempts at the public report"), default=0, editable=False
    )
    public_report_failed_at = models.DateTimeField(
        _("public report given up"), null=True, blank=True, editable=False
    )

    objects = PublicationQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name = _("publication")
        verbose_name_plural = _("publications")
        indexes = [models.Index(fields=["status", "-published_at"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="publication_published_has_date",
            )
        ]

    def __str__(self) -> str:
        return f"{self.audit} ({self.get_status_display()})"

    @property
    def is_public(self) -> bool:
        return self.status == self.Status.PUBLISHED


class PublicationFacet(models.Model):
    """One value a published audit is filtered and counted by in the bank (a service area,
    a municipality, a theme …), written when it is published, so the facet counts are one
    grouped query over an index instead of joins through units, findings and quotes."""

    class Kind(models.TextChoices):
        AREA = "area", _("Service area")
        COUNTY = "county", _("County")
        MUNICIPALITY = "municipality", _("Municipality")
        YEAR = "year", _("Year")
        THEME = "theme", _("Theme")
        METHOD = "method", _("Method")
        PERFORMER = "performer", _("Performed by")

    publication = models.ForeignKey(
        Publication, on_delete=models.CASCADE, related_name="facets", verbose_name=_("publication")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    value = models.CharField(_("value"), max_length=40)
    # A proper name (county, municipality, organisation) as it was when published; the
    # kinds with translated labels (service area, theme, method) take them from the choices.
    label = models.CharField(_("label"), max_length=200, blank=True)

    class Meta:
        ordering = ["kind", "label", "value"]
        verbose_name = _("facet value")
        verbose_name_plural = _("facet values")
        indexes = [models.Index(fields=["kind", "value", "publication"])]
        constraints = [
            models.UniqueConstraint(
                fields=["publication", "kind", "value"], name="publication_facet_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind}={self.value}"
