import pytest

from programme.applications.forms import new_form_token


def mentee_answers(**overrides) -> dict:
    """A complete, valid mentee application as the browser would POST it."""
    answers = {
        "given_name": "Maria",
        "family_name": "Rossi",
        "primary_email": "maria.rossi@example.org",
        "secondary_email": "maria.home@example.net",
        "country": "IT",
        "institution": "Ospedale Esempio",
        "gender": "female",
        "languages": ["it", "en"],
        "membership_status": "member",
        "membership_number": "M-1234",
        "career_stage": "consultant",
        "training_year": "",
        "consultant_years": "2",
        "areas": ["research", "clinical"],
        "area_other_details": "",
        "specific_needs": "Starting a research project on laryngeal imaging.",
        "lacks_local_mentoring": "on",
        "wants_academic_mentor": "on",
        "prior_mentoring": "no",
        "prior_mentoring_details": "",
        "motivation": "I want guidance early in my consultant career.",
        "head_of_department_name": "Prof. Giulia Bianchi",
        "head_of_department_email": "giulia.bianchi@example.com",
        "privacy_consent": "on",
        "website": "",
        "form_token": new_form_token(),
    }
    answers.update(overrides)
    return answers


def mentor_answers(**overrides) -> dict:
    """A complete, valid mentor application as the browser would POST it."""
    answers = {
        "given_name": "Jonas",
        "family_name": "Berg",
        "primary_email": "jonas.berg@example.org",
        "secondary_email": "jonas.private@example.net",
        "country": "SE",
        "institution": "Exempel University Hospital",
        "gender": "male",
        "languages": ["sv", "en"],
        "membership_status": "member",
        "membership_number": "",
        "practice_years": "14",
        "interest_research": "on",
        "capacity": "2",
        "areas": ["education", "career", "other"],
        "area_other_details": "Leadership and management",
        "prior_mentoring": "yes",
        "prior_mentoring_details": "Supervised four residents.",
        "motivation": "I was mentored myself and want to give something back.",
        "showcase_consent": "on",
        "privacy_consent": "on",
        "website": "",
        "form_token": new_form_token(),
    }
    answers.update(overrides)
    return answers


@pytest.fixture
def mentee_data():
    return mentee_answers


@pytest.fixture
def mentor_data():
    return mentor_answers
