"""Step-up for money decisions: approving a drawdown, certifying an SF-425, publishing
an allocation ask for the second factor again when the last verification is older than
MFA_STEP_UP_MINUTES. Only the pages ask; the services are unchanged."""

from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse

from accounts.mfa_policy import is_fresh


def step_up_required(back=None):
    """Decorate a view whose POST decides money. A stale session is sent to verify and
    then back to `back` (a URL name, or a function of the view's arguments giving a
    URL; by default the same address) to submit again: the form is not replayed."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method == "POST" and not is_fresh(request):
                if callable(back):
                    return_to = back(request, *args, **kwargs)
                else:
                    return_to = reverse(back) if back else request.get_full_path()
                messages.info(
                    request,
                    "Confirm it is you before this decision: your last verification was more "
                    f"than {settings.MFA_STEP_UP_MINUTES} minutes ago. Then submit it again.",
                )
                query = urlencode({"next": return_to, "step_up": "1"})
                return redirect(f"{reverse('mfa:verify')}?{query}")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
