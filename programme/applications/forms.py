"""The public application forms, one per role, with their server-side checks."""

import secrets
import time
import unicodedata

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Fieldset, Layout, Submit
from django import forms
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django_countries import countries

from programme.applications import models as application_models
from programme.applications.models import CareerStage, MembershipStatus
from programme.core.crypto import normalise_email
from programme.core.languages import LANGUAGE_CHOICES
from programme.core.models import Gender

FORM_TOKEN_SALT = "programme.applications.form-token"  # noqa: S105 (a namespace, not a secret)
FORM_TOKEN_MAX_AGE_SECONDS = 24 * 60 * 60

# Characters that reorder or hide text (bidirectional embeddings, overrides and
# isolates). They have no place in a name or an address and can disguise one.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")

AREA_CHOICES = [
    ("research", "Research"),
    ("education", "Education"),
    ("clinical", "Clinical practice"),
    ("career", "Career development"),
    ("other", "Other skills"),
]

YES_NO = [("yes", "Yes"), ("no", "No")]


def validate_single_line(value: str) -> None:
    """Reject line breaks, NUL and other control characters in one-line answers."""
    for character in value:
        if character in "\r\n":
            raise ValidationError("Please keep this answer on one line.", code="line_break")
        if unicodedata.category(character) == "Cc" or character in BIDI_CONTROLS:
            raise ValidationError(
                "This answer contains an invisible control character. Please retype it.",
                code="control_character",
            )


def validate_multi_line(value: str) -> None:
    """Allow line breaks and tabs in longer answers, but no other control characters."""
    for character in value:
        if character in "\r\n\t":
            continue
        if unicodedata.category(character) == "Cc" or character in BIDI_CONTROLS:
            raise ValidationError(
                "This answer contains an invisible control character. Please retype it.",
                code="control_character",
            )


# Characters that take no space on screen: spaces, line and paragraph
# separators, and format characters such as the zero-width space.
INVISIBLE_CATEGORIES = frozenset({"Zs", "Zl", "Zp", "Cf", "Cc"})


def blank_if_invisible(value: str) -> str:
    """Return "" for an answer with nothing visible in it, so that it counts as empty."""
    if any(unicodedata.category(character) not in INVISIBLE_CATEGORIES for character in value):
        return value
    return ""


class SingleLineField(forms.CharField):
    """A one-line answer. Control characters are checked before surrounding
    whitespace is stripped, so a trailing line break is rejected too."""

    def to_python(self, value):
        if isinstance(value, str) and value not in self.empty_values:
            validate_single_line(value)
        return blank_if_invisible(super().to_python(value))


class MultiLineField(forms.CharField):
    """A longer answer; line endings are stored as a plain line feed."""

    default_validators = [validate_multi_line]
    widget = forms.Textarea(attrs={"rows": 4})

    def to_python(self, value):
        value = blank_if_invisible(super().to_python(value))
        return value.replace("\r\n", "\n").replace("\r", "\n")


class Section(Fieldset):
    """A titled part of the form; styled apart from the fieldsets of radio groups."""

    def __init__(self, legend, *fields, **kwargs):
        kwargs.setdefault("css_class", "form-section")
        super().__init__(legend, *fields, **kwargs)


def year_messages(what: str, lowest: int, highest: int) -> dict[str, str]:
    """Error messages for a whole-number answer, in plain words with its range."""
    text = f"Please give a {what} from {lowest} to {highest}, as a whole number."
    return {"invalid": text, "min_value": text, "max_value": text}


def new_form_token() -> str:
    """Sign the time the form was opened with a random nonce.

    The time enforces a minimum fill time; the nonce identifies the submission,
    so a repeated POST of the same form stores one application.
    """
    return signing.dumps({"n": secrets.token_hex(16), "t": time.time()}, salt=FORM_TOKEN_SALT)


class ApplicationForm(forms.Form):
    """Questions both roles answer. Subclasses add each role's own."""

    role: str = ""

    given_name = SingleLineField(label="Given name", max_length=100)
    family_name = SingleLineField(label="Family name", max_length=100)
    primary_email = forms.EmailField(
        label="E-mail address", max_length=254, help_text="Where we send your letters."
    )
    secondary_email = forms.EmailField(
        label="Second e-mail address",
        max_length=254,
        help_text="A different address, for example a personal one. We copy every letter "
        "to it, so one mistyped address cannot cut you off.",
    )
    country = forms.ChoiceField(label="Country of practice")
    institution = SingleLineField(label="Institution", max_length=200)
    membership_status = forms.ChoiceField(
        label="Society membership", choices=MembershipStatus.choices, widget=forms.RadioSelect
    )
    membership_number = SingleLineField(
        label="Membership number", max_length=40, required=False, help_text="If you have one."
    )
    gender = forms.ChoiceField(
        label="Gender",
        choices=Gender.choices,
        widget=forms.RadioSelect,
        help_text="The programme reports the balance of genders, never individuals.",
    )
    languages = forms.MultipleChoiceField(
        label="Languages you can hold a meeting in",
        choices=LANGUAGE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
    )
    prior_mentoring = forms.ChoiceField(choices=YES_NO, widget=forms.RadioSelect)
    prior_mentoring_details = MultiLineField(
        label="Tell us briefly about it", max_length=1000, required=False
    )
    motivation = MultiLineField(label="Why do you want to take part?", max_length=3000)
    areas = forms.MultipleChoiceField(choices=AREA_CHOICES, widget=forms.CheckboxSelectMultiple)
    area_other_details = SingleLineField(
        label="Which other skills?",
        max_length=300,
        required=False,
        help_text="Needed when you tick 'Other skills'.",
    )
    privacy_consent = forms.BooleanField(
        label="I have read the privacy notice and agree that the society processes my "
        "data to run the mentoring programme.",
        error_messages={
            "required": "Please agree to the privacy notice, or we cannot "
            "process your application."
        },
    )
    # A field people never see; automated form fillers tend to complete it.
    website = forms.CharField(
        label="Leave this field empty",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )
    form_token = forms.CharField(widget=forms.HiddenInput, required=False, max_length=300)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", "Choose a country"), *countries]
        if not self.is_bound:
            self.initial.setdefault("form_token", new_form_token())
        self.helper = self.build_helper()

    # ----- layout -----

    def role_fieldsets(self) -> list:
        return []

    def build_helper(self) -> FormHelper:
        helper = FormHelper()
        helper.form_method = "post"
        helper.attrs = {"novalidate": ""}
        helper.layout = Layout(
            Section(
                "About you",
                Div(
                    Div("given_name", css_class="col-md-6"),
                    Div("family_name", css_class="col-md-6"),
                    css_class="row",
                ),
                Div(
                    Div("primary_email", css_class="col-md-6"),
                    Div("secondary_email", css_class="col-md-6"),
                    css_class="row",
                ),
                Div(
                    Div("country", css_class="col-md-6"),
                    Div("institution", css_class="col-md-6"),
                    css_class="row",
                ),
                "gender",
                "languages",
            ),
            Section(
                "Society membership",
                "membership_status",
                "membership_number",
            ),
            *self.role_fieldsets(),
            Section(
                "Your consent",
                HTML(
                    '<p>Please read our <a href="{% url "public:privacy" %}" target="_blank" '
                    'rel="noopener">privacy notice</a> (opens in a new tab).</p>'
                ),
                "privacy_consent",
            ),
            Div("website", css_class="hp-field", aria_hidden="true"),
            "form_token",
            Submit("submit", "Send my application", css_class="btn-lg"),
        )
        return helper

    # ----- validation -----

    def clean_prior_mentoring(self) -> bool:
        return self.cleaned_data["prior_mentoring"] == "yes"

    def clean_primary_email(self) -> str:
        return self.cleaned_data["primary_email"].strip()

    def clean_secondary_email(self) -> str:
        return self.cleaned_data["secondary_email"].strip()

    def check_website(self) -> None:
        if self.cleaned_data.get("website"):
            self.add_error(
                None,
                "This submission looks automated and was not accepted. Please leave the "
                "field labelled 'Leave this field empty' blank and send the form again.",
            )

    def check_form_token(self) -> None:
        """Check the signed opening time; keep the nonce as ``submission_token``."""
        token = self.data.get(self.add_prefix("form_token"), "")
        try:
            payload = signing.loads(
                token, salt=FORM_TOKEN_SALT, max_age=FORM_TOKEN_MAX_AGE_SECONDS
            )
        except signing.SignatureExpired:
            self.replace_form_token()
            self.add_error(
                None,
                "This form was opened more than a day ago, so we could not accept it. "
                "Your answers are still here: please check them and send the form again.",
            )
            return
        except signing.BadSignature:
            self.replace_form_token()
            self.add_error(
                None,
                "This form could not be verified. Your answers are still here: "
                "please check them and send the form again.",
            )
            return
        elapsed = time.time() - float(payload["t"])
        if elapsed < settings.APPLICATION_MIN_FILL_SECONDS:
            self.add_error(
                None,
                "This form was sent sooner after opening than a person could fill it in. "
                "Please check your answers and send it again.",
            )
            return
        self.cleaned_data["submission_token"] = payload["n"]

    def replace_form_token(self) -> None:
        self.data = self.data.copy()
        self.data[self.add_prefix("form_token")] = new_form_token()

    def clean(self) -> dict:
        cleaned = super().clean()
        self.check_website()
        self.check_form_token()
        primary = cleaned.get("primary_email")
        secondary = cleaned.get("secondary_email")
        if primary and secondary and normalise_email(primary) == normalise_email(secondary):
            self.add_error(
                "secondary_email",
                "Please give a second address that differs from the first, so that letters "
                "still reach you if one address fails.",
            )
        areas = cleaned.get("areas") or []
        if "other" in areas and not cleaned.get("area_other_details"):
            self.add_error("area_other_details", "Please say which other skills you mean.")
        return cleaned

    def for_application(self) -> dict:
        """Return the cleaned answers as Application field values."""
        cleaned = self.cleaned_data
        areas = set(cleaned["areas"])
        return {
            "membership_status": cleaned["membership_status"],
            "membership_number": cleaned["membership_number"],
            "prior_mentoring": cleaned["prior_mentoring"],
            "prior_mentoring_details": cleaned["prior_mentoring_details"],
            "motivation": cleaned["motivation"],
            "area_research": "research" in areas,
            "area_education": "education" in areas,
            "area_clinical": "clinical" in areas,
            "area_career": "career" in areas,
            "area_other": "other" in areas,
            "area_other_details": cleaned["area_other_details"] if "other" in areas else "",
        }

    def for_person(self) -> dict:
        """Return the cleaned answers as Person field values."""
        cleaned = self.cleaned_data
        return {
            "given_name": cleaned["given_name"],
            "family_name": cleaned["family_name"],
            "primary_email": cleaned["primary_email"],
            "secondary_email": cleaned["secondary_email"],
            "institution": cleaned["institution"],
            "country": cleaned["country"],
            "gender": cleaned["gender"],
            "languages": list(cleaned["languages"]),
        }


class MenteeApplicationForm(ApplicationForm):
    role = application_models.Role.MENTEE

    career_stage = forms.ChoiceField(
        label="Career stage", choices=CareerStage.choices, widget=forms.RadioSelect
    )
    training_year = forms.IntegerField(
        label="Year of training",
        required=False,
        min_value=1,
        max_value=application_models.MAX_TRAINING_YEAR,
        help_text="For trainees: your current year of specialty training.",
        error_messages=year_messages("year of training", 1, application_models.MAX_TRAINING_YEAR),
    )
    consultant_years = forms.IntegerField(
        label="Years since appointment as consultant",
        required=False,
        min_value=0,
        max_value=application_models.MAX_CONSULTANT_YEARS,
        help_text="For consultants: 0 if appointed less than a year ago.",
        error_messages=year_messages(
            "number of years", 0, application_models.MAX_CONSULTANT_YEARS
        ),
    )
    specific_needs = MultiLineField(
        label="What would you like help with?",
        max_length=2000,
        required=False,
        help_text="For example a research project, a career decision or a clinical skill.",
    )
    lacks_local_mentoring = forms.BooleanField(
        label="I have no access to mentoring in head and neck radiology where I work.",
        required=False,
        help_text="Mentees without local mentoring are matched first.",
    )
    needs_same_country_for_language = forms.BooleanField(
        label="I need a mentor from my own country because of language.",
        required=False,
        help_text="Otherwise mentors come from another country.",
    )
    wants_academic_mentor = forms.BooleanField(
        label="I would like an academic mentor.", required=False
    )
    head_of_department_name = SingleLineField(
        label="Name of your head of training or head of department", max_length=200
    )
    head_of_department_email = forms.EmailField(
        label="Their e-mail address",
        max_length=254,
        help_text="We write to them once to explain that the programme complements local "
        "supervision.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["prior_mentoring"].label = "Have you been mentored before?"
        self.fields["areas"].label = "Areas in which you want to benefit"

    def role_fieldsets(self) -> list:
        return [
            Section(
                "Your career stage",
                "career_stage",
                Div(
                    Div("training_year", css_class="col-md-6"),
                    Div("consultant_years", css_class="col-md-6"),
                    css_class="row",
                ),
            ),
            Section(
                "What you are looking for",
                "areas",
                "area_other_details",
                "specific_needs",
                "lacks_local_mentoring",
                "needs_same_country_for_language",
                "wants_academic_mentor",
                "prior_mentoring",
                "prior_mentoring_details",
                "motivation",
            ),
            Section(
                "Your head of training or department",
                "head_of_department_name",
                "head_of_department_email",
            ),
        ]

    def clean(self) -> dict:
        cleaned = super().clean()
        stage = cleaned.get("career_stage")
        if stage == CareerStage.TRAINEE:
            cleaned["consultant_years"] = None
            if cleaned.get("training_year") is None and "training_year" not in self.errors:
                self.add_error("training_year", "Please give your current year of training.")
        elif stage == CareerStage.CONSULTANT:
            cleaned["training_year"] = None
            if cleaned.get("consultant_years") is None and "consultant_years" not in self.errors:
                self.add_error(
                    "consultant_years", "Please give the number of years since your appointment."
                )
        head_email = cleaned.get("head_of_department_email")
        own = {
            normalise_email(cleaned.get(name) or "")
            for name in ("primary_email", "secondary_email")
        }
        if head_email and normalise_email(head_email) in own:
            self.add_error(
                "head_of_department_email",
                "Please give your head of training or department's own address, not yours.",
            )
        return cleaned

    def for_application(self) -> dict:
        cleaned = self.cleaned_data
        return super().for_application() | {
            "career_stage": cleaned["career_stage"],
            "training_year": cleaned["training_year"],
            "consultant_years": cleaned["consultant_years"],
            "specific_needs": cleaned["specific_needs"],
            "lacks_local_mentoring": cleaned["lacks_local_mentoring"],
            "needs_same_country_for_language": cleaned["needs_same_country_for_language"],
            "wants_academic_mentor": cleaned["wants_academic_mentor"],
            "head_of_department_name": cleaned["head_of_department_name"],
            "head_of_department_email": cleaned["head_of_department_email"].strip(),
        }


class MentorApplicationForm(ApplicationForm):
    role = application_models.Role.MENTOR

    practice_years = forms.IntegerField(
        label="Years in independent head and neck radiology practice",
        min_value=0,
        max_value=application_models.MAX_PRACTICE_YEARS,
        help_text="Count the years since you began reporting independently.",
        error_messages=year_messages("number of years", 0, application_models.MAX_PRACTICE_YEARS),
    )
    interest_research = forms.BooleanField(label="I am interested in research.", required=False)
    interest_teaching = forms.BooleanField(label="I am interested in teaching.", required=False)
    capacity = forms.TypedChoiceField(
        label="How many mentees can you take at once?",
        choices=[(n, str(n)) for n in range(1, application_models.MAX_MENTOR_CAPACITY + 1)],
        coerce=int,
        initial=1,
    )
    showcase_consent = forms.BooleanField(
        label="Show my name, country, institution and areas on the public mentors page.",
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["prior_mentoring"].label = "Have you mentored before?"
        self.fields["areas"].label = "Areas in which you can contribute"

    def role_fieldsets(self) -> list:
        return [
            Section(
                "Your experience",
                "practice_years",
                "interest_research",
                "interest_teaching",
                "prior_mentoring",
                "prior_mentoring_details",
            ),
            Section(
                "What you can offer",
                "areas",
                "area_other_details",
                "capacity",
                "motivation",
                "showcase_consent",
            ),
        ]

    def for_application(self) -> dict:
        cleaned = self.cleaned_data
        return super().for_application() | {
            "practice_years": cleaned["practice_years"],
            "interest_research": cleaned["interest_research"],
            "interest_teaching": cleaned["interest_teaching"],
            "capacity": cleaned["capacity"],
            "showcase_consent": cleaned["showcase_consent"],
        }
