import cProfile, pstats, time
import pytest
from django.core.management import call_command
from io import StringIO

@pytest.mark.django_db
def test_prof():
    call_command("seed_demo", stdout=StringIO())
    from programme.applications.models import Application
    Application.objects.all().delete()
    from programme.core.models import Person
    Person.objects.all().delete()
    t=time.time()
    pr=cProfile.Profile(); pr.enable()
    call_command("seed_demo", stdout=StringIO())
    pr.disable()
    print("seconds", time.time()-t)
    pstats.Stats(pr).sort_stats("cumulative").print_stats(25)
