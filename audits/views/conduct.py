"""TEMPORARY SKELETON: each function is replaced by its real view."""

from django.http import HttpResponse


def py(request, **kwargs):
    return HttpResponse("not built yet", status=501)


def undertaking(request, **kwargs):
    return HttpResponse("not built yet", status=501)


def auditor_profile(request, **kwargs):
    return HttpResponse("not built yet", status=501)


def conflicts(request, **kwargs):
    return HttpResponse("not built yet", status=501)


def sessions(request, **kwargs):
    return HttpResponse("not built yet", status=501)


def findings(request, **kwargs):
    return HttpResponse("not built yet", status=501)


def finding_edit(request, **kwargs):
    return HttpResponse("not built yet", status=501)


def finding_delete(request, **kwargs):
    return HttpResponse("not built yet", status=501)


def proposals(request, **kwargs):
    return HttpResponse("not built yet", status=501)


def proposal_edit(request, **kwargs):
    return HttpResponse("not built yet", status=501)


def proposal_delete(request, **kwargs):
    return HttpResponse("not built yet", status=501)


def summary(request, **kwargs):
    return HttpResponse("not built yet", status=501)


def fees(request, **kwargs):
    return HttpResponse("not built yet", status=501)


def fee_delete(request, **kwargs):
    return HttpResponse("not built yet", status=501)
