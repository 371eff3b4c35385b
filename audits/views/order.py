"""TEMPORARY SKELETON: each function is replaced by its real view."""

from django.http import HttpResponse


def py(request, **kwargs):
    return HttpResponse("not built yet", status=501)


def order_start(request, **kwargs):
    return HttpResponse("not built yet", status=501)


def order_register(request, **kwargs):
    return HttpResponse("not built yet", status=501)


def order_step(request, **kwargs):
    return HttpResponse("not built yet", status=501)


def order_review(request, **kwargs):
    return HttpResponse("not built yet", status=501)


def order_discard(request, **kwargs):
    return HttpResponse("not built yet", status=501)


def order_receipt(request, **kwargs):
    return HttpResponse("not built yet", status=501)


def quote(request, **kwargs):
    return HttpResponse("not built yet", status=501)


def agreement_upload(request, **kwargs):
    return HttpResponse("not built yet", status=501)


def agreement_download(request, **kwargs):
    return HttpResponse("not built yet", status=501)


def cancel(request, **kwargs):
    return HttpResponse("not built yet", status=501)


def response(request, **kwargs):
    return HttpResponse("not built yet", status=501)


def proposal_respond(request, **kwargs):
    return HttpResponse("not built yet", status=501)


def response_submit(request, **kwargs):
    return HttpResponse("not built yet", status=501)


def follow_up(request, **kwargs):
    return HttpResponse("not built yet", status=501)


def proposal_progress(request, **kwargs):
    return HttpResponse("not built yet", status=501)
