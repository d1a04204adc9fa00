import threading

import pytest
from django.contrib.auth.models import User
from django.db import connection, connections

from programme.letters.models import Letter
from programme.vetting.models import Enrolment
from programme.vetting.services import VettingError, decide_eligible
from tests.factories import ApplicationFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks need PostgreSQL to be tested"
    ),
]


def test_decide_eligible_at_once_one_enrolment():
    application = ApplicationFactory(mentor=True)
    officers = [User.objects.create_user(f"officer-{number}") for number in range(2)]
    barrier = threading.Barrier(len(officers))
    outcomes = []

    def decide(officer):
        try:
            barrier.wait()
            decide_eligible(application=application, actor=officer)
            outcomes.append("decided")
        except VettingError:
            outcomes.append("rejected")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=decide, args=(officer,)) for officer in officers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["decided", "rejected"]
    assert Enrolment.objects.count() == 1
    assert Letter.objects.count() == 1
