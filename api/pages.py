"""The person's own "API tokens" page: make a token (its secret shown once), see and
revoke their tokens."""

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from api import tokens
from api.models import ApiToken
from grants.form_errors import add_service_errors
from grants.forms import DATE_WIDGET


class TokenForm(forms.Form):
    name = forms.CharField(
        max_length=100, help_text="What the token is for, such as “County ledger sync”."
    )
    expires_on = forms.DateField(
        label="Expires on",
        help_text="The last day the token works; at most a year from today.",
        widget=DATE_WIDGET,
    )


@login_required
def token_list(request):
    form = TokenForm(
        request.POST or None,
        initial={"expires_on": timezone.localdate() + timedelta(days=90)},
    )
    created = None
    if request.method == "POST" and form.is_valid():
        try:
            created = tokens.token_create(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            form = TokenForm(initial={"expires_on": form.cleaned_data["expires_on"]})
    return render(
        request,
        "api/tokens.html",
        {
            "form": form,
            "created": created,
            "tokens": tokens.tokens_for_user(user=request.user),
        },
    )


@login_required
@require_POST
def token_revoke(request, token_id: int):
    try:
        token = tokens.token_revoke(user=request.user, token_id=token_id)
    except ApiToken.DoesNotExist:
        raise Http404("No such API token.") from None
    messages.success(request, f"The token “{token.name}” is revoked: it no longer works.")
    return redirect("api_tokens:list")
