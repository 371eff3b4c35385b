"""The ceiling for bench/surveys_submit.py: the project's own settings and middleware, one
view that INSERTs one row into bench_ceiling (made by surveys_submit.py) and answers "ok".

    .venv/bin/gunicorn bench.ceiling_wsgi:application -w 2 -b 127.0.0.1:8766

Nothing in the app is touched: this module is its own URLconf.
"""

from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "brukarkraft.settings")
application = get_wsgi_application()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.http import HttpRequest, HttpResponse  # noqa: E402
from django.urls import path  # noqa: E402
from django.views.decorators.csrf import csrf_exempt  # noqa: E402
from django.views.decorators.http import require_POST  # noqa: E402

settings.ROOT_URLCONF = __name__


@csrf_exempt
@require_POST
def insert(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO bench_ceiling (created_at, note) VALUES (now(), %s)",
            [request.POST.get("note", "")[:100]],
        )
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("ceiling/insert/", insert)]
