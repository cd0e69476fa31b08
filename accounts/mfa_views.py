"""Enrolling, using and managing second factors (docs/security.md "Second factors")."""

from base64 import b32encode
from binascii import unhexlify

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice, default_key

from accounts import mfa_changes, mfa_policy, mfa_recovery
from accounts.mfa_forms import CodeForm, EnrolAppForm
from accounts.mfa_policy import Standing, requires_passkey, standing
from accounts.mfa_qr import qr_data_uri
from accounts.mfa_stepup import step_up_required
from grants.audit import audit_record

TOTP_KEY_SESSION_KEY = "mfa_totp_key"


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("home")


@login_required
def enrol(request):
    """First sign-in (or adding a factor): which factor to set up."""
    return render(
        request,
        "accounts/mfa/enrol.html",
        {
            "passkey_only": requires_passkey(request.user),
            "first": standing(request) is Standing.ENROL,
        },
    )


@login_required
def enrol_totp(request):
    if requires_passkey(request.user):
        messages.error(
            request, "Your role signs in with a passkey; an authenticator app is not enough."
        )
        return redirect("mfa:enrol_passkey")
    key = request.session.get(TOTP_KEY_SESSION_KEY)
    if key is None or request.method == "GET":
        key = request.session[TOTP_KEY_SESSION_KEY] = default_key()
    form = EnrolAppForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        if code.isdigit() and TOTP(unhexlify(key)).verify(int(code), tolerance=1):
            name = form.cleaned_data["name"] or "Authenticator app"
            device = TOTPDevice.objects.create(
                user=request.user, name=name, key=key, confirmed=True
            )
            del request.session[TOTP_KEY_SESSION_KEY]
            mfa_changes.enrolled(request, device)
            mfa_policy.mark_verified(request, device, enrolled=True)
            if not mfa_recovery.has_codes(request.user):
                mfa_recovery.issue(request, reason="first enrolment")
            messages.success(request, f"Authenticator app “{name}” added.")
            return redirect("mfa:recovery_codes")
        mfa_policy.record_failure(request, mfa_policy.AUTHENTICATOR_APP, "enrolment code")
        form.add_error(
            "code",
            "That code does not match: check the app shows “ICAC Grants” for your account "
            "and type the code it shows now.",
        )
    device = TOTPDevice(user=request.user, key=key, name="enrolment")
    return render(
        request,
        "accounts/mfa/enrol_totp.html",
        {
            "form": form,
            "qr": qr_data_uri(device.config_url),
            "secret": " ".join(
                b32encode(unhexlify(key)).decode()[i : i + 4] for i in range(0, 32, 4)
            ),
        },
    )


@login_required
def enrol_passkey(request):
    return render(
        request,
        "accounts/mfa/enrol_passkey.html",
        {"unlocked_by_code": standing(request) is Standing.ENROL_PASSKEY},
    )


def _is_app_code(code: str) -> bool:
    return code.isdigit() and len(code) == 6


def _match_code(request, code: str, *, apps: bool = True):
    """The device that accepts `code` (which it then will not accept again), or None.
    With `apps` False an authenticator app's code is not tried."""
    user = request.user
    code = code.strip().replace(" ", "")
    if _is_app_code(code):
        if not apps:
            return None
        for device in mfa_policy.authenticator_apps(user):
            if device.verify_token(code):
                return device
        return None
    for device in mfa_policy.recovery_devices(user):
        if device.verify_token(mfa_recovery.normalise(code)):
            return device
    return None


@login_required
def verify(request):
    """The second step of signing in, and the step-up before money decisions."""
    user = request.user
    where = standing(request)
    if where is Standing.ENROL:
        return redirect("mfa:enrol")
    staff = requires_passkey(user)
    has_passkey = mfa_policy.passkeys(user).exists()
    # Staff confirm with a passkey; a code would only lower their session.
    takes_codes = not (staff and where is Standing.SATISFIED)
    # Staff who hold a passkey verify with it, or with a recovery code if it is lost: an
    # app's code (phishable) would let its holder enrol a passkey of their own.
    takes_app_codes = not (staff and has_passkey)
    form = CodeForm(request.POST or None) if takes_codes else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied("Your role confirms with a passkey.")
        if form.is_valid():
            code = form.cleaned_data["code"].strip().replace(" ", "")
            device = _match_code(request, code, apps=takes_app_codes)
            if device is not None:
                mfa_policy.mark_verified(request, device)
                if mfa_policy.kind_of(device) == mfa_policy.RECOVERY_CODE:
                    left = mfa_policy.recovery_codes_left(user)
                    audit_record(
                        actor=user,
                        action="mfa.recovery_code_used",
                        obj=device,
                        data={"codes_left": left},
                    )
                    messages.warning(
                        request,
                        f"You used a recovery code; {left} left. "
                        "Make new ones on the sign-in security page if you are running low.",
                    )
                if not mfa_policy.satisfies(user, device):
                    messages.warning(
                        request,
                        "Your role signs in with a passkey. Add one now to continue.",
                    )
                    return redirect("mfa:enrol_passkey")
                return redirect(_next_url(request))
            if _is_app_code(code) and not takes_app_codes:
                mfa_policy.record_failure(
                    request, mfa_policy.AUTHENTICATOR_APP, "refused: the person has a passkey"
                )
                form.add_error(
                    "code",
                    "Your role confirms with your passkey: an authenticator app's code is not "
                    "accepted. Use your passkey, or one of your recovery codes if it is lost.",
                )
            else:
                mfa_policy.record_failure(request, "code")
                form.add_error(
                    "code",
                    "That code is not right, or it was used already. Type the 6-digit code "
                    "your app shows now, or one of your recovery codes.",
                )
    return render(
        request,
        "accounts/mfa/verify.html",
        {
            "form": form,
            "staff": staff,
            "has_passkey": has_passkey,
            "has_app": mfa_policy.authenticator_apps(user).exists(),
            "next": _next_url(request),
            "step_up": where is Standing.SATISFIED,
            "minutes": settings.MFA_STEP_UP_MINUTES,
        },
    )


@login_required
def manage(request):
    user = request.user
    return render(
        request,
        "accounts/mfa/manage.html",
        {
            "passkeys": mfa_policy.passkeys(user).order_by("created_at"),
            "apps": mfa_policy.authenticator_apps(user).order_by("pk"),
            "codes_left": mfa_policy.recovery_codes_left(user),
            "passkey_only": requires_passkey(user),
        },
    )


@login_required
def recovery_codes(request):
    """New codes are shown here once, then only how many are left."""
    codes = request.session.pop(mfa_recovery.NEW_CODES_SESSION_KEY, None)
    return render(
        request,
        "accounts/mfa/recovery_codes.html",
        {"codes": codes, "codes_left": mfa_policy.recovery_codes_left(request.user)},
    )


@login_required
@require_POST
@step_up_required(back="mfa:manage")
def recovery_codes_regenerate(request):
    mfa_recovery.issue(request, reason="regenerated")
    messages.success(request, "New recovery codes made; the old ones no longer work.")
    return redirect("mfa:recovery_codes")


@login_required
@require_POST
@step_up_required(back="mfa:manage")
def remove(request, kind: str, pk: int):
    user = request.user
    found = {"passkey": mfa_policy.passkeys, "app": mfa_policy.authenticator_apps}.get(kind)
    if found is None:
        raise Http404("No such kind of factor.")
    device = found(user).filter(pk=pk).first()
    if device is None:
        raise Http404("No such factor.")
    # What would be left that the person's role accepts.
    left = mfa_policy.passkeys(user).exclude(pk=device.pk) if kind == "passkey" else None
    accepted = (left if left is not None else mfa_policy.passkeys(user)).count()
    if not requires_passkey(user):
        apps = mfa_policy.authenticator_apps(user)
        accepted += (apps.exclude(pk=device.pk) if kind == "app" else apps).count()
    if accepted == 0:
        messages.error(
            request,
            f"“{device.name}” is your only factor your role accepts: add another before "
            "removing it.",
        )
        return redirect("mfa:manage")
    audit_record(
        actor=user,
        action="mfa.removed",
        obj=device,
        data={"factor": mfa_policy.kind_of(device), "name": device.name},
    )
    name = device.name
    device.delete()
    messages.success(request, f"Removed “{name}”.")
    return redirect("mfa:manage")


@login_required
@require_POST
def rename(request, kind: str, pk: int):
    found = {"passkey": mfa_policy.passkeys, "app": mfa_policy.authenticator_apps}.get(kind)
    if found is None:
        raise Http404("No such kind of factor.")
    device = found(request.user).filter(pk=pk).first()
    if device is None:
        raise Http404("No such factor.")
    try:
        before = mfa_changes.rename(
            user=request.user, device=device, name=request.POST.get("name", "")
        )
    except ValueError as problem:
        messages.error(request, f"“{device.name}” was not renamed: {problem}")
    else:
        messages.success(request, f"Renamed “{before}” to “{device.name}”.")
    return redirect("mfa:manage")
