from django.shortcuts import render


def feedback_create(request):
    return render(request, "brukarkraft/feedback_form.html")


def feedback_thanks(request):
    return render(request, "brukarkraft/feedback_thanks.html")


def feedback_inbox(request):
    return render(request, "brukarkraft/feedback_inbox.html")


def feedback_handle(request, pk):
    return render(request, "brukarkraft/feedback_inbox.html")
