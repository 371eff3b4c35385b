"""The audits app's shared choice lists: service areas, methods and finding themes."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ServiceArea(models.TextChoices):
    LABOUR_MARKET = "labour_market", _("Labour market")
    SOCIAL_PSYCHIATRY = "social_psychiatry", _("Social psychiatry")
    LSS = "lss", _("Disability support (LSS)")
    ADDICTION = "addiction", _("Addiction care")
    PSYCHIATRY = "psychiatry", _("Psychiatry")
    SOCIAL_SERVICES = "social_services", _("Social services")
    OTHER = "other", _("Other")


class Method(models.TextChoices):
    QUESTIONNAIRE = "questionnaire", _("Questionnaire")
    INTERVIEW = "interview", _("Interviews")
    FOCUS_GROUP = "focus_group", _("Focus groups")
    OBSERVATION = "observation", _("Observation at a site visit")
    STAFF_INTERVIEW = "staff_interview", _("Staff interviews")


class Theme(models.TextChoices):
    TREATMENT = "treatment", _("Treatment and respect")
    PARTICIPATION = "participation", _("Participation")
    INFLUENCE = "influence", _("Influence")
    SAFETY = "safety", _("Safety")
    ACCESSIBILITY = "accessibility", _("Accessibility")
    INFORMATION = "information", _("Information")
    OTHER = "other", _("Other")
