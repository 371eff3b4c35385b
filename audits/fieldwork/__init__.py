"""Fieldwork of an audit: the centre's question bank and the audit's interview and focus-group
guides (docs/domain.md §1 step 4). Models live here under the app label "audits"."""
