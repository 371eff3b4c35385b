"""Template tags for linking to the team's analysis pages from pages the analysis package
does not own (the audit page), without those pages' views knowing about it."""

from django import template

from audits.analysis.access import can_read_notes

register = template.Library()


@register.simple_tag
def may_analyse(user, audit) -> bool:
    """Whether `user` reads the audit's field notes and analysis (its team only)."""
    return can_read_notes(user, audit)
