"""Time the matching queue page and mentor ranking on a large seeded cohort.

The script builds a throwaway database: a temporary SQLite file, or a test
database on the PostgreSQL server named by DATABASE_URL. It seeds 5,000
mentor and 10,000 mentee enrolments and signs a core-team member in with a
TOTP code through Django's test client. Then it prints:

- the queue page's median time against trivial pages on the same stack (the
  admin's JavaScript catalogue and the plain "password changed" page), as ratios;
- ``rank_mentors`` for one mentee over every mentor, median in milliseconds.

Nothing is written into the repository. Run with ``make bench``.
"""

import datetime
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from common import ROUNDS, median_ms, prepare_environment  # noqa: E402

MENTORS = 5_000
MENTEES = 10_000
ENGAGED_PAIRINGS = 2_000
COUNTRIES = ("GB", "AT", "DE", "IT", "FR", "ES", "NL", "BR", "US", "SG", "IN", "AU", "PK", "EG")
LANGUAGES = (["en"], ["en", "de"], ["it", "en"], ["fr"], ["es", "en"], ["pt", "en"], ["de"])


def seed() -> None:
    """Bulk-create the people, applications, enrolments and some pairings. Text is kept short."""
    from django.utils import timezone

    from programme.applications.models import Application, ApplicationStatus, Role
    from programme.core.models import Gender, Person
    from programme.matching.models import Pairing, PairingStatus
    from programme.vetting.models import Enrolment

    now = timezone.now()
    today = timezone.localdate()
    total = MENTORS + MENTEES
    people = Person.objects.bulk_create(
        [
            Person(
                given_name="Ann",
                family_name=f"P{number}",
                primary_email=f"p{number}@example.org",
                secondary_email=f"p{number}@example.net",
                institution="H",
                country=COUNTRIES[number % len(COUNTRIES)],
                gender=Gender.FEMALE,
                languages=LANGUAGES[number % len(LANGUAGES)],
            )
            for number in range(total)
        ],
        batch_size=1000,
    )

    applications = []
    for number, person in enumerate(people):
        is_mentor = number < MENTORS
        applications.append(
            Application(
                person=person,
                role=Role.MENTOR if is_mentor else Role.MENTEE,
                status=ApplicationStatus.ELIGIBLE,
                submitted_at=now - datetime.timedelta(minutes=number),
                submission_token=f"bench-{number}",
                membership_status="member",
                motivation="M",
                area_research=number % 2 == 0,
                area_education=number % 3 == 0,
                area_clinical=True,
                area_career=number % 5 == 0,
                specific_needs="" if is_mentor else "Needs",
                lacks_local_mentoring=not is_mentor and number % 7 == 0,
                needs_same_country_for_language=not is_mentor and number % 11 == 0,
                wants_academic_mentor=not is_mentor and number % 4 == 0,
                career_stage="" if is_mentor else "consultant",
                consultant_years=None if is_mentor else 2,
                practice_years=5 + number % 30 if is_mentor else None,
                interest_research=is_mentor and number % 2 == 0,
                capacity=1 + number % 3 if is_mentor else None,
                privacy_notice_version="1.0",
                consented_at=now,
            )
        )
    applications = Application.objects.bulk_create(applications, batch_size=1000)

    enrolments = Enrolment.objects.bulk_create(
        [
            Enrolment(
                application=application,
                role=application.role,
                starts_on=today - datetime.timedelta(days=30),
                ends_on=today
                + datetime.timedelta(days=3 * 365 if application.role == "mentor" else 335),
            )
            for application in applications
        ],
        batch_size=1000,
    )
    mentors, mentees = enrolments[:MENTORS], enrolments[MENTORS:]

    # The last mentees of the queue are engaged with the first mentors, one place each.
    Pairing.objects.bulk_create(
        [
            Pairing(
                mentor_enrolment=mentor,
                mentee_enrolment=mentee,
                status=PairingStatus.ENGAGED,
                mentor_place=1,
                mentor_capacity=mentor.application.capacity,
                engaged_on=today - datetime.timedelta(days=number % 90),
            )
            for number, (mentor, mentee) in enumerate(
                zip(mentors[:ENGAGED_PAIRINGS], mentees[-ENGAGED_PAIRINGS:], strict=True)
            )
        ],
        batch_size=1000,
    )


def signed_in_core_member():
    from django.test import Client
    from django.urls import reverse

    from programme.core.roles import CORE_TEAM
    from tests.core.staff import create_staff_user, sign_in

    client = Client()
    user = create_staff_user("bench-core-member", group=CORE_TEAM)
    response = sign_in(client, user)
    if response.status_code != 302 or response["Location"] != reverse("admin:index"):
        raise SystemExit(f"Signing the core-team member in failed: status {response.status_code}.")
    return client


def measure() -> None:
    from django.urls import reverse

    from programme.matching.selectors import waiting_mentees
    from programme.matching.suggestions import rank_mentors

    client = signed_in_core_member()
    queue_url = reverse("admin:matching_waitingmentee_changelist")
    trivial_url = reverse("admin:jsi18n")

    def get(url: str):
        def action():
            response = client.get(url)
            if response.status_code != 200:
                raise SystemExit(f"GET {url} returned {response.status_code}.")

        return action

    trivial = median_ms(get(trivial_url))
    queue = median_ms(get(queue_url))
    index = median_ms(get(reverse("admin:index")))
    # The smallest admin HTML page: the base template, the sidebar and a sentence.
    plain = median_ms(get(reverse("admin:password_change_done")))
    mentee = waiting_mentees().first()
    ranking = median_ms(lambda: rank_mentors(mentee))
    mentor_count = len(rank_mentors(mentee))

    print(f"trivial page (admin jsi18n): {trivial:.1f} ms")
    print(f"admin index page:            {index:.1f} ms")
    print(f"plain admin page:            {plain:.1f} ms")
    from programme.matching.admin import QUEUE_PAGE_SIZE

    print(f"queue page ({QUEUE_PAGE_SIZE} rows):        {queue:.1f} ms")
    print(f"queue / trivial ratio:       {queue / trivial:.2f} (budget 3)")
    print(f"queue / plain admin ratio:   {queue / plain:.2f}")
    print(f"queue / admin index ratio:   {queue / index:.2f}")
    print(f"rank_mentors, {mentor_count} mentors: {ranking:.1f} ms (budget 100)")


def main() -> None:
    prepare_environment()
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    with tempfile.TemporaryDirectory(prefix="matching-bench-") as scratch:
        if connection.vendor == "sqlite":
            # A file, as in production, rather than the test runner's in-memory database.
            connection.settings_dict["TEST"]["NAME"] = str(Path(scratch) / "bench.sqlite3")
        old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
        try:
            started = time.perf_counter()
            seed()
            # Bulk-loaded tables have no planner statistics yet, but a live database has them.
            # On PostgreSQL, autovacuum also keeps a live table's visibility map, which lets
            # counts read the index alone; VACUUM sets it here.
            with connection.cursor() as cursor:
                cursor.execute(
                    "VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE"
                )
            print(
                f"database: {connection.vendor}; seeded {MENTORS} mentors and {MENTEES} mentees "
                f"in {time.perf_counter() - started:.0f} s; medians of {ROUNDS} runs"
            )
            measure()
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
