from django.urls import include, path

from .views import audit, centre, conduct, coverage, order, payout, reaudit, report, transitions

app_name = "audits"
urlpatterns = [
    # Everyone with access: the list and one audit's page (audit.py); the centre's pages
    # (centre.py, transitions.py, coverage.py).
    path("", audit.audit_list, name="list"),
    path("<int:pk>/", audit.audit_detail, name="detail"),
    path("queue/", audit.work_queue, name="queue"),
    path("coverage/", coverage.coverage, name="coverage"),
    path("<int:pk>/accept/", centre.accept, name="accept"),
    path("<int:pk>/decline/", centre.decline, name="decline"),
    path("<int:pk>/quote/edit/", centre.quote_edit, name="quote_edit"),
    path("<int:pk>/quote/send/", centre.quote_send, name="quote_send"),
    path("<int:pk>/performer/", centre.performer, name="performer"),
    path("<int:pk>/team/", centre.team, name="team"),
    path("<int:pk>/team/<int:member>/lead/", centre.team_lead, name="team_lead"),
    path("<int:pk>/team/<int:member>/remove/", centre.team_remove, name="team_remove"),
    path("<int:pk>/survey/", centre.survey_link, name="survey_link"),
    path("<int:pk>/reaudit/", reaudit.reaudit_link, name="reaudit_link"),
    path("<int:pk>/compare/", reaudit.compare, name="compare"),
    path("<int:pk>/step/<str:action>/", transitions.transition, name="transition"),
    path("<int:pk>/feedback/", transitions.feedback, name="feedback"),
    path("<int:pk>/follow-up/start/", transitions.follow_up_start, name="follow_up_start"),
    # The commissioner (order.py).
    path("order/", order.order_start, name="order_start"),
    path("order/register/", order.order_register, name="order_register"),
    path("order/<int:pk>/step/<int:step>/", order.order_step, name="order_step"),
    path("order/<int:pk>/review/", order.order_review, name="order_review"),
    path("order/<int:pk>/discard/", order.order_discard, name="order_discard"),
    path("<int:pk>/receipt/", order.order_receipt, name="order_receipt"),
    path("<int:pk>/quote/", order.quote, name="quote"),
    path("<int:pk>/agreement/", order.agreement_upload, name="agreement_upload"),
    path("<int:pk>/agreement/file/", order.agreement_download, name="agreement_download"),
    path("<int:pk>/cancel/", order.cancel, name="cancel"),
    path("<int:pk>/response/", order.response, name="response"),
    path(
        "<int:pk>/proposals/<int:proposal>/respond/",
        order.proposal_respond,
        name="proposal_respond",
    ),
    path("<int:pk>/response/send/", order.response_submit, name="response_submit"),
    path("<int:pk>/follow-up/", order.follow_up, name="follow_up"),
    path(
        "<int:pk>/proposals/<int:proposal>/progress/",
        order.proposal_progress,
        name="proposal_progress",
    ),
    # The audit team (conduct.py).
    path("undertaking/", conduct.undertaking, name="undertaking"),
    path("my-profile/", conduct.auditor_profile, name="auditor_profile"),
    path("conflicts/", conduct.conflicts, name="conflicts"),
    path("<int:pk>/sessions/", conduct.sessions, name="sessions"),
    path("<int:pk>/findings/", conduct.findings, name="findings"),
    path("<int:pk>/findings/<int:finding>/edit/", conduct.finding_edit, name="finding_edit"),
    path("<int:pk>/findings/<int:finding>/delete/", conduct.finding_delete, name="finding_delete"),
    path("<int:pk>/proposals/", conduct.proposals, name="proposals"),
    path("<int:pk>/proposals/<int:proposal>/edit/", conduct.proposal_edit, name="proposal_edit"),
    path(
        "<int:pk>/proposals/<int:proposal>/delete/",
        conduct.proposal_delete,
        name="proposal_delete",
    ),
    path("<int:pk>/summary/", conduct.summary, name="summary"),
    path("<int:pk>/fees/", conduct.fees, name="fees"),
    path("<int:pk>/fees/<int:entry>/delete/", conduct.fee_delete, name="fee_delete"),
    # The report PDF (report.py).
    path("<int:pk>/report/", report.report, name="report"),
    path("<int:pk>/report/new/", report.report_request, name="report_request"),
    path("<int:pk>/report/<int:version>/retry/", report.report_retry, name="report_retry"),
    path(
        "<int:pk>/report/<int:version>/download/",
        report.report_download,
        name="report_download",
    ),
    path("<int:pk>/report/<int:version>/status/", report.report_status, name="report_status"),
    # Fees for payout (payout.py).
    path("fees/", payout.fees_payout, name="fees_payout"),
    path("fees/csv/", payout.fees_payout_csv, name="fees_payout_csv"),
    # The interview and focus-group guides (audits/fieldwork, issue 18).
    path("", include("audits.fieldwork.urls")),
    # Field notes, coding and the analysis matrix (analysis/urls.py).
    path("", include("audits.analysis.urls")),
]
