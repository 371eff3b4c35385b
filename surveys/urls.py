from django.urls import path

from .views import builder, manage, respond

app_name = "surveys"
urlpatterns = [
    # Answering (anonymous) first: the requests a survey gets most of are found after the
    # fewest patterns tried.
    path("resume/", respond.resume, name="resume"),
    path("a/<str:token>/", respond.answer_start, name="answer_start"),
    path("a/<str:token>/q/<int:question>/", respond.answer_question, name="answer_question"),
    path("a/<str:token>/all/", respond.answer_all, name="answer_all"),
    path("a/<str:token>/review/", respond.answer_review, name="answer_review"),
    path("a/<str:token>/pause/", respond.answer_pause, name="answer_pause"),
    path("a/<str:token>/done/", respond.answer_done, name="answer_done"),
    path("a/<str:token>/settings/", respond.answer_settings, name="answer_settings"),
    # Building and managing (staff and the survey's auditors)
    path("", builder.survey_list, name="list"),
    path("new/", builder.survey_create, name="create"),
    path("<int:pk>/", builder.builder, name="builder"),
    path("<int:pk>/settings/", builder.survey_settings, name="settings"),
    path("<int:pk>/sections/new/", builder.section_create, name="section_create"),
    path("<int:pk>/questions/new/", builder.question_create, name="question_create"),
    path("<int:pk>/questions/<int:question>/", builder.question_edit, name="question_edit"),
    path(
        "<int:pk>/questions/<int:question>/delete/",
        builder.question_delete,
        name="question_delete",
    ),
    path("<int:pk>/questions/<int:question>/move/", builder.question_move, name="question_move"),
    path("<int:pk>/bank/", builder.bank, name="bank"),
    path("<int:pk>/publish/", builder.survey_publish, name="publish"),
    path("<int:pk>/close/", builder.survey_close, name="close"),
    path("<int:pk>/new-version/", builder.survey_new_version, name="new_version"),
    path("<int:pk>/delete/", builder.survey_delete, name="delete"),
    path("<int:pk>/test-answers/delete/", builder.test_answers_delete, name="test_answers_delete"),
    path("<int:pk>/preview/", respond.preview, name="preview"),
    path("<int:pk>/distribution/", manage.distribution, name="distribution"),
    path("<int:pk>/codes/<int:batch>/slips.pdf", manage.code_slips, name="code_slips"),
    path("<int:pk>/paper.pdf", manage.paper_pdf, name="paper_pdf"),
    path("<int:pk>/paper/", manage.paper_entry, name="paper_entry"),
    path("<int:pk>/results/", manage.results, name="results"),
    path("<int:pk>/free-text/", manage.free_text, name="free_text"),
    path("<int:pk>/exports/", manage.exports, name="exports"),
    path("<int:pk>/exports/<int:job>/", manage.export_status, name="export_status"),
    path("<int:pk>/exports/<int:job>/download/", manage.export_download, name="export_download"),
    path("<int:pk>/people/", manage.members, name="members"),
    path("pictures/<str:kind>/<int:pk>/", respond.picture, name="picture"),
]
