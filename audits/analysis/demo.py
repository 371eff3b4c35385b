"""Demo field notes on the audit collecting data: notes by both auditors under the interview
guide, the guard's replacement already made in one, a few coded passages and a finding made
from a code, with its evidence. Called from audits.demo.seed after the guides exist."""

from __future__ import annotations

from audits.models import Audit, AuditMember, DataCollection

from . import services
from .models import Code, FieldNote

NOTES = [
    (
        "Flera beskrev att de blev väl mottagna första dagen. Handledaren visade runt och "
        "presenterade dem för gruppen. En sa att det var första gången någon frågade vad hen "
        "själv ville.",
        "Personalen hälsar alltid. Men när [namn] slutade fick ingen veta vem som tog över.",
    ),
    (
        "Det tar lång tid att få svar när man ringer, telefontiden är bara en timme på "
        "förmiddagen. Två sa att de gett upp och i stället gått dit.",
        "Väntan på besked om insatsen var det som oroade mest. Någon hade väntat i fyra månader.",
    ),
    (
        "Planeringen görs ofta utan att deltagaren är med. De får planen på papper efteråt. "
        "Några visste inte att de kunde be om ändringar.",
        "Den som var med och planerade tyckte att det gav mer. Det kändes som att bli tagen på "
        "allvar.",
    ),
]
# The code (a theme) and polarity of the first sentence of each of the lead's notes above.
CODING = [
    ("treatment", "positive"),
    ("accessibility", "negative"),
    ("participation", "negative"),
]


def _sentence(text: str, number: int) -> tuple[int, int]:
    """Where the `number`th sentence of `text` starts and ends."""
    start = 0
    for _ in range(number):
        start = text.index(". ", start) + 2
    return start, text.index(".", start) + 1


def seed(audits: list[Audit]) -> None:
    # Read the states again: the workflow's services moved the audits on in the database.
    for audit in Audit.objects.filter(
        pk__in=[audit.pk for audit in audits], status=Audit.Status.COLLECTING
    ):
        interview = audit.sessions.filter(kind=DataCollection.Kind.INTERVIEW).first()
        if interview is None or FieldNote.objects.filter(session__audit=audit).exists():
            continue  # idempotent: seeded before
        members = list(audit.members.order_by("role").select_related("user"))
        lead = next(m.user for m in members if m.role == AuditMember.Role.LEAD)
        other = next((m.user for m in members if m.user_id != lead.pk), lead)
        guide = audit.guides.filter(kind="interview").first()
        questions = (
            [q for section in guide.sections.all() for q in section.questions.current()][:3]
            if guide
            else []
        )
        services.ensure_theme_codes(audit)
        services.code_add(audit=audit, by=lead, name="Byte av handledare")
        codes = {code.theme or code.name: code for code in Code.objects.of_audit(audit)}
        # Under the guide's first three questions; as free notes if there is no guide yet.
        if questions:
            slots = [(q, [texts]) for q, texts in zip(questions, NOTES, strict=False)]
        else:
            slots = [(None, NOTES)]
        passages = []
        for question, texts in slots:
            lead_text = " ".join(lead_text for lead_text, _other in texts)
            note = services.save_note(
                session=interview,
                question=question,
                by=lead,
                text=lead_text,
                version=None,
                done=True,
            )
            services.save_note(
                session=interview,
                question=question,
                by=other,
                text=" ".join(other_text for _lead, other_text in texts),
                version=None,
            )
            offset = 0
            for index, _texts in enumerate(texts):
                code, polarity = CODING[(slots.index((question, texts)) + index) % len(CODING)]
                start, end = _sentence(lead_text[offset:], 0)
                passages.append(
                    services.code_passage(
                        note=note,
                        by=lead,
                        start=offset + start,
                        end=offset + end,
                        codes=[codes[code]],
                        polarity=polarity,
                    )
                )
                offset += len(texts[index][0]) + 1
        services.finding_from_code(
            code=codes["accessibility"],
            by=lead,
            title="Svårt att nå enheten per telefon",
            description=(
                "Deltagarna beskriver lång väntan på svar och en kort telefontid, så att "
                "några ger upp och går dit i stället."
            ),
            polarity="negative",
            quotes=[p for p in passages if codes["accessibility"] in p.codes.all()],
        )
