"""Demo surveys for `seed_demo`: one published with answers, one draft. Runs again safely."""

from __future__ import annotations

import random
from datetime import timedelta

from django.utils import timezone

from . import services
from .models import Answer, Kind, Option, Response, Survey

# Fixed link codes so that the demo survey has the same address after every reseed.
DEMO_TOKEN = "demo-daglig-verksamhet"  # noqa: S105
DRAFT_TOKEN = "demo-brukarradet-2027"  # noqa: S105


def _texts(field: str, sv: str, nb: str, en: str) -> dict[str, str]:
    return {f"{field}_sv": sv, f"{field}_nb": nb, f"{field}_en": en}


def _options(question, rows) -> None:
    for position, (value, sv, nb, en) in enumerate(rows, start=1):
        Option.objects.create(
            question=question, position=position, value=value, **_texts("label", sv, nb, en)
        )


def seed(*, staff) -> list[Survey]:
    survey = Survey.objects.filter(token=DEMO_TOKEN).first()
    if survey is None:
        survey = _published_survey(staff)
        _answers(survey)
    # The demo auditor reads and builds it as the lead of the audit that links it (audits.demo).
    draft = Survey.objects.filter(token=DRAFT_TOKEN).first()
    if draft is None:
        draft = services.survey_create(
            by=staff,
            token=DRAFT_TOKEN,
            **_texts(
                "title",
                "Brukarrådets enkät 2027",
                "Brukerrådets spørreskjema 2027",
                "The user council's survey 2027",
            ),
        )
        section = draft.sections.get()
        services.question_add(
            section=section,
            kind=Kind.YES_NO,
            **_texts(
                "text",
                "Känner du till brukarrådet?",
                "Kjenner du til brukerrådet?",
                "Do you know about the user council?",
            ),
            # Left without easy-to-read text on purpose: the builder's check shows what is missing.
        )
    return [survey, draft]


def _published_survey(staff) -> Survey:
    survey = services.survey_create(
        by=staff,
        token=DEMO_TOKEN,
        **_texts(
            "title",
            "Vad tycker du om din dagliga verksamhet?",
            "Hva synes du om dagaktivitetstilbudet ditt?",
            "What do you think of your day activity centre?",
        ),
        **_texts(
            "intro",
            "Brukarrevisorerna vill veta vad du tycker. Det tar ungefär fem minuter.",
            "Brukerrevisorene vil vite hva du synes. Det tar omtrent fem minutter.",
            "The user auditors want to know what you think. It takes about five minutes.",
        ),
        closes_at=timezone.now() + timedelta(days=45),
        retention_days=365,
    )
    section = survey.sections.get()
    services.question_add(
        section=section,
        kind=Kind.YES_NO,
        is_practice=True,
        **_texts("text", "Tycker du om kaffe?", "Liker du kaffe?", "Do you like coffee?"),
        **_texts("easy", "Tycker du om kaffe?", "Liker du kaffe?", "Do you like coffee?"),
        **_texts(
            "help",
            "Det här är en övningsfråga. Prova att svara.",
            "Dette er et øvingsspørsmål. Prøv å svare.",
            "This is a practice question. Try answering.",
        ),
    )
    services.question_add(
        section=section,
        kind=Kind.SCALE5,
        bank_key="treatment-respect",
        **_texts(
            "text",
            "Hur bemöter personalen dig?",
            "Hvordan blir du møtt av de ansatte?",
            "How do the staff treat you?",
        ),
        **_texts(
            "easy",
            "Är personalen snäll mot dig?",
            "Er de ansatte snille mot deg?",
            "Are the staff kind to you?",
        ),
        **_texts(
            "help",
            "Tänk på hur det brukar vara.",
            "Tenk på hvordan det pleier å være.",
            "Think about how it usually is.",
        ),
    )
    listen = services.question_add(
        section=section,
        kind=Kind.YES_NO,
        **_texts(
            "text",
            "Lyssnar personalen på dig?",
            "Lytter de ansatte til deg?",
            "Do the staff listen to you?",
        ),
        **_texts(
            "easy",
            "Lyssnar personalen när du pratar?",
            "Hører de ansatte på deg når du snakker?",
            "Do the staff listen when you talk?",
        ),
        **_texts(
            "help",
            "Lyssnar betyder att personalen hör vad du säger och bryr sig om det.",
            "Lytter betyr at de ansatte hører hva du sier og bryr seg om det.",
            "Listen means that the staff hear what you say and care about it.",
        ),
    )
    services.question_add(
        section=section,
        kind=Kind.TEXT,
        show_if_option=listen.options.get(value="no"),
        **_texts(
            "text",
            "Vad skulle personalen göra annorlunda?",
            "Hva burde de ansatte gjøre annerledes?",
            "What should the staff do differently?",
        ),
        **_texts(
            "easy",
            "Vad ska personalen göra i stället?",
            "Hva skal de ansatte gjøre i stedet?",
            "What should the staff do instead?",
        ),
        **_texts(
            "help",
            "Skriv med egna ord. Du kan också be din stödperson skriva.",
            "Skriv med egne ord. Du kan også be støttepersonen din skrive.",
            "Write in your own words. You can also ask your support person to write.",
        ),
    )
    services.question_add(
        section=section,
        kind=Kind.SCALE3,
        **_texts(
            "text",
            "Hur trygg känner du dig i verksamheten?",
            "Hvor trygg føler du deg i tilbudet?",
            "How safe do you feel at the centre?",
        ),
        **_texts(
            "easy", "Känner du dig trygg här?", "Føler du deg trygg her?", "Do you feel safe here?"
        ),
        **_texts(
            "help",
            "Trygg betyder att du inte är rädd.",
            "Trygg betyr at du ikke er redd.",
            "Safe means you are not afraid.",
        ),
    )
    often = services.question_add(
        section=section,
        kind=Kind.SINGLE,
        **_texts(
            "text",
            "Hur länge har du varit här?",
            "Hvor lenge har du vært her?",
            "How long have you been coming here?",
        ),
        **_texts(
            "easy",
            "Hur länge har du varit här?",
            "Hvor lenge har du vært her?",
            "How long have you been here?",
        ),
        **_texts(
            "help",
            "Tänk på när du kom hit första gången.",
            "Tenk på da du kom hit første gang.",
            "Think of when you first came here.",
        ),
    )
    _options(
        often,
        [
            ("lt1", "Mindre än ett år", "Mindre enn ett år", "Less than a year"),
            ("1to5", "1–5 år", "1–5 år", "1–5 years"),
            ("gt5", "Mer än 5 år", "Mer enn 5 år", "More than 5 years"),
        ],
    )
    doing = services.question_add(
        section=section,
        kind=Kind.MULTIPLE,
        **_texts(
            "text",
            "Vad gör du i verksamheten?",
            "Hva gjør du i tilbudet?",
            "What do you do at the centre?",
        ),
        **_texts("easy", "Vad gör du här?", "Hva gjør du her?", "What do you do here?"),
        **_texts(
            "help",
            "Välj allt du brukar göra. Du får välja flera.",
            "Velg alt du pleier å gjøre. Du kan velge flere.",
            "Choose everything you usually do. You may choose more than one.",
        ),
    )
    _options(
        doing,
        [
            ("cook", "Lagar mat", "Lager mat", "Cooking"),
            ("craft", "Hantverk", "Håndverk", "Crafts"),
            ("garden", "Trädgård", "Hagearbeid", "Gardening"),
            ("music", "Musik", "Musikk", "Music"),
        ],
    )
    services.question_add(
        section=section,
        kind=Kind.NUMBER,
        min_value=0,
        max_value=7,
        **_texts(
            "text",
            "Hur många dagar i veckan är du här?",
            "Hvor mange dager i uken er du her?",
            "How many days a week are you here?",
        ),
        **_texts(
            "easy",
            "Hur många dagar är du här varje vecka?",
            "Hvor mange dager er du her hver uke?",
            "How many days are you here each week?",
        ),
        **_texts(
            "help",
            "Skriv en siffra, till exempel 3.",
            "Skriv et tall, for eksempel 3.",
            "Write a number, for example 3.",
        ),
    )
    services.question_add(
        section=section,
        kind=Kind.TEXT,
        **_texts(
            "text",
            "Vill du säga något mer?",
            "Vil du si noe mer?",
            "Is there anything else you want to say?",
        ),
        **_texts(
            "easy", "Vill du säga något mer?", "Vil du si noe mer?", "Do you want to say more?"
        ),
        **_texts(
            "help",
            "Du kan skriva vad du vill. Skriv inte ditt namn.",
            "Du kan skrive hva du vil. Ikke skriv navnet ditt.",
            "You can write what you like. Do not write your name.",
        ),
    )
    services.unit_add(survey=survey, name="Daglig verksamhet Norra")
    services.unit_add(survey=survey, name="Daglig verksamhet Söder")
    survey = services.survey_publish(survey=survey, by=staff)
    services.code_batch_create(
        survey=survey, size=24, unit=survey.units.get(name__endswith="Norra")
    )
    return survey


COMMENTS = [
    "Jag vill ha mer tid i trädgården.",
    "Bra personal, men det är stökigt ibland.",
    "Maten är god.",
    "Jag vill lära mig laga mer mat.",
    "Det är bra att vi får bestämma musiken på fredagar.",
]


def _answers(survey: Survey) -> None:
    """Thirty-four anonymous responses spread over both units, web and paper."""
    rng = random.Random(2026)  # noqa: S311  (repeatable demo data, not security)
    questions = list(survey.questions.in_order().prefetch_related("options"))
    units = list(survey.units.all())
    for index in range(34):
        unit = units[0] if index < 22 else units[1]
        helped = index % 4 == 0
        started = services.response_start(
            survey=survey,
            unit=unit,
            start_key=f"demo-{survey.pk}-{index}",
            easy_read=index % 3 == 0,
            support=Response.Support.HELPED if helped else Response.Support.ALONE,
            support_role=Response.SupportRole.QUESTION_ASSISTANT if helped else "",
        )
        response = started.response
        chosen: set[int] = set()
        for question in questions:
            if not services.is_visible(question, chosen):
                continue
            options = list(question.options.all())
            if question.kind == Kind.MULTIPLE:
                picks = rng.sample(options, k=rng.randint(1, 3))
                given = services.GivenAnswer([o.pk for o in picks])
            elif question.has_options:
                if rng.random() < 0.08:
                    given = services.GivenAnswer([], dont_know=True)
                else:
                    weights = [1 + i for i in range(len(options))]
                    given = services.GivenAnswer([rng.choices(options, weights)[0].pk])
            elif question.kind == Kind.NUMBER:
                given = services.GivenAnswer([], number=rng.randint(1, 5))
            elif rng.random() < 0.4:
                given = services.GivenAnswer([], text=rng.choice(COMMENTS))
            else:
                continue
            services.answer_save(response=response, question=question, given=given)
            chosen.update(given.option_ids)
        services.response_submit(response=response)
    Response.objects.filter(survey=survey, start_key__endswith="-1").update(channel="paper")
    texts = list(Answer.objects.filter(response__survey=survey).exclude(text=""))
    for answer in texts[: len(texts) * 2 // 3]:
        services.free_text_review(answer=answer, decision=Answer.Review.APPROVED)
