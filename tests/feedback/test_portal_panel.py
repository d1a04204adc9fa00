import pytest
from django.template import Context, Template

from programme.applications.models import Role
from programme.feedback.services import invitation_path
from programme.vetting.models import EnrolmentStatus
from tests.feedback.helpers import due_pairing, invitations_for, respond

pytestmark = pytest.mark.django_db

PANEL = Template("{% load feedback_portal %}{% open_questionnaires person %}")


def render_panel(person) -> str:
    return PANEL.render(Context({"person": person}))


def test_panel_lists_unanswered_invitation():
    invitation = invitations_for(due_pairing())[Role.MENTEE]
    person = invitation.enrolment.application.person

    html = render_panel(person)

    assert invitation.questionnaire.title in html
    assert f'href="{invitation_path(invitation)}"' in html


def test_panel_leaves_out_answered_invitation():
    invitation = invitations_for(due_pairing())[Role.MENTEE]
    respond(invitation)

    html = render_panel(invitation.enrolment.application.person)

    assert "There is no questionnaire waiting for you." in html
    assert invitation_path(invitation) not in html


def test_panel_shows_only_own_invitations():
    invitations = invitations_for(due_pairing())
    mentor = invitations[Role.MENTOR]

    html = render_panel(invitations[Role.MENTEE].enrolment.application.person)

    assert invitation_path(mentor) not in html


def test_panel_leaves_out_withdrawn_enrolment():
    invitation = invitations_for(due_pairing())[Role.MENTEE]
    invitation.enrolment.status = EnrolmentStatus.WITHDRAWN
    invitation.enrolment.save(update_fields=["status"])

    html = render_panel(invitation.enrolment.application.person)

    assert "There is no questionnaire waiting for you." in html


def test_panel_one_query(django_assert_num_queries):
    invitation = invitations_for(due_pairing())[Role.MENTOR]
    second = due_pairing(mentor_enrolment=invitation.enrolment)
    invitations_for(second)
    person = invitation.enrolment.application.person

    with django_assert_num_queries(1):
        html = render_panel(person)

    assert html.count("Six-month feedback") == 2
