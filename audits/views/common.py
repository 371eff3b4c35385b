"""TEMPORARY SKELETON: each function is replaced by its real view."""

from django.http import HttpResponse


def py(request, **kwargs):
    return HttpResponse("not built yet", status=501)


def audit_list(request, **kwargs):
    return HttpResponse("not built yet", status=501)


def audit_detail(request, **kwargs):
    return HttpResponse("not built yet", status=501)


def work_queue(request, **kwargs):
    return HttpResponse("not built yet", status=501)


def coverage(request, **kwargs):
    return HttpResponse("not built yet", status=501)


def accept(request, **kwargs):
    return HttpResponse("not built yet", status=501)


def decline(request, **kwargs):
    return HttpResponse("not built yet", status=501)


def quote_edit(request, **kwargs):
    return HttpResponse("not built yet", status=501)


def quote_send(request, **kwargs):
    return HttpResponse("not built yet", status=501)


def performer(request, **kwargs):
    return HttpResponse("not built yet", status=501)


def team(request, **kwargs):
    return HttpResponse("not built yet", status=501)


def team_lead(request, **kwargs):
    return HttpResponse("not built yet", status=501)


def team_remove(request, **kwargs):
    return HttpResponse("not built yet", status=501)


def survey_link(request, **kwargs):
    return HttpResponse("not built yet", status=501)


def transition(request, **kwargs):
    return HttpResponse("not built yet", status=501)


def feedback(request, **kwargs):
    return HttpResponse("not built yet", status=501)


def follow_up_start(request, **kwargs):
    return HttpResponse("not built yet", status=501)
