"""The library, courses and method guidance in Django admin.

The workflow is not run from here: a resource is written, sent for review, approved by a
second person, published and archived through resources.services (the editor in the
portal), which keeps the rules. Status and the published version are read-only; published
versions, reviews, attendance and training records are records, shown but never changed.
Admin's own edits of a resource's text go through services.resource_update, so a resource in
review goes back to draft as it would in the editor.

Split by area: `library`, `training` and `guidance` register the admin pages (imported here,
so that Django's admin autodiscovery finds them); `importing` holds the import-export
classes and `base` what the pages share.
"""

from . import guidance, library, training

__all__ = ["guidance", "library", "training"]
