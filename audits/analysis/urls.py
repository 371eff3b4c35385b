"""The analysis pages, included under /audits/ in the audits namespace."""

from django.urls import path

from . import views

urlpatterns = [
    path("<int:pk>/analysis/", views.analysis, name="analysis"),
    path("<int:pk>/analysis/passages/", views.passages, name="analysis_passages"),
    path(
        "<int:pk>/analysis/codes/<int:code_id>/finding/",
        views.finding_from_code,
        name="analysis_finding",
    ),
    path("<int:pk>/sessions/<int:session_id>/notes/", views.notes, name="analysis_notes"),
    path("<int:pk>/notes/<int:note_id>/replace/", views.note_replace, name="analysis_replace"),
    path("<int:pk>/notes/<int:note_id>/code/", views.note_code, name="analysis_code"),
]
