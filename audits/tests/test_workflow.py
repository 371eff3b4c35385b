"""The workflow table (audits.workflow) is complete: every history kind is written by a step,
and every step that writes one is performed by a registered service."""

import pytest

from audits import services, workflow
from audits.models import Audit, AuditEvent


def test_every_history_kind_but_the_order_itself_belongs_to_one_step():
    kinds = [step.kind for step in workflow.STEPS.values() if step.kind]

    assert len(kinds) == len(set(kinds))
    # Sending the order is the commissioner's draft becoming an audit: no step on the page.
    # Publishing in the report bank changes no state of the audit: its own services.
    bank = {
        AuditEvent.Kind.PUBLICATION_TERMS_SAVED,
        AuditEvent.Kind.PUBLICATION_CONSENTED,
        AuditEvent.Kind.REPORT_PUBLISHED,
        AuditEvent.Kind.REPORT_WITHDRAWN,
        # Linking a re-audit to its earlier audit (audits/services/reaudit.py) neither.
        AuditEvent.Kind.REAUDIT_LINKED,
    }
    assert set(kinds) | {AuditEvent.Kind.SUBMITTED} | bank == set(AuditEvent.Kind.values)


@pytest.mark.parametrize(
    "step", [step for step in workflow.STEPS.values() if step.kind], ids=lambda step: step.name
)
def test_every_step_that_writes_history_has_its_service(step):
    assert step.service.__module__.startswith("audits.services.")
    assert getattr(services, step.service.__name__) is step.service


def test_the_plain_transitions_lead_from_one_state_to_another():
    for name, step in workflow.PLAIN.items():
        assert step.url_args == (name,)
        assert len(step.from_states) == 1
        assert step.to_state in Audit.Status.values
