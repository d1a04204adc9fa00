"""The development command that engages one demo pairing in a single step."""

import io

import pytest
from django.core.management import CommandError, call_command

from programme.letters.models import Letter, LetterKind
from programme.matching.models import Pairing, PairingStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings, monkeypatch):
    settings.DEBUG = True
    monkeypatch.setenv("DEMO_STAFF_PASSWORD", "a demo password for tests")
    call_command("seed_demo", stdout=io.StringIO())
    call_command("create_demo_staff", stdout=io.StringIO())


def run_demo_pairing() -> str:
    out = io.StringIO()
    call_command("demo_pairing", stdout=out)
    return out.getvalue()


def test_demo_pairing_engages_one_pair_by_the_rules(demo):
    output = run_demo_pairing()

    pairing = Pairing.objects.get()
    assert pairing.status == PairingStatus.ENGAGED
    assert pairing.overridden_rules == []
    assert Letter.objects.filter(kind=LetterKind.ENGAGEMENT).count() == 1
    assert f"Pairing {pairing.pk} is engaged." in output


def test_demo_pairing_twice_engages_two_mentees(demo):
    run_demo_pairing()
    run_demo_pairing()

    mentees = set(Pairing.objects.values_list("mentee_enrolment", flat=True))
    assert len(mentees) == 2


def test_demo_pairing_refused_without_debug(demo, settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="runs only with DEBUG on"):
        run_demo_pairing()
    assert not Pairing.objects.exists()
