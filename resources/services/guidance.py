"""Method guidance: requests from anyone, answered or closed by staff; the person who asked
is told by a worker (enqueued by task name after commit).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from brukarkraft.faults import repeat_of
from brukarkraft.models import User
from brukarkraft.queue import enqueue_by_name

from ..access import require_staff
from ..models import (
    GuidanceRequest,
)


@transaction.atomic
def guidance_request_create(*, data: dict, by: User | None) -> GuidanceRequest:
    requested_by = by if by and by.is_authenticated else None
    if requested_by is not None:
        User.objects.select_for_update().get(pk=requested_by.pk)
    repeat = repeat_of(
        GuidanceRequest.objects.all(), at="created_at", requested_by=requested_by, **data
    )
    if repeat is not None:
        return repeat  # Sent twice: the centre is told once.
    request = GuidanceRequest(requested_by=requested_by, **data)
    request.full_clean()
    request.save()
    request_id = request.pk
    enqueue_by_name("resources.tasks.notify_guidance", request_id, "received")
    return request


@transaction.atomic
def guidance_answer(*, request: GuidanceRequest, by: User, answer: str) -> GuidanceRequest:
    require_staff(by)
    request = GuidanceRequest.objects.select_for_update().get(pk=request.pk)
    if request.status == GuidanceRequest.Status.CLOSED:
        raise ValidationError(gettext("This request is closed."), code="closed")
    if not answer.strip():
        raise ValidationError({"answer": gettext("Write the answer.")}, code="required")
    request.answer = answer
    request.status = GuidanceRequest.Status.ANSWERED
    request.handled_by = by
    request.answered_at = timezone.now()
    request.save(update_fields=["answer", "status", "handled_by", "answered_at"])
    request_id = request.pk
    enqueue_by_name("resources.tasks.notify_guidance", request_id, "answered")
    return request


@transaction.atomic
def guidance_close(*, request: GuidanceRequest, by: User) -> GuidanceRequest:
    require_staff(by)
    request = GuidanceRequest.objects.select_for_update().get(pk=request.pk)
    if request.status == GuidanceRequest.Status.CLOSED:
        raise ValidationError(gettext("This request is already closed."), code="closed")
    request.status = GuidanceRequest.Status.CLOSED
    request.handled_by = request.handled_by or by
    request.save(update_fields=["status", "handled_by"])
    return request
