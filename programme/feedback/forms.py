"""The response form, built from a questionnaire's shown questions."""

from django import forms

from programme.feedback.models import MAX_FREE_TEXT_LENGTH, Likert, Question, QuestionKind, Topic
from programme.feedback.services import MAX_MEETING_COUNT

# Left to right from disagreeing to agreeing, as the results charts draw them.
LIKERT_CHOICES = [(str(value), label) for value, label in Likert.choices]


class ResponseForm(forms.Form):
    """One field per shown question, named ``q<question id>``."""

    def __init__(self, *args, questions: list[Question], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            self.fields[self.field_name(question)] = self.make_field(question)

    def full_clean(self) -> None:
        super().full_clean()
        # Mark the fields with errors for Bootstrap's styles and for screen readers.
        for name in self.errors:
            if name not in self.fields:
                continue
            attrs = self.fields[name].widget.attrs
            attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()
            attrs["aria-invalid"] = "true"
            attrs["aria-describedby"] = f"id_{name}_error"

    @staticmethod
    def field_name(question: Question) -> str:
        return f"q{question.pk}"

    @staticmethod
    def make_field(question: Question) -> forms.Field:
        if question.kind == QuestionKind.LIKERT:
            return forms.TypedChoiceField(
                label=question.text,
                choices=LIKERT_CHOICES,
                coerce=int,
                required=question.required,
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
                error_messages={
                    "required": "Choose how far you agree with this statement.",
                    "invalid_choice": "Choose one of the five answers.",
                },
            )
        if question.kind == QuestionKind.MEETING_COUNT:
            return forms.IntegerField(
                label=question.text,
                min_value=0,
                max_value=MAX_MEETING_COUNT,
                required=question.required,
                widget=forms.NumberInput(attrs={"class": "form-control", "inputmode": "numeric"}),
                error_messages={
                    "required": "Enter how many times you have met, such as 3.",
                    "invalid": "Enter the number of meetings as a whole number, such as 3.",
                    "min_value": f"Enter a number of meetings from 0 to {MAX_MEETING_COUNT}.",
                    "max_value": f"Enter a number of meetings from 0 to {MAX_MEETING_COUNT}.",
                },
            )
        if question.kind == QuestionKind.TOPICS:
            return forms.MultipleChoiceField(
                label=question.text,
                choices=Topic.choices,
                required=question.required,
                widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
                error_messages={
                    "required": "Tick at least one topic.",
                    "invalid_choice": "Tick topics from the list only.",
                },
            )
        return forms.CharField(
            label=question.text,
            max_length=MAX_FREE_TEXT_LENGTH,
            required=question.required,
            widget=forms.Textarea(attrs={"class": "form-control", "rows": 5}),
            error_messages={
                "required": "Please write an answer.",
                "max_length": (
                    f"Shorten your answer to at most {MAX_FREE_TEXT_LENGTH} characters "
                    "(it has %(show_value)d)."
                ),
            },
        )

    def question_fields(self) -> list[tuple[Question, forms.BoundField]]:
        """Return each question with its bound field, in the questionnaire's order."""
        return [(question, self[self.field_name(question)]) for question in self.questions]

    def answers(self) -> dict[int, object]:
        """Return the cleaned answers keyed by question id, as ``submit_response`` takes them."""
        return {
            question.pk: self.cleaned_data.get(self.field_name(question))
            for question in self.questions
        }
