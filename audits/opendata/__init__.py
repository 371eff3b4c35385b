"""Open data: the published audits of the report bank, their findings and improvement
proposals as a read-only JSON API (Django REST framework), CSV files and Atom feeds,
under CC BY 4.0, with nothing personal in them (docs/open-data.md)."""
