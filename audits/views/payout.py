"""TEMPORARY SKELETON: each function is replaced by its real view."""

from django.http import HttpResponse


def py(request, **kwargs):
    return HttpResponse("not built yet", status=501)


def fees_payout(request, **kwargs):
    return HttpResponse("not built yet", status=501)


def fees_payout_csv(request, **kwargs):
    return HttpResponse("not built yet", status=501)
