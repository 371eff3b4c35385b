"""What the resources app tells other apps, without knowing who listens.

Apps that depend on the library (audits: its auditor pool needs training records) connect
receivers here; resources imports none of them, so the dependency runs one way.
"""

from __future__ import annotations

from django.dispatch import Signal

# A participant completed a course, inside the completion's transaction (a receiver that
# fails rolls the completion back). Arguments: registration (its course and participant
# loaded), valid_until (the date the training expires, or None when it does not).
course_completed = Signal()
