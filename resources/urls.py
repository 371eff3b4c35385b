from django.urls import path

from .views import editor, guidance, library, training

app_name = "resources"
# Fixed paths come before "<slug>/": a resource cannot be called "manage", "courses" or
# "guidance" (the editor's form refuses those slugs).
urlpatterns = [
    path("", library.library, name="library"),
    # The staff editor (editor.py).
    path("manage/", editor.dashboard, name="editor"),
    path("manage/new/", editor.create, name="create"),
    path("manage/<int:pk>/", editor.edit, name="edit"),
    path("manage/<int:pk>/preview/", editor.preview, name="preview"),
    path("manage/<int:pk>/attachments/", editor.attachment_add, name="attachment_add"),
    path(
        "manage/<int:pk>/attachments/<int:attachment>/remove/",
        editor.attachment_remove,
        name="attachment_remove",
    ),
    path("manage/<int:pk>/submit/", editor.submit, name="submit"),
    path("manage/<int:pk>/review/", editor.review, name="review"),
    path("manage/<int:pk>/archive/", editor.archive, name="archive"),
    path("manage/<int:pk>/translate/", editor.translate, name="translate"),
    path("manage/<int:pk>/follows-source/", editor.mark_current, name="mark_current"),
    # Training (training.py).
    path("courses/", training.courses, name="courses"),
    path("courses/mine/", training.my_courses, name="my_courses"),
    path("courses/<slug:slug>/", training.course, name="course"),
    path("courses/<slug:slug>/register/", training.register, name="register"),
    path(
        "courses/<slug:slug>/registrations/<int:pk>/cancel/",
        training.registration_cancel,
        name="registration_cancel",
    ),
    path("courses/<slug:slug>/manage/", training.course_manage, name="course_manage"),
    path(
        "courses/<slug:slug>/sessions/<int:session>/attendance/",
        training.session_attendance,
        name="session_attendance",
    ),
    path(
        "courses/<slug:slug>/registrations/<int:pk>/complete/",
        training.registration_complete,
        name="registration_complete",
    ),
    # Method guidance (guidance.py).
    path("guidance/", guidance.guidance, name="guidance"),
    path("guidance/thanks/", guidance.guidance_thanks, name="guidance_thanks"),
    path("guidance/queue/", guidance.guidance_queue, name="guidance_queue"),
    path("guidance/queue/<int:pk>/", guidance.guidance_handle, name="guidance_handle"),
    # The public library (library.py).
    path("<slug:slug>/", library.detail, name="detail"),
    path("<slug:slug>/v<int:number>/", library.version, name="version"),
    path("<slug:slug>/v<int:number>/pdf/", library.print_pdf, name="print_pdf"),
    path("<slug:slug>/files/<int:attachment>/", library.attachment, name="attachment"),
]
