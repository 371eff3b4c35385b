"""The report bank's models, named for the bank package.

They are defined in `audits/models/bank.py`, with the app's other models, so that the models
package imports nothing above it (no import cycle); this module only names them."""

from audits.models.bank import (  # noqa: F401
    Publication,
    PublicationFacet,
    PublicationQuerySet,
    PublicationTerms,
)
