import datetime
import re
from io import StringIO
from statistics import mean

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from programme.applications.models import Application, ApplicationStatus, CareerStage, Role
from programme.core.crypto import DecryptionError, decrypt_text
from programme.core.languages import LANGUAGE_NAMES
from programme.core.models import Gender, Person, ProgrammeSettings

# Countries of geographical Europe, with the United Kingdom as GB.
EUROPEAN_COUNTRIES = frozenset({
    "AD", "AL", "AT", "BA", "BE", "BG", "BY", "CH", "CY", "CZ", "DE", "DK", "EE", "ES", "FI",
    "FR", "GB", "GR", "HR", "HU", "IE", "IS", "IT", "LI", "LT", "LU", "LV", "MC", "MD", "ME",
    "MK", "MT", "NL", "NO", "PL", "PT", "RO", "RS", "SE", "SI", "SK", "SM", "UA", "VA", "XK",
})  # fmt: skip
RESERVED_DOMAINS = frozenset({"example.org", "example.com", "example.net"})
GREEK_LETTER = re.compile("[\u0370-\u03ff\u1f00-\u1fff]")


def run_seed_demo() -> str:
    output = StringIO()
    call_command("seed_demo", stdout=output)
    return output.getvalue()


def countries_of(role: str) -> list[str]:
    return list(Application.objects.filter(role=role).values_list("person__country", flat=True))


def count_flag(role: str, flag: str) -> int:
    return Application.objects.filter(role=role, **{flag: True}).count()


def domain_of(address: str) -> str:
    return address.rsplit("@", 1)[-1]


def has_compatriot_mentor(mentee: Person, mentors: list[Person]) -> bool:
    """Return whether a mentor from the mentee's country shares one of their languages."""
    for mentor in mentors:
        if mentor.country == mentee.country and set(mentor.languages) & set(mentee.languages):
            return True
    return False


def is_ciphertext(cell: str) -> bool:
    try:
        decrypt_text(cell)
    except DecryptionError:
        return False
    return True


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "expected"), [(Role.MENTOR, 33), (Role.MENTEE, 27)])
def test_seed_demo_role_counts(role, expected):
    run_seed_demo()

    count = Application.objects.filter(role=role).count()

    assert count == expected


@pytest.mark.django_db
def test_seed_demo_one_person_per_application():
    run_seed_demo()

    people = Person.objects.count()

    assert people == 60


@pytest.mark.django_db
def test_seed_demo_applications_submitted():
    run_seed_demo()

    statuses = set(Application.objects.values_list("status", flat=True))

    assert statuses == {ApplicationStatus.SUBMITTED}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "gender", "expected"),
    [
        (Role.MENTOR, Gender.MALE, 22),
        (Role.MENTOR, Gender.FEMALE, 11),
        (Role.MENTEE, Gender.MALE, 13),
        (Role.MENTEE, Gender.FEMALE, 14),
    ],
)
def test_seed_demo_gender_split(role, gender, expected):
    run_seed_demo()

    count = Application.objects.filter(role=role, person__gender=gender).count()

    assert count == expected


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "in_europe", "expected"),
    [
        (Role.MENTOR, True, 24),
        (Role.MENTOR, False, 9),
        (Role.MENTEE, True, 19),
        (Role.MENTEE, False, 8),
    ],
)
def test_seed_demo_europe_totals(role, in_europe, expected):
    run_seed_demo()

    countries = countries_of(role)
    count = sum(1 for code in countries if (code in EUROPEAN_COUNTRIES) == in_europe)

    assert count == expected


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "country", "expected"),
    [
        (Role.MENTOR, "GB", 6),
        (Role.MENTOR, "AT", 4),
        (Role.MENTOR, "DE", 4),
        (Role.MENTOR, "IT", 3),
        (Role.MENTEE, "GB", 6),
        (Role.MENTEE, "IT", 4),
    ],
)
def test_seed_demo_named_country_counts(role, country, expected):
    run_seed_demo()

    count = countries_of(role).count(country)

    assert count == expected


@pytest.mark.django_db
def test_seed_demo_mentor_countries_outside_europe():
    run_seed_demo()

    countries = {code for code in countries_of(Role.MENTOR) if code not in EUROPEAN_COUNTRIES}

    assert countries == {"AU", "BR", "IN", "SG", "US"}


@pytest.mark.django_db
def test_seed_demo_mentee_countries_outside_europe():
    run_seed_demo()

    outside = [code for code in countries_of(Role.MENTEE) if code not in EUROPEAN_COUNTRIES]
    countries = sorted(outside)

    assert countries == ["AR", "AU", "BR", "EG", "MX", "MY", "NG", "PK"]


@pytest.mark.django_db
def test_seed_demo_greek_names_in_greek_script():
    run_seed_demo()

    greek_people = Person.objects.filter(country="GR")
    names = [person.full_name for person in greek_people]
    latin_only = [name for name in names if not GREEK_LETTER.search(name)]

    assert len(names) > 0
    assert latin_only == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("career_stage", "expected"), [(CareerStage.CONSULTANT, 23), (CareerStage.TRAINEE, 4)]
)
def test_seed_demo_mentee_career_stages(career_stage, expected):
    run_seed_demo()

    count = Application.objects.filter(role=Role.MENTEE, career_stage=career_stage).count()

    assert count == expected


@pytest.mark.django_db
def test_seed_demo_consultant_years_within_eligibility():
    run_seed_demo()

    years = Application.objects.filter(career_stage=CareerStage.CONSULTANT).values_list(
        "consultant_years", flat=True
    )

    assert min(years) == 0
    assert max(years) == 5


@pytest.mark.django_db
def test_seed_demo_training_years_within_eligibility():
    run_seed_demo()

    years = Application.objects.filter(career_stage=CareerStage.TRAINEE).values_list(
        "training_year", flat=True
    )

    assert min(years) == 4
    assert max(years) == 6


@pytest.mark.django_db
def test_seed_demo_mentor_practice_years_mean():
    run_seed_demo()

    years = Application.objects.filter(role=Role.MENTOR).values_list("practice_years", flat=True)

    assert round(mean(years), 1) == 17.5


@pytest.mark.django_db
def test_seed_demo_mentor_practice_years_range():
    run_seed_demo()

    years = Application.objects.filter(role=Role.MENTOR).values_list("practice_years", flat=True)

    assert min(years) == 5
    assert max(years) == 34


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "expected"), [(Role.MENTOR, 17), (Role.MENTEE, 5)])
def test_seed_demo_prior_mentoring_counts(role, expected):
    run_seed_demo()

    count = count_flag(role, "prior_mentoring")

    assert count == expected


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "area", "expected"),
    [
        (Role.MENTOR, "area_research", 22),
        (Role.MENTOR, "area_education", 23),
        (Role.MENTOR, "area_clinical", 26),
        (Role.MENTOR, "area_career", 24),
        (Role.MENTOR, "area_other", 15),
        (Role.MENTEE, "area_research", 18),
        (Role.MENTEE, "area_education", 23),
        (Role.MENTEE, "area_clinical", 26),
        (Role.MENTEE, "area_career", 20),
        (Role.MENTEE, "area_other", 15),
    ],
)
def test_seed_demo_area_counts(role, area, expected):
    run_seed_demo()

    count = count_flag(role, area)

    assert count == expected


@pytest.mark.django_db
def test_seed_demo_every_applicant_has_an_area():
    run_seed_demo()

    without_area = [str(a) for a in Application.objects.all() if not a.areas]

    assert without_area == []


@pytest.mark.django_db
def test_seed_demo_other_details_match_other_area():
    run_seed_demo()

    mismatched = [
        str(a) for a in Application.objects.all() if a.area_other != bool(a.area_other_details)
    ]

    assert mismatched == []


@pytest.mark.django_db
def test_seed_demo_mentor_capacities():
    run_seed_demo()

    capacities = set(
        Application.objects.filter(role=Role.MENTOR).values_list("capacity", flat=True)
    )

    assert capacities == {1, 2, 3}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "flag"),
    [
        (Role.MENTOR, "interest_research"),
        (Role.MENTOR, "interest_teaching"),
        (Role.MENTOR, "showcase_consent"),
        (Role.MENTEE, "lacks_local_mentoring"),
        (Role.MENTEE, "needs_same_country_for_language"),
        (Role.MENTEE, "wants_academic_mentor"),
    ],
)
def test_seed_demo_flags_set_for_some(role, flag):
    run_seed_demo()

    count = count_flag(role, flag)
    total = Application.objects.filter(role=role).count()

    assert count > 0
    assert count < total


@pytest.mark.django_db
def test_seed_demo_same_country_requests_are_few():
    run_seed_demo()

    count = count_flag(Role.MENTEE, "needs_same_country_for_language")

    assert count <= 5


@pytest.mark.django_db
def test_seed_demo_language_requests_matchable():
    run_seed_demo()

    requests = Application.objects.filter(needs_same_country_for_language=True)
    mentors = list(Person.objects.filter(applications__role=Role.MENTOR))
    unmatched = [str(r) for r in requests if not has_compatriot_mentor(r.person, mentors)]

    assert unmatched == []


@pytest.mark.django_db
def test_seed_demo_mentee_head_of_department_named():
    run_seed_demo()

    mentees = Application.objects.filter(role=Role.MENTEE)
    unnamed = [str(a) for a in mentees if not a.head_of_department_name]

    assert unnamed == []


@pytest.mark.django_db
def test_seed_demo_addresses_at_reserved_domains():
    run_seed_demo()

    addresses = [
        address
        for person in Person.objects.all()
        for address in (person.primary_email, person.secondary_email)
    ]
    addresses += [a.head_of_department_email for a in Application.objects.filter(role=Role.MENTEE)]
    outside = [address for address in addresses if domain_of(address) not in RESERVED_DOMAINS]

    assert len(addresses) == 147
    assert outside == []


@pytest.mark.django_db
def test_seed_demo_primary_and_secondary_differ():
    run_seed_demo()

    same = [str(p) for p in Person.objects.all() if p.primary_email == p.secondary_email]

    assert same == []


@pytest.mark.django_db
def test_seed_demo_addresses_unique():
    run_seed_demo()

    indexes = list(Person.objects.values_list("primary_email_index", flat=True))
    indexes += Person.objects.values_list("secondary_email_index", flat=True)

    assert len(set(indexes)) == 120


@pytest.mark.django_db
def test_seed_demo_languages_are_known_codes():
    run_seed_demo()

    codes = {code for person in Person.objects.all() for code in person.languages}

    assert codes - set(LANGUAGE_NAMES) == set()


@pytest.mark.django_db
def test_seed_demo_most_speak_english():
    run_seed_demo()

    english = sum(1 for person in Person.objects.all() if "en" in person.languages)

    assert english > 45


@pytest.mark.django_db
def test_seed_demo_most_are_members():
    run_seed_demo()

    members = Application.objects.filter(membership_status="member").count()

    assert members > 50


@pytest.mark.django_db
def test_seed_demo_privacy_notice_version_current():
    programme = ProgrammeSettings.objects.get_current()
    programme.privacy_notice_version = "2.3"
    programme.save()

    run_seed_demo()

    versions = set(Application.objects.values_list("privacy_notice_version", flat=True))

    assert versions == {"2.3"}


@pytest.mark.django_db
def test_seed_demo_consented_when_submitted():
    run_seed_demo()

    differing = [str(a) for a in Application.objects.all() if a.consented_at != a.submitted_at]

    assert differing == []


@pytest.mark.django_db
def test_seed_demo_submitted_within_ninety_days():
    before = timezone.now()

    run_seed_demo()

    times = list(Application.objects.values_list("submitted_at", flat=True))

    assert min(times) >= before - datetime.timedelta(days=90)
    assert max(times) <= before


@pytest.mark.django_db
def test_seed_demo_output_counts_created():
    output = run_seed_demo()

    assert output == "Demo applications: 60 created, 0 already existed.\n"


@pytest.mark.django_db
def test_seed_demo_second_run_creates_nothing():
    run_seed_demo()

    output = run_seed_demo()

    assert output == "Demo applications: 0 created, 60 already existed.\n"
    assert Application.objects.count() == 60
    assert Person.objects.count() == 60


@pytest.mark.django_db
def test_seed_demo_recreates_only_missing():
    run_seed_demo()
    Application.objects.get(submission_token="demo-mentor-05").person.delete()

    output = run_seed_demo()

    assert output == "Demo applications: 1 created, 59 already existed.\n"
    assert Application.objects.count() == 60


@pytest.mark.django_db
def test_seed_demo_same_people_each_run():
    run_seed_demo()
    first = {a.submission_token: a.person.full_name for a in Application.objects.all()}
    Person.objects.all().delete()

    run_seed_demo()

    second = {a.submission_token: a.person.full_name for a in Application.objects.all()}
    assert second == first


@pytest.mark.django_db
def test_seed_demo_stores_no_plaintext():
    run_seed_demo()

    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM core_person")
        rows = cursor.fetchall()
    # A Fernet token is URL-safe base64, so a short name can occur inside one
    # by chance. Cells that decrypt are ciphertext and are left out.
    cells = [str(cell) for row in rows for cell in row if not is_ciphertext(str(cell))]
    values = [
        value
        for person in Person.objects.all()
        for value in (person.given_name, person.family_name, person.primary_email)
    ]
    leaked = [value for value in values if any(value in cell for cell in cells)]

    assert len(rows) == 60
    assert leaked == []
