"""A synthetic demo cohort that reproduces the reference programme's first-cycle figures.

The tables at the top hold the figures: 33 mentors and 27 mentees with their
countries, genders, experience and areas. ``build_cohort`` turns them into field
values for Person and Application rows. Every person is invented. Names come
from Faker, seeded per row so that the same Faker version always yields the
same people, and e-mail addresses use the example domains that RFC 2606
reserves.
"""

import datetime
import functools
import unicodedata
from dataclasses import dataclass, field

from django.utils.text import slugify
from faker import Faker
from faker.config import AVAILABLE_LOCALES

from programme.applications.models import ApplicationStatus, CareerStage, MembershipStatus, Role
from programme.core.models import Gender

FALLBACK_LOCALE = "en_US"
PRIMARY_DOMAIN = "example.org"
SECONDARY_DOMAIN = "example.net"
HEAD_OF_DEPARTMENT_DOMAIN = "example.com"
SUBMISSION_WINDOW_DAYS = 90


@dataclass(frozen=True)
class CountryProfile:
    """Faker locale, languages and hospital names for applicants from one country."""

    locale: str
    languages: tuple[str, ...]
    hospital: str
    cities: tuple[str, ...]


# Names come from each profile's Faker locale. Hospital names are made from a
# pattern and a city, and Greek and Polish cities are given in the grammatical
# case their pattern needs.
COUNTRIES: dict[str, CountryProfile] = {
    "GB": CountryProfile(
        "en_GB", ("en",), "{city} University Hospital", ("Leeds", "Bristol", "Glasgow")
    ),
    "IE": CountryProfile("en_IE", ("en",), "{city} Regional Hospital", ("Galway", "Limerick")),
    "AT": CountryProfile("de_AT", ("de",), "Klinikum {city}", ("Graz", "Linz", "Innsbruck")),
    "DE": CountryProfile(
        "de_DE", ("de",), "Universitätsklinikum {city}", ("Freiburg", "Leipzig", "Münster")
    ),
    "IT": CountryProfile(
        "it_IT", ("it",), "Azienda Ospedaliera di {city}", ("Bologna", "Padova", "Torino")
    ),
    "GR": CountryProfile(
        "el_GR", ("el",), "Γενικό Νοσοκομείο {city}", ("Αθηνών", "Θεσσαλονίκης", "Πατρών")
    ),
    "NL": CountryProfile("nl_NL", ("nl",), "Medisch Centrum {city}", ("Leiden", "Groningen")),
    "FR": CountryProfile(
        "fr_FR", ("fr",), "Centre hospitalier universitaire de {city}", ("Lyon", "Nantes")
    ),
    "ES": CountryProfile(
        "es_ES", ("es",), "Hospital Universitario de {city}", ("Valencia", "Sevilla", "Málaga")
    ),
    "PT": CountryProfile("pt_PT", ("pt",), "Centro Hospitalar de {city}", ("Coimbra", "Braga")),
    "SE": CountryProfile("sv_SE", ("sv",), "{city} universitetssjukhus", ("Lund", "Uppsala")),
    "PL": CountryProfile(
        "pl_PL", ("pl",), "Szpital Uniwersytecki w {city}", ("Krakowie", "Poznaniu", "Gdańsku")
    ),
    "RO": CountryProfile(
        "ro_RO", ("ro",), "Spitalul Clinic Județean {city}", ("Cluj-Napoca", "Iași")
    ),
    "BR": CountryProfile(
        "pt_BR", ("pt",), "Hospital das Clínicas de {city}", ("Campinas", "Curitiba", "Recife")
    ),
    "AR": CountryProfile(
        "es_AR", ("es",), "Hospital Universitario de {city}", ("Córdoba", "Rosario")
    ),
    "MX": CountryProfile(
        "es_MX", ("es",), "Hospital General de {city}", ("Guadalajara", "Monterrey")
    ),
    "US": CountryProfile(
        "en_US", ("en",), "{city} Medical Center", ("Cleveland", "Seattle", "Denver")
    ),
    # Faker 40.63 has neither en_SG nor ms_MY, so get_faker falls back to en_US.
    "SG": CountryProfile(
        "en_SG", ("en", "zh", "ms"), "{city} Medical Centre", ("Novena", "Outram")
    ),
    "MY": CountryProfile("ms_MY", ("ms", "en"), "{city} Specialist Hospital", ("Ipoh", "Penang")),
    "IN": CountryProfile(
        "en_IN", ("en", "hi"), "{city} Institute of Medical Sciences", ("Pune", "Lucknow")
    ),
    # Faker's en_PK has one list of given names for both genders, so names come
    # from the fallback locale, whose given names match the gender.
    "PK": CountryProfile(
        FALLBACK_LOCALE, ("ur", "en"), "{city} Teaching Hospital", ("Lahore", "Peshawar")
    ),
    # Faker's ar_EG has no names of its own and returns en_US ones, so names
    # come from ar_AA, which has Arabic names in Arabic script.
    "EG": CountryProfile(
        "ar_AA", ("ar",), "{city} University Hospital", ("Alexandria", "Mansoura")
    ),
    "NG": CountryProfile("en_NG", ("en",), "{city} Teaching Hospital", ("Ibadan", "Enugu")),
    "AU": CountryProfile(
        "en_AU", ("en",), "{city} University Hospital", ("Adelaide", "Brisbane", "Perth")
    ),
}

# The first applicant of each role from these countries speaks no English, and
# that mentee requests a mentor from their own country because of language.
# Each country also has mentors, so the request can be met.
SAME_LANGUAGE_COUNTRIES = ("IT", "ES", "BR")


@dataclass(frozen=True)
class RoleFigures:
    """The first-cycle figures for one role, and counts for the flags they leave open."""

    role: str
    countries: tuple[tuple[str, int], ...]
    female: int
    membership_applied: int
    # Application boolean field -> how many applicants of this role have it set.
    flags: dict[str, int] = field(default_factory=dict)


MENTOR_FIGURES = RoleFigures(
    role=Role.MENTOR,
    countries=(
        # 24 from Europe.
        ("GB", 6),
        ("AT", 4),
        ("DE", 4),
        ("IT", 3),
        ("GR", 2),
        ("NL", 1),
        ("FR", 1),
        ("ES", 1),
        ("SE", 1),
        ("PL", 1),
        # 9 from outside Europe.
        ("BR", 2),
        ("US", 2),
        ("SG", 1),
        ("IN", 2),
        ("AU", 2),
    ),
    female=11,
    membership_applied=1,
    flags={
        "prior_mentoring": 17,
        "area_research": 22,
        "area_education": 23,
        "area_clinical": 26,
        "area_career": 24,
        "area_other": 15,
        "interest_research": 21,
        "interest_teaching": 27,
        "showcase_consent": 14,
    },
)

MENTEE_FIGURES = RoleFigures(
    role=Role.MENTEE,
    countries=(
        # 19 from Europe.
        ("GB", 6),
        ("IT", 4),
        ("ES", 2),
        ("DE", 1),
        ("GR", 1),
        ("PT", 1),
        ("RO", 1),
        ("PL", 1),
        ("NL", 1),
        ("IE", 1),
        # 8 from outside Europe.
        ("BR", 1),
        ("AR", 1),
        ("MX", 1),
        ("PK", 1),
        ("MY", 1),
        ("EG", 1),
        ("NG", 1),
        ("AU", 1),
    ),
    female=14,
    membership_applied=2,
    flags={
        "prior_mentoring": 5,
        "area_research": 18,
        "area_education": 23,
        "area_clinical": 26,
        "area_career": 20,
        "area_other": 15,
        "lacks_local_mentoring": 11,
        "wants_academic_mentor": 8,
    },
)

# One value per mentor, in table order. The sum is 578, so the mean is 17.52,
# which rounds to the reported 17.5. The range is the reported 5 to 34.
MENTOR_PRACTICE_YEARS = (
    12, 5, 21, 18, 27, 9, 15, 34, 19, 14, 23, 8, 17, 26, 11, 20, 16,
    30, 13, 22, 6, 18, 25, 10, 17, 28, 15, 21, 7, 19, 24, 12, 16,
)  # fmt: skip
MENTOR_CAPACITIES = (1, 2, 3)

# 23 early-years consultants and 4 trainees, all eligible.
MENTEE_TRAINEES = 4
TRAINING_YEARS = (4, 5, 6)
CONSULTANT_YEARS = (0, 1, 2, 3, 4, 5)

MENTOR_MOTIVATIONS = (
    "I was mentored early in my career and would like to pass that on.",
    "I enjoy teaching and want to help colleagues outside my own department.",
    "Our field is small, and I would like to help it grow across borders.",
    "I want to share what I learned while setting up a head and neck imaging service.",
)
MENTEE_MOTIVATIONS = (
    "I would like guidance from someone who has built a career in this subspecialty.",
    "I work alone in head and neck imaging at my hospital and want an outside view.",
    "I want to plan my next career steps with an experienced colleague.",
    "I hope to learn how other centres run their multidisciplinary meetings.",
)
MENTEE_NEEDS = (
    "Starting my first research project and writing it up.",
    "Reporting complex post-treatment neck imaging with confidence.",
    "Deciding between an academic and a clinical career.",
    "Building a teaching programme for the trainees in my department.",
    "Handling difficult conversations in multidisciplinary meetings.",
)
PRIOR_MENTORING_DETAILS = {
    Role.MENTOR: (
        "I have supervised trainees in my department for several years.",
        "I mentored junior colleagues in a national society scheme.",
    ),
    Role.MENTEE: (
        "I had an informal mentor during my residency.",
        "I took part in a short mentoring scheme at my hospital.",
    ),
}
OTHER_SKILLS = (
    "Leadership and management",
    "Writing grant applications",
    "Presenting at congresses",
    "Balancing work and family life",
)

# Letters that Unicode decomposition does not reduce to ASCII.
ASCII_REPLACEMENTS = str.maketrans({"ß": "ss", "ø": "o", "ł": "l", "Ł": "L", "æ": "ae"})


@dataclass(frozen=True)
class ApplicantPlan:
    """Country, flags and numbers that the tables fix for one applicant, before Faker."""

    role: str
    position: int  # 1-based within the role
    number: int  # unique across the cohort, for e-mail addresses
    country: str
    # Application boolean fields set, plus "female", "membership_applied", "trainee".
    flags: frozenset[str]
    same_language: bool

    @property
    def token(self) -> str:
        return f"demo-{self.role}-{self.position:02d}"


@dataclass(frozen=True)
class DemoApplicant:
    """Field values for one demo Person and their Application."""

    submission_token: str
    person: dict[str, object]
    application: dict[str, object]


@functools.cache
def get_faker(locale: str) -> Faker:
    """Return one Faker per locale, because building one takes tens of milliseconds."""
    if locale not in AVAILABLE_LOCALES:
        locale = FALLBACK_LOCALE
    return Faker(locale)


def spread_indices(count: int, total: int, offset: int = 0) -> frozenset[int]:
    """Pick `count` of `total` row indices evenly spaced, so a flag mixes across countries."""
    return frozenset((offset + i * total // count) % total for i in range(count))


def assign_flags(figures: RoleFigures, total: int) -> list[set[str]]:
    """Return the flag names set for each applicant, so that each count matches the table."""
    counts = {"female": figures.female, "membership_applied": figures.membership_applied}
    counts |= figures.flags
    if figures.role == Role.MENTEE:
        counts["trainee"] = MENTEE_TRAINEES

    flags: list[set[str]] = [set() for _ in range(total)]
    # A different offset per flag keeps the same few applicants from getting every
    # flag. With these offsets every applicant also ticks at least one area, as
    # the form requires, and the seed_demo tests check that.
    for position, (name, count) in enumerate(counts.items()):
        for index in spread_indices(count, total, offset=position * 7):
            flags[index].add(name)
    return flags


def plan_role(figures: RoleFigures, first_number: int) -> list[ApplicantPlan]:
    """Lay out one role's applicants: country, flags and numbers, in table order."""
    countries = [code for code, count in figures.countries for _ in range(count)]
    flags = assign_flags(figures, len(countries))
    seen_countries: set[str] = set()
    plans = []
    for index, country in enumerate(countries):
        same_language = country in SAME_LANGUAGE_COUNTRIES and country not in seen_countries
        seen_countries.add(country)
        plans.append(
            ApplicantPlan(
                role=figures.role,
                position=index + 1,
                number=first_number + index,
                country=country,
                flags=frozenset(flags[index]),
                same_language=same_language,
            )
        )
    return plans


def make_ascii_slug(name: str) -> str:
    """Return the ASCII letters of a name for an e-mail address, or "" for non-Latin script."""
    decomposed = unicodedata.normalize("NFKD", name.translate(ASCII_REPLACEMENTS))
    return slugify(decomposed).replace("-", "")


def build_local_parts(given: str, family: str, number: int, fallback: str) -> tuple[str, str]:
    """Return two different e-mail local parts, unique through the number.

    A name without Latin letters, such as a Greek or Arabic one, gets the
    fallback, and its two addresses then differ only by domain.
    """
    given_slug = make_ascii_slug(given)
    family_slug = make_ascii_slug(family)
    if not given_slug or not family_slug:
        return fallback, fallback
    return f"{given_slug}.{family_slug}{number:02d}", f"{given_slug[0]}{family_slug}{number:02d}"


def pick_languages(profile: CountryProfile, speaks_english: bool) -> list[str]:
    """Return the country's languages, with English added unless the applicant lacks it."""
    languages = [code for code in profile.languages if speaks_english or code != "en"]
    if speaks_english and "en" not in languages:
        languages.append("en")
    return languages


def build_person(fake: Faker, plan: ApplicantPlan) -> dict[str, object]:
    """Return Person field values with a name from the country's Faker locale."""
    profile = COUNTRIES[plan.country]
    if "female" in plan.flags:
        gender, given = Gender.FEMALE, fake.first_name_female()
    else:
        gender, given = Gender.MALE, fake.first_name_male()
    family = fake.last_name()
    fallback = f"{plan.role}{plan.position:02d}"
    primary, secondary = build_local_parts(given, family, plan.number, fallback)
    city = fake.random_element(profile.cities)

    return {
        "given_name": given,
        "family_name": family,
        "primary_email": f"{primary}@{PRIMARY_DOMAIN}",
        "secondary_email": f"{secondary}@{SECONDARY_DOMAIN}",
        "institution": profile.hospital.format(city=city),
        "country": plan.country,
        "gender": gender,
        "languages": pick_languages(profile, speaks_english=not plan.same_language),
    }


def build_shared_answers(
    fake: Faker, plan: ApplicantPlan, figures: RoleFigures, now: datetime.datetime
) -> dict[str, object]:
    """Return the Application field values that both roles fill in."""
    is_member = "membership_applied" not in plan.flags
    motivations = MENTOR_MOTIVATIONS if plan.role == Role.MENTOR else MENTEE_MOTIVATIONS
    prior_details = ""
    if "prior_mentoring" in plan.flags:
        prior_details = fake.random_element(PRIOR_MENTORING_DETAILS[plan.role])
    other_details = fake.random_element(OTHER_SKILLS) if "area_other" in plan.flags else ""
    minutes_ago = fake.random_int(60, SUBMISSION_WINDOW_DAYS * 24 * 60)

    return {name: name in plan.flags for name in figures.flags} | {
        "role": plan.role,
        "status": ApplicationStatus.SUBMITTED,
        "membership_status": MembershipStatus.MEMBER if is_member else MembershipStatus.APPLIED,
        "membership_number": f"DEMO-{plan.number:04d}" if is_member else "",
        "prior_mentoring_details": prior_details,
        "motivation": fake.random_element(motivations),
        "area_other_details": other_details,
        "submitted_at": now - datetime.timedelta(minutes=minutes_ago),
    }


def build_mentor_answers(plan: ApplicantPlan) -> dict[str, object]:
    """Return the Application field values that only mentors fill in."""
    index = plan.position - 1
    return {
        "practice_years": MENTOR_PRACTICE_YEARS[index],
        "capacity": MENTOR_CAPACITIES[index % len(MENTOR_CAPACITIES)],
    }


def build_mentee_answers(fake: Faker, plan: ApplicantPlan) -> dict[str, object]:
    """Return the Application field values that only mentees fill in, with a head of department."""
    index = plan.position - 1
    is_trainee = "trainee" in plan.flags
    head_given = fake.first_name()
    head_family = fake.last_name()
    head_local, _ = build_local_parts(
        head_given, head_family, plan.number, f"head{plan.number:02d}"
    )
    training_year = TRAINING_YEARS[index % len(TRAINING_YEARS)] if is_trainee else None
    consultant_years = None if is_trainee else CONSULTANT_YEARS[index % len(CONSULTANT_YEARS)]

    return {
        "career_stage": CareerStage.TRAINEE if is_trainee else CareerStage.CONSULTANT,
        "training_year": training_year,
        "consultant_years": consultant_years,
        "specific_needs": fake.random_element(MENTEE_NEEDS),
        "needs_same_country_for_language": plan.same_language,
        "head_of_department_name": f"{head_given} {head_family}",
        "head_of_department_email": f"{head_local}@{HEAD_OF_DEPARTMENT_DOMAIN}",
    }


def build_applicant(
    plan: ApplicantPlan, figures: RoleFigures, now: datetime.datetime, privacy_notice_version: str
) -> DemoApplicant:
    """Fill one planned applicant in with Faker, seeded by the token so reruns match."""
    fake = get_faker(COUNTRIES[plan.country].locale)
    fake.seed_instance(plan.token)

    person = build_person(fake, plan)
    application = build_shared_answers(fake, plan, figures, now)
    if plan.role == Role.MENTOR:
        application |= build_mentor_answers(plan)
    else:
        application |= build_mentee_answers(fake, plan)
    application["privacy_notice_version"] = privacy_notice_version
    application["consented_at"] = application["submitted_at"]

    return DemoApplicant(plan.token, person, application)


def build_cohort(*, now: datetime.datetime, privacy_notice_version: str) -> list[DemoApplicant]:
    """Build all 60 demo applicants, mentors first, with submissions in the 90 days to `now`."""
    applicants = []
    first_number = 1
    for figures in (MENTOR_FIGURES, MENTEE_FIGURES):
        plans = plan_role(figures, first_number)
        applicants += [
            build_applicant(plan, figures, now, privacy_notice_version) for plan in plans
        ]
        first_number += len(plans)
    return applicants
