"""User councils in Django admin, made for a council secretary's daily work.

Every change of state goes through councils.services: the buttons on the change pages
(send the notice, approve the minutes, recommend, appoint, decline …) open a small admin
page that calls one service; a ValidationError from it becomes a form error and an admin
message, and nothing is saved. Rows edited in inlines are validated with the same rules
(services.member_validate for terms) before anything is written.

One module per area; importing them here is what registers them when Django's admin
autodiscovers `councils.admin`.
"""

from . import appointments, assessments, cases, councils, meetings, members  # noqa: F401
