"""Validators shared by the apps: Swedish identifiers, and a start before its end (for
models and for filter forms)."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext

_ORG_NUMBER = re.compile(r"^(\d{6})-?(\d{4})$")


def luhn_ok(digits: str) -> bool:
    """Check the Luhn control digit Swedish organisation numbers end with."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def normalise_org_number(value: str) -> str:
    """Return NNNNNN-NNNN for a valid number given with or without the hyphen or spaces."""
    match = _ORG_NUMBER.match(value.replace(" ", "").strip())
    if not match:
        return value
    return f"{match.group(1)}-{match.group(2)}"


def validate_org_number(value: str) -> None:
    match = _ORG_NUMBER.match(value.replace(" ", "").strip())
    if not match:
        raise ValidationError(
            gettext("Enter the organisation number as ten digits, for example 212000-1967."),
            code="org_number_format",
        )
    if not luhn_ok(match.group(1) + match.group(2)):
        raise ValidationError(
            gettext("The organisation number is not valid: check the last digit."),
            code="org_number_checksum",
        )


def validate_order(start, end, *, field: str, message: str, strict: bool = True) -> None:
    """Refuse an end before its start (or at it, when `strict`) with `message` on `field`,
    the end's field, so a model's clean() puts it next to the field in forms and admin
    alike. Either value may be empty: then there is nothing to compare."""
    if start is None or end is None:
        return
    if end < start or (strict and end == start):
        raise ValidationError({field: ValidationError(message, code="ends_before_start")})


class DateRangeMixin:
    """For a form with the optional `date_from` and `date_to` of a period to show: the end
    may be the start's day, never before it."""

    def clean(self):
        data = super().clean()
        try:
            validate_order(
                data.get("date_from"),
                data.get("date_to"),
                field="date_to",
                message=gettext("The end date must not be before the start date."),
                strict=False,
            )
        except ValidationError as exc:
            self.add_error(None, exc)
        return data
