from django.contrib.auth import views as auth_views
from django.shortcuts import render
from django.views.i18n import set_language as django_set_language


class LoginView(auth_views.LoginView):
    pass


class PasswordResetView(auth_views.PasswordResetView):
    pass


def profile(request):
    return render(request, "brukarkraft/profile.html")


def set_language(request):
    return django_set_language(request)
