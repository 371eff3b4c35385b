"""A fifth app's contributions, for test_registry: picked up by autodiscover alone."""

from brukarkraft import registry
from brukarkraft.roles import Role

registry.register_demo("fake_app", lambda demo: (["row"], "1 fake row"), order=5)
registry.register_beat("fake-job", "fake_app.tasks.job", 60)
registry.register_role_permissions(Role.STAFF, ["fake_app.view_thing"])
