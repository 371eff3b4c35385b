"""TEMPORARY SKELETON: each function is replaced by its real view."""

from django.http import HttpResponse


def py(request, **kwargs):
    return HttpResponse("not built yet", status=501)


def report(request, **kwargs):
    return HttpResponse("not built yet", status=501)


def report_request(request, **kwargs):
    return HttpResponse("not built yet", status=501)


def report_retry(request, **kwargs):
    return HttpResponse("not built yet", status=501)


def report_download(request, **kwargs):
    return HttpResponse("not built yet", status=501)


def report_status(request, **kwargs):
    return HttpResponse("not built yet", status=501)
