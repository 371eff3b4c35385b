"""The guide pages, under an audit: /audits/<pk>/guides/… (namespace audits:fieldwork)."""

from django.urls import path

from . import views

app_name = "fieldwork"
guide = "<int:pk>/guides/<str:kind>/"
urlpatterns = [
    path("<int:pk>/guides/", views.guides, name="guides"),
    path(f"{guide}", views.guide, name="guide"),
    path(f"{guide}start/", views.guide_start, name="guide_start"),
    path(f"{guide}introduction/", views.introduction, name="introduction"),
    path(f"{guide}share/", views.share, name="share"),
    path(f"{guide}bank/", views.bank, name="bank"),
    path(f"{guide}sections/new/", views.section_add, name="section_add"),
    path(f"{guide}sections/<int:section>/", views.section_edit, name="section_edit"),
    path(f"{guide}sections/<int:section>/delete/", views.section_delete, name="section_delete"),
    path(
        f"{guide}sections/<int:section>/move/<str:direction>/",
        views.section_move,
        name="section_move",
    ),
    path(f"{guide}questions/new/", views.question_add, name="question_add"),
    path(f"{guide}questions/<int:question>/", views.question_edit, name="question_edit"),
    path(
        f"{guide}questions/<int:question>/move/<str:direction>/",
        views.question_move,
        name="question_move",
    ),
    path(f"{guide}questions/<int:question>/remove/", views.question_remove, name="question_remove"),
    path(
        f"{guide}questions/<int:question>/restore/",
        views.question_restore,
        name="question_restore",
    ),
    path(f"{guide}pdf/", views.pdf_request, name="pdf_request"),
    path(f"{guide}pdf/<int:pdf>/", views.pdf_download, name="pdf_download"),
]
