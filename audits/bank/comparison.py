"""An audit and its re-audit side by side: the findings per theme then and now, the
earlier proposals with what became of them, and what improved. Two queries, whatever the
size of the audits. Used by the staff/commissioner/team page (audits) and by the bank."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count
from django.utils.translation import gettext

from audits.models import Audit, Finding, Proposal, Theme

from .charts import Row, Series, bar_chart


@dataclass
class ThemeChange:
    theme: str
    label: str
    before_positive: int
    before_negative: int
    now_positive: int
    now_negative: int

    @property
    def verdict(self) -> str:
        """ "improved", "worse" or "same", from the negative findings first, then the
        positive ones."""
        if self.now_negative < self.before_negative:
            return "improved"
        if self.now_negative > self.before_negative:
            return "worse"
        if self.now_positive > self.before_positive:
            return "improved"
        if self.now_positive < self.before_positive:
            return "worse"
        return "same"

    @property
    def verdict_label(self) -> str:
        return {
            "improved": gettext("Better"),
            "worse": gettext("Worse"),
            "same": gettext("No change"),
        }[self.verdict]


@dataclass
class Comparison:
    earlier: Audit
    later: Audit
    with_findings: bool
    themes: list[ThemeChange] = field(default_factory=list)
    earlier_proposals: list[Proposal] = field(default_factory=list)
    later_proposals: list[Proposal] = field(default_factory=list)

    @property
    def improved(self) -> list[ThemeChange]:
        return [change for change in self.themes if change.verdict == "improved"]

    @property
    def worse(self) -> list[ThemeChange]:
        return [change for change in self.themes if change.verdict == "worse"]

    @property
    def implemented(self) -> list[Proposal]:
        return [p for p in self.earlier_proposals if p.progress == Proposal.Progress.IMPLEMENTED]

    def chart(self):
        series = [
            Series("before", gettext("Negative findings, earlier audit")),
            Series("now", gettext("Negative findings, re-audit")),
        ]
        rows = [
            Row(change.theme, change.label, (change.before_negative, change.now_negative))
            for change in self.themes
        ]
        return bar_chart(
            chart_id="chart-compare",
            title=gettext("Negative findings per theme, earlier audit and re-audit"),
            description=gettext(
                "Bar chart: for each theme, the negative findings of the earlier audit next "
                "to those of the re-audit. The same figures are in the table."
            ),
            series=series,
            rows=rows,
        )


def compare(earlier: Audit, later: Audit, *, with_findings: bool = True) -> Comparison:
    """The two audits side by side; without findings (the terms keep them back) only the
    proposals are compared."""
    result = Comparison(earlier=earlier, later=later, with_findings=with_findings)
    if with_findings:
        counts: dict[tuple, int] = defaultdict(int)
        rows = (
            Finding.objects.filter(audit__in=[earlier.pk, later.pk])
            .values("audit", "theme", "polarity")
            .annotate(n=Count("pk"))
            .order_by()
        )
        for row in rows:
            counts[(row["audit"], row["theme"], row["polarity"])] = row["n"]
        positive, negative = Finding.Polarity.POSITIVE, Finding.Polarity.NEGATIVE
        for theme, label in Theme.choices:
            change = ThemeChange(
                theme=theme,
                label=str(label),
                before_positive=counts[(earlier.pk, theme, positive)],
                before_negative=counts[(earlier.pk, theme, negative)],
                now_positive=counts[(later.pk, theme, positive)],
                now_negative=counts[(later.pk, theme, negative)],
            )
            if (
                change.before_positive
                + change.before_negative
                + change.now_positive
                + (change.now_negative)
            ):
                result.themes.append(change)
    proposals = Proposal.objects.filter(audit__in=[earlier.pk, later.pk]).order_by("number")
    for proposal in proposals:
        if proposal.audit_id == earlier.pk:
            result.earlier_proposals.append(proposal)
        else:
            result.later_proposals.append(proposal)
    return result
