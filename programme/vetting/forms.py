from django import forms

from programme.applications.models import MAX_MENTOR_CAPACITY
from programme.vetting.models import MAX_REASON_LENGTH, Decision
from programme.vetting.services import BULK_DECISIONS


def reason_field(*, required: bool, label: str, help_text: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=MAX_REASON_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5, "cols": 60}),
        help_text=help_text,
    )


class DecisionForm(forms.Form):
    """The office's eligibility decision on one or more applications."""

    decision = forms.ChoiceField(
        choices=[(value, Decision(value).label) for value in BULK_DECISIONS],
        widget=forms.RadioSelect,
    )
    reason = reason_field(
        required=False,
        label="Reason",
        help_text="Required when the applicant is not eligible or more information is needed: "
        f"the letter quotes it word for word. Up to {MAX_REASON_LENGTH} characters.",
    )

    def clean(self):
        cleaned = super().clean()
        decision = cleaned.get("decision")
        if decision and decision != Decision.ELIGIBLE and not cleaned.get("reason", "").strip():
            self.add_error(
                "reason",
                "Please give a reason. The letter to the applicant quotes it, so write it "
                "to them.",
            )
        return cleaned


class OfficeWithdrawalForm(forms.Form):
    reason = reason_field(
        required=True,
        label="Reason for withdrawing",
        help_text=f"Kept in the application's record. Up to {MAX_REASON_LENGTH} characters.",
    )


class ApplicantWithdrawalForm(forms.Form):
    reason = reason_field(
        required=False,
        label="Would you tell us why? (optional)",
        help_text="Only the programme office reads this. It helps us improve the programme.",
    )


class RenewalForm(forms.Form):
    """A mentor renews their term and says how many mentees they can take."""

    capacity = forms.TypedChoiceField(
        label="How many mentees can you take at once in your new term?",
        choices=[(n, str(n)) for n in range(1, MAX_MENTOR_CAPACITY + 1)],
        coerce=int,
        error_messages={
            "required": "Please choose how many mentees you can take.",
            "invalid_choice": f"Please choose a number from 1 to {MAX_MENTOR_CAPACITY}.",
        },
    )
