from django.contrib.auth.backends import ModelBackend


class EmailBackend(ModelBackend):
    """ModelBackend that also prefetches groups, since every page asks for the user's roles."""

    def get_user(self, user_id):
        user_model = self._get_user_model()
        try:
            user = user_model._default_manager.prefetch_related("groups").get(pk=user_id)
        except user_model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None

    @staticmethod
    def _get_user_model():
        from django.contrib.auth import get_user_model

        return get_user_model()
