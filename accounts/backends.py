"""How a signed-in session finds its person on each request."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class AccountBackend(ModelBackend):
    """Django's ModelBackend, reading the person's "sign out everywhere" epoch
    (accounts.AccountSecurity) in the same query as the person: every signed-in request
    compares it with its session's (accounts.middleware.SessionLimitsMiddleware), and a
    query of its own each time would be one more per request. Read afresh on each
    request, so signing out everywhere ends the other sessions at their next request."""

    def get_user(self, user_id):
        users = get_user_model()._default_manager.select_related("account_security")
        try:
            user = users.get(pk=user_id)
        except users.model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
