"""The person's account page, password change and reset, and the access review."""

from datetime import UTC, datetime

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.views.decorators.http import require_POST

from accounts import services
from accounts.access_review import access_rows
from grants import access
from grants.audit import audit_record


@login_required
def account(request):
    signed_in_at = request.session.get("signed_in_at")
    return render(
        request,
        "accounts/account.html",
        {"signed_in_at": datetime.fromtimestamp(signed_in_at, tz=UTC) if signed_in_at else None},
    )


@login_required
@require_POST
def sign_out_everywhere(request):
    services.sign_out_everywhere(user=request.user)
    request.session_end_reason = "signed out everywhere"
    logout(request)
    messages.success(
        request, "You are signed out everywhere: every session of your account has ended."
    )
    return redirect("login")


def admin_login(request):
    """The Django admin signs in through the app's own sign-in page, lockout and all."""
    target = reverse("login")
    if request.GET.get("next"):
        target += "?" + request.GET.urlencode()
    return redirect(target)


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:password_change_done")

    def form_valid(self, form):
        # Django keeps this session (update_session_auth_hash); the new password's hash
        # no longer matches any other session's, so those end at their next request.
        response = super().form_valid(form)
        audit_record(actor=self.request.user, action="accounts.password_changed", obj=form.user)
        return response


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "accounts/password_change_done.html"


class PasswordResetView(auth_views.PasswordResetView):
    """The same answer whether or not the address belongs to an account."""

    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form):
        audit_record(
            actor=None,
            action="accounts.password_reset_requested",
            data={"email": form.cleaned_data["email"][:254]},
        )
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """The emailed link: it works once (it signs the old password's hash) and expires
    after PASSWORD_RESET_TIMEOUT."""

    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        audit_record(actor=None, action="accounts.password_reset", obj=form.user)
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


@login_required
def access_review(request):
    access.require(access.can_review_access(request.user))
    return render(
        request,
        "accounts/access_review.html",
        {
            "rows": access_rows(),
            "can_unlock": access.can_administer_accounts(request.user),
        },
    )


@login_required
@require_POST
def unlock(request):
    access.require(
        access.can_administer_accounts(request.user), "Only a system administrator unlocks sign-in."
    )
    username = request.POST.get("username", "")
    address = request.POST.get("address", "")
    if not username.strip() and not address.strip():
        messages.error(request, "Name the username or the address to unlock.")
        return redirect("accounts:access_review")
    cleared = services.unlock(actor=request.user, username=username, address=address)
    who = " and ".join(
        f"{label} “{value.strip()}”"
        for label, value in (("username", username), ("address", address))
        if value.strip()
    )
    messages.success(
        request,
        f"Sign-in is unlocked for {who}: {cleared} failed-attempt record(s) cleared.",
    )
    return redirect("accounts:access_review")
