from django.shortcuts import render


def home(request):
    return render(request, "brukarkraft/home.html")


def accessibility_statement(request):
    return render(request, "brukarkraft/accessibility.html")


def privacy_notice(request):
    return render(request, "brukarkraft/privacy.html")
