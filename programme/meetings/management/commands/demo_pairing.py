"""Engage one demo pairing in a single step, so a demo can walk through a pairing's year.

Development only: it refuses to run unless DEBUG is on. It finds the first
mentee still waiting for vetting, or waiting in the queue, finds them
eligible as the demo office user, proposes the best-ranked mentor as core1
and approves as core2 and core3, through the same services staff use. The
engagement letter goes out as usual.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from programme.applications.models import Application, ApplicationStatus, Role
from programme.core.demo_staff import DEMO_STAFF
from programme.matching.models import PairingStatus
from programme.matching.selectors import waiting_mentees
from programme.matching.services import propose_pairing, review_pairing
from programme.matching.suggestions import rank_mentors
from programme.vetting.models import Enrolment
from programme.vetting.services import decide_eligible


class Command(BaseCommand):
    help = "Development only: vet, match and engage one demo mentee with a mentor."

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG:
            raise CommandError("demo_pairing changes real records, so it runs only with DEBUG on.")
        staff = self.demo_staff()
        office, proposer, *reviewers = staff

        with transaction.atomic():
            mentee = waiting_mentees().first() or self.enrol_next(Role.MENTEE, office)
            if mentee is None:
                raise CommandError(
                    "No mentee is waiting or open for vetting. Run seed_demo first."
                )
            mentor = self.best_mentor(mentee, office)
            pairing = propose_pairing(
                mentee=mentee, mentor=mentor, proposer=proposer, note="Demo pairing."
            )
            for reviewer in reviewers:
                if pairing.status != PairingStatus.PROPOSED:
                    break
                pairing = review_pairing(pairing=pairing, reviewer=reviewer, verdict="approve")

        if pairing.status != PairingStatus.ENGAGED:
            raise CommandError(
                f"Pairing {pairing.pk} is {pairing.get_status_display().lower()}, not engaged: "
                "check the consensus setting in the programme settings."
            )
        for role, enrolment in (("Mentee", mentee), ("Mentor", mentor)):
            person = (
                Enrolment.objects.select_related("application__person")
                .get(pk=enrolment.pk)
                .application.person
            )
            self.stdout.write(f"{role}: {person.full_name} <{person.primary_email}>")
        self.stdout.write(
            f"Pairing {pairing.pk} is engaged. Sign in as either of them at "
            f"{settings.SITE_URL.rstrip('/')}/portal/sign-in/; the sign-in letter goes to the "
            "address above (printed where make run runs, unless mail is set up). "
            "Move the pairing through its "
            f"year with: manage.py demo_advance_pairing {pairing.pk} --days 31, then "
            "manage.py run_due_tasks."
        )

    def demo_staff(self) -> list:
        users = get_user_model().objects.in_bulk(
            [account.username for account in DEMO_STAFF], field_name="username"
        )
        missing = [account.username for account in DEMO_STAFF if account.username not in users]
        if missing:
            raise CommandError(
                f"The demo staff accounts {', '.join(missing)} are missing. "
                "Run create_demo_staff first (make run does)."
            )
        return [users[account.username] for account in DEMO_STAFF]

    def enrol_next(self, role: str, office) -> Enrolment | None:
        application = (
            Application.objects.filter(role=role, status=ApplicationStatus.SUBMITTED)
            .order_by("-lacks_local_mentoring", "submitted_at", "id")
            .first()
        )
        if application is None:
            return None
        return decide_eligible(application=application, actor=office)

    def best_mentor(self, mentee: Enrolment, office) -> Enrolment:
        for suggestion in rank_mentors(mentee):
            if suggestion.eligible:
                return Enrolment.objects.get(pk=suggestion.mentor_id)
        # No enrolled mentor fits: enrol open mentor applications until one does.
        while (mentor := self.enrol_next(Role.MENTOR, office)) is not None:
            for suggestion in rank_mentors(mentee):
                if suggestion.eligible and suggestion.mentor_id == mentor.pk:
                    return mentor
        raise CommandError("No mentor meets every hard rule for this mentee.")
