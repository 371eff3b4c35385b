from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render


@login_required
def start(request):
    return redirect("home")


def commissioner_home(request):
    return render(request, "brukarkraft/start_commissioner.html")


def auditor_home(request):
    return render(request, "brukarkraft/start_auditor.html")


def staff_home(request):
    return render(request, "brukarkraft/start_staff.html")


def admin_home(request):
    return render(request, "brukarkraft/start_admin.html")
