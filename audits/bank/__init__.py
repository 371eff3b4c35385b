"""The report bank: publication terms in the agreement, the commissioner's consent and the
centre's publishing of an approved report, and the public, searchable bank of published
audits (issue 19). Everything it owns lives in this package; `audits.models` imports its
models so that Django finds them in the audits app."""
