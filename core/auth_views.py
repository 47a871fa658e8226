"""Staff sign-in: a password, then a second factor, on every path.

Step 1 checks the password (django-axes counts failures per username and
address). The session then holds a *pending* user, not a signed-in one.
Step 2 asks for a TOTP code or a backup code; a member of staff with no
authenticator yet enrols first (QR code, confirm with a code, backup codes
shown once). Only then is the user logged in and the session verified.
Password reset never signs anyone in: the next sign-in asks for both.
"""

import base64
import io
import secrets
import time

import django_otp
import qrcode
import qrcode.image.svg
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import login as auth_login
from django.contrib.auth.forms import AuthenticationForm
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

PENDING_USER = "_ecrin_pending_user"
PENDING_BACKEND = "_ecrin_pending_backend"
PENDING_AT = "_ecrin_pending_at"
PENDING_NEXT = "_ecrin_pending_next"
BACKUP_CODES = 10


class TokenForm(forms.Form):
    otp_token = forms.CharField(
        label=_("Code"),
        max_length=16,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "autofocus": True,
            }
        ),
        help_text=_("The 6-digit code from your authenticator app, or a backup code."),
    )


def _admin_context(request, **extra):
    from django.contrib import admin

    return {**admin.site.each_context(request), **extra}


def _safe_next(request, value: str | None) -> str:
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return reverse("admin:index")


def _pending_user(request):
    """The user who passed step 1 in this session, if still in time."""
    user_id = request.session.get(PENDING_USER)
    started = request.session.get(PENDING_AT, 0)
    if not user_id or time.time() - started > settings.LOGIN_PENDING_SECONDS:
        return None
    return get_user_model().objects.filter(pk=user_id, is_active=True).first()


def _finish(request, user, device):
    backend = request.session.get(PENDING_BACKEND)
    next_url = request.session.get(PENDING_NEXT)
    auth_login(request, user, backend=backend)
    django_otp.login(request, device)
    for key in (PENDING_USER, PENDING_BACKEND, PENDING_AT, PENDING_NEXT):
        request.session.pop(key, None)
    return redirect(_safe_next(request, next_url))


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def staff_login(request):
    """Step 1: username and password."""
    if request.user.is_authenticated and getattr(request.user, "is_verified", bool)():
        return redirect(_safe_next(request, request.GET.get("next")))
    form = AuthenticationForm(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.get_user()
        request.session.cycle_key()
        request.session[PENDING_USER] = user.pk
        request.session[PENDING_BACKEND] = user.backend
        request.session[PENDING_AT] = time.time()
        request.session[PENDING_NEXT] = request.POST.get("next") or request.GET.get(
            "next"
        )
        if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            return redirect("staff-login-verify")
        return redirect("staff-login-enrol")
    context = _admin_context(
        request,
        title=_("Log in"),
        form=form,
        next=request.GET.get("next", ""),
        app_path=request.get_full_path(),
        site_header=settings.HOUSE_NAME,
    )
    return TemplateResponse(request, "admin/login.html", context)


@csrf_protect
@never_cache
def staff_login_verify(request):
    """Step 2: a TOTP code (or a backup code) for a user who has one."""
    user = _pending_user(request)
    if user is None:
        messages.error(request, _("Please sign in again."))
        return redirect("admin:login")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        # match_token tries every confirmed device: TOTP (a code is refused
        # a second time: django-otp keeps the last time step used) and the
        # single-use backup codes.
        device = django_otp.match_token(user, form.cleaned_data["otp_token"].strip())
        if device is not None:
            return _finish(request, user, device)
        form.add_error("otp_token", _("This code is not valid (or was already used)."))
    return TemplateResponse(
        request,
        "registration/otp_verify.html",
        _admin_context(request, title=_("Second factor"), form=form, pending=user),
    )


def _qr_data_uri(url: str) -> str:
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


@csrf_protect
@never_cache
def staff_login_enrol(request):
    """First sign-in: set up an authenticator, then get backup codes."""
    user = _pending_user(request)
    if user is None:
        messages.error(request, _("Please sign in again."))
        return redirect("admin:login")
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        return redirect("staff-login-verify")
    device, _unused = TOTPDevice.objects.get_or_create(
        user=user, confirmed=False, defaults={"name": "Authenticator app"}
    )
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["otp_token"].strip()):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            codes = _new_backup_codes(user)
            response = _finish(request, user, device)
            return TemplateResponse(
                request,
                "registration/otp_backup_codes.html",
                _admin_context(
                    request,
                    title=_("Backup codes"),
                    codes=codes,
                    next_url=response.url,
                ),
            )
        form.add_error("otp_token", _("This code does not match: try the next one."))
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return TemplateResponse(
        request,
        "registration/otp_enrol.html",
        _admin_context(
            request,
            title=_("Set up your second factor"),
            form=form,
            qr=_qr_data_uri(device.config_url),
            secret=secret,
        ),
    )


def _new_backup_codes(user) -> list[str]:
    """Replace the user's backup codes; each works once."""
    device, _unused = StaticDevice.objects.get_or_create(user=user, name="Backup codes")
    device.token_set.all().delete()
    codes = [secrets.token_hex(4) for _unused in range(BACKUP_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return codes
