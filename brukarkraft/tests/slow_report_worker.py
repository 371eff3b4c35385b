"""A real Celery worker whose report PDFs take a few seconds longer, for test_worker_killed.py.

    python -m brukarkraft.tests.slow_report_worker -A brukarkraft worker ...

The delay (SLOW_REPORT_SECONDS) gives the test time to kill the worker while a report is
being made. BROKER_KEY_PREFIX puts every broker key of the test (queues, the unacked hash)
under a prefix of its own, so that restoring unacknowledged messages after a short
visibility timeout never touches another test's messages on a shared Redis. Both hooks live
here, in the test package: the production modules have no test-only code paths.
"""

import os
import sys
import time

import django


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "brukarkraft.settings")
    django.setup()

    import audits.pdf
    from brukarkraft.celery import app

    delay = float(os.environ.get("SLOW_REPORT_SECONDS", "0"))
    real_pdf = audits.pdf.audit_report_pdf

    def slow_pdf(*args, **kwargs):
        time.sleep(delay)
        return real_pdf(*args, **kwargs)

    # report_render imports the function when it runs, so the worker's pool processes
    # (forked after this) see the slow one.
    audits.pdf.audit_report_pdf = slow_pdf
    prefix = os.environ.get("BROKER_KEY_PREFIX")
    if prefix:
        app.conf.broker_transport_options = {
            **app.conf.broker_transport_options,
            "global_keyprefix": prefix,
        }

    from celery.bin.celery import main as celery_main

    sys.argv[0] = "celery"
    sys.exit(celery_main())


if __name__ == "__main__":
    main()
