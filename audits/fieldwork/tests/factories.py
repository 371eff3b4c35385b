"""factory_boy factories for the question bank and the guides."""

from __future__ import annotations

import factory

from audits.fieldwork.models import BankQuestion
from audits.models import Theme


class BankQuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BankQuestion

    theme = Theme.TREATMENT
    use = BankQuestion.Use.BOTH
    text_sv = factory.Sequence(lambda n: f"Hur blir du bemött här? ({n})")
    text_nb = factory.Sequence(lambda n: f"Hvordan blir du møtt her? ({n})")
    text_en = factory.Sequence(lambda n: f"How are you treated here? ({n})")
    easy_read_sv = "Är personalen snäll?"
    easy_read_nb = "Er de ansatte snille?"
    easy_read_en = "Are the staff kind?"
    follow_ups_sv = "Kan du ge ett exempel?\nVad hände sedan?"
    follow_ups_nb = "Kan du gi et eksempel?\nHva skjedde etterpå?"
    follow_ups_en = "Can you give an example?\nWhat happened next?"
