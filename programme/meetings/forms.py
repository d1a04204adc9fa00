"""Forms of the participant portal: asking for a sign-in link, the meeting log, withdrawal."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Layout, Submit
from django import forms
from django.utils import timezone
from django.utils.formats import date_format

from programme.applications.forms import MultiLineField, SingleLineField
from programme.applications.models import Role
from programme.matching.models import Pairing
from programme.meetings.models import MAX_NOTES_LENGTH, Theme
from programme.meetings.services import (
    MAX_MEETING_MINUTES,
    MAX_TOPIC_LENGTH,
    MAX_WITHDRAWAL_REASON_LENGTH,
    MIN_MEETING_MINUTES,
    MeetingDetails,
)


class SignInForm(forms.Form):
    email = forms.EmailField(
        label="Your e-mail address",
        max_length=254,
        help_text="Either of the two addresses you gave when you applied.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_method = "post"
        self.helper.attrs = {"novalidate": ""}
        self.helper.layout = Layout("email", Submit("submit", "Send me a sign-in link"))

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip()


MINUTES_MESSAGE = (
    f"Please give the length in minutes, as a whole number from {MIN_MEETING_MINUTES} "
    f"to {MAX_MEETING_MINUTES}."
)


class MeetingForm(forms.Form):
    """One meeting of a pair. The date must lie between the engagement and today."""

    held_on = forms.DateField(
        label="Date of the meeting",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": "Please give the date of the meeting.",
            "invalid": "Please give the date as year-month-day, such as 2027-03-14.",
        },
    )
    minutes = forms.IntegerField(
        label="Length in minutes",
        min_value=MIN_MEETING_MINUTES,
        max_value=MAX_MEETING_MINUTES,
        error_messages={
            "required": MINUTES_MESSAGE,
            "invalid": MINUTES_MESSAGE,
            "min_value": MINUTES_MESSAGE,
            "max_value": MINUTES_MESSAGE,
        },
    )
    proposed_by = forms.ChoiceField(
        label="Who proposed the topic?",
        choices=[(Role.MENTOR, "The mentor"), (Role.MENTEE, "The mentee")],
        widget=forms.RadioSelect,
        error_messages={"required": "Please say whether the mentor or the mentee proposed it."},
    )
    theme = forms.ChoiceField(
        label="Theme",
        choices=[("", "Choose a theme"), *Theme.choices],
        error_messages={"required": "Please choose the theme closest to what you discussed."},
    )
    topic = SingleLineField(
        label="Topic",
        max_length=MAX_TOPIC_LENGTH,
        help_text="One line on what you discussed.",
        error_messages={"required": "Please describe the topic in one line."},
    )
    private_notes = MultiLineField(
        label="Private notes (optional)",
        max_length=MAX_NOTES_LENGTH,
        required=False,
        help_text="Only you and your partner can read these; the office cannot. "
        f"Up to {MAX_NOTES_LENGTH} characters.",
    )

    def __init__(self, *args, pairing: Pairing, submit_label: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.pairing = pairing
        self.helper = FormHelper()
        self.helper.form_method = "post"
        self.helper.attrs = {"novalidate": ""}
        self.helper.layout = Layout(
            Div(
                Div("held_on", css_class="col-sm-6"),
                Div("minutes", css_class="col-sm-6"),
                css_class="row",
            ),
            "proposed_by",
            "theme",
            "topic",
            "private_notes",
            Submit("submit", submit_label),
        )

    def clean_held_on(self):
        held_on = self.cleaned_data["held_on"]
        if held_on > timezone.localdate():
            raise forms.ValidationError(
                "This date is in the future. Please log a meeting once it has taken place."
            )
        engaged_on = self.pairing.engaged_on
        if engaged_on is not None and held_on < engaged_on:
            raise forms.ValidationError(
                f"This date is before your pairing began on {date_format(engaged_on, 'j F Y')}. "
                "Please check the date."
            )
        return held_on

    def details(self) -> MeetingDetails:
        cleaned = self.cleaned_data
        return MeetingDetails(
            held_on=cleaned["held_on"],
            minutes=cleaned["minutes"],
            proposed_by=cleaned["proposed_by"],
            theme=cleaned["theme"],
            topic=cleaned["topic"],
            private_notes=cleaned["private_notes"],
        )

    @staticmethod
    def initial_from(meeting) -> dict:
        return {
            "held_on": meeting.held_on,
            "minutes": meeting.minutes,
            "proposed_by": meeting.proposed_by,
            "theme": meeting.theme,
            "topic": meeting.topic,
            "private_notes": meeting.private_notes,
        }


class WithdrawalForm(forms.Form):
    reason = MultiLineField(
        label="Why are you withdrawing?",
        max_length=MAX_WITHDRAWAL_REASON_LENGTH,
        help_text="Only the programme office reads this; your partner does not. "
        f"Up to {MAX_WITHDRAWAL_REASON_LENGTH} characters.",
        error_messages={"required": "Please tell us briefly why you are withdrawing."},
    )
