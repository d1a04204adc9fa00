"""The staff admin site: password plus a TOTP code on one sign-in form.

django-otp's admin site treats a user who has not entered a code as not
staff. The form here asks for the user name, password and 6-digit code at
once, counts a wrong code as a failed sign-in for django-axes, and gives the
same error for a wrong password and a wrong code.
"""

from django import forms
from django.conf import settings
from django.contrib.admin import AdminSite
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django_otp import devices_for_user
from django_otp.admin import OTPAdminAuthenticationForm, OTPAdminSite


class StaffAuthenticationForm(OTPAdminAuthenticationForm):
    otp_token = forms.CharField(
        label="6-digit code",
        max_length=20,
        help_text="The code your authenticator app shows now. It changes every 30 seconds.",
        error_messages={"required": "Enter the 6-digit code from your authenticator app."},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "size": 8}
        ),
    )

    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "invalid_login": (
            "The user name, password or code is not right, or this is not a staff account. "
            "Check them and try again with the code your app shows now."
        ),
        "no_device": (
            "This account has no authenticator app set up, so it cannot sign in yet. "
            "Ask the site administrator to set one up."
        ),
    }
    otp_error_messages = {
        **OTPAdminAuthenticationForm.otp_error_messages,
        "device_required": "Choose the authenticator app that shows the code.",
    }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # STAFF_TOTP_RELAXED (development only) lets staff leave the code empty.
        self.fields["otp_token"].required = not settings.STAFF_TOTP_RELAXED

    def clean_otp_token(self) -> str:
        # Authenticator apps show the code as "123 456".
        return self.cleaned_data["otp_token"].replace(" ", "")

    def clean(self):
        if "otp_token" in self.errors:
            # Without a code, stop before the password is checked. The response
            # then reveals nothing about the password and counts as no failed attempt.
            return self.cleaned_data

        # AuthenticationForm.clean passes the request to authenticate(), which
        # django-axes needs to count a wrong password and to refuse a locked-out user.
        self.cleaned_data = AdminAuthenticationForm.clean(self)
        user = self.get_user()
        if user is None or not self.cleaned_data.get("otp_token"):
            # No user means a field error is already shown. No code is allowed
            # only with STAFF_TOTP_RELAXED, because the field is otherwise required.
            return self.cleaned_data

        if not any(devices_for_user(user)):
            raise ValidationError(self.error_messages["no_device"], code="no_device")
        try:
            self.clean_otp(user)
        except ValidationError as error:
            if error.code == "device_required":
                raise
            self.record_failed_sign_in()
            if error.code == "invalid_token":
                raise self.get_invalid_login_error() from None
            raise
        return self.cleaned_data

    def record_failed_sign_in(self) -> None:
        """Send Django's failed-login signal, so django-axes counts a wrong code too."""
        user_login_failed.send(
            sender=__name__,
            credentials={"username": self.cleaned_data.get("username")},
            request=self.request,
        )

    def _chosen_device(self, user):
        """Return the chosen device, or the user's only device when none was chosen.

        django-otp requires a device choice when the form names none. Staff
        normally have one, so the device list is shown only to those with more.
        """
        if self.cleaned_data.get("otp_device"):
            return super()._chosen_device(user)
        devices = list(devices_for_user(user, for_verify=True))
        return devices[0] if len(devices) == 1 else None

    def _update_form(self, user) -> None:
        # django-otp would also render the password back into the page; only
        # the device list is wanted here.
        self.fields["otp_device"].widget.choices = self.device_choices(user)


class StaffAdminSite(OTPAdminSite):
    """Admin site that requires a TOTP-verified session, unless STAFF_TOTP_RELAXED is on."""

    login_form = StaffAuthenticationForm
    login_template = "admin/staff_login.html"

    def has_permission(self, request) -> bool:
        if settings.STAFF_TOTP_RELAXED:
            return AdminSite.has_permission(self, request)
        return super().has_permission(request)

    def app_index(self, request, app_label, extra_context=None):
        # Django raises Http404 when the user may see none of the app's models.
        # The URL pattern matches registered apps only, so the page exists and
        # 403 (PermissionDenied) is the accurate response.
        try:
            return super().app_index(request, app_label, extra_context)
        except Http404:
            raise PermissionDenied from None
