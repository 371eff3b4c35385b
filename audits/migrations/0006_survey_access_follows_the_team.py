"""The team's access to an audit's survey is now read from the team itself
(audits.access.team_survey_ids). Until now the audits app copied it into SurveyMember
rows when a survey was linked or an auditor added, and never took it back: an auditor
taken off the team, or the team of an audit whose survey was swapped, kept it. This
deletes those copies: rows on a survey an audit links (now or before, by its events)
for people who are or were on that audit's team. Access given by hand to anyone else
stays."""

from django.db import migrations


def delete_copied_grants(apps, schema_editor):
    Audit = apps.get_model("audits", "Audit")
    AuditEvent = apps.get_model("audits", "AuditEvent")
    AuditMember = apps.get_model("audits", "AuditMember")
    Survey = apps.get_model("surveys", "Survey")
    SurveyMember = apps.get_model("surveys", "SurveyMember")
    User = apps.get_model("brukarkraft", "User")

    for audit in Audit.objects.all().iterator():
        surveys = set()
        if audit.survey_id:
            surveys.add(audit.survey_id)
        # A survey linked before is named in the event as "<Swedish title> (v<version>)".
        for name in AuditEvent.objects.filter(audit=audit, action="survey_linked").values_list(
            "comment", flat=True
        ):
            title, _, version = name.rpartition(" (v")
            if title and version.rstrip(")").isdigit():
                surveys.update(
                    Survey.objects.filter(
                        title_sv=title, version=int(version.rstrip(")"))
                    ).values_list("pk", flat=True)
                )
        if not surveys:
            continue
        people = set(AuditMember.objects.filter(audit=audit).values_list("user_id", flat=True))
        removed = AuditEvent.objects.filter(audit=audit, action="member_removed").values_list(
            "comment", flat=True
        )
        people.update(User.objects.filter(full_name__in=list(removed)).values_list("pk", flat=True))
        SurveyMember.objects.filter(survey_id__in=surveys, user_id__in=people).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("audits", "0005_text_limits"),
        ("surveys", "0004_code_slips_in_background"),
    ]

    operations = [migrations.RunPython(delete_copied_grants, migrations.RunPython.noop)]
