from django.urls import path

from .views import portal

app_name = "councils"
urlpatterns = [
    path("", portal.council_list, name="list"),
    path("my-data/", portal.my_data, name="my_data"),
    path("<slug:slug>/", portal.council_detail, name="detail"),
    path("<slug:slug>/mandate/", portal.mandate_history, name="mandate_history"),
    path("<slug:slug>/minutes/<int:meeting>/pdf/", portal.minutes_pdf, name="minutes_pdf"),
    path("<slug:slug>/members/", portal.member_home, name="member_home"),
    path("<slug:slug>/meetings/<int:meeting>/", portal.meeting, name="meeting"),
    path("<slug:slug>/documents/<int:document>/", portal.document, name="document"),
    path("<slug:slug>/cases/", portal.cases, name="cases"),
    path("<slug:slug>/cases/new/", portal.case_submit, name="case_submit"),
    path("<slug:slug>/cases/<int:number>/", portal.case_detail, name="case_detail"),
    path("<slug:slug>/assessments/", portal.assessments, name="assessments"),
    path("<slug:slug>/assessments/new/", portal.assessment_new, name="assessment_new"),
    path(
        "<slug:slug>/assessments/<int:assessment>/",
        portal.assessment_detail,
        name="assessment_detail",
    ),
    path("<slug:slug>/annual/", portal.annual_reports, name="annual_reports"),
    path("<slug:slug>/annual/<int:year>/pdf/", portal.annual_report_pdf, name="annual_report_pdf"),
]
