"""The portal's panel of questionnaires a participant has not answered yet.

Use ``{% load feedback_portal %}{% open_questionnaires person %}``.
"""

from django import template

from programme.core.models import Person
from programme.feedback.selectors import open_invitations
from programme.feedback.services import invitation_path, partner_name

register = template.Library()


@register.inclusion_tag("feedback/includes/open_questionnaires.html")
def open_questionnaires(person: Person) -> dict:
    """List the person's unanswered invitations with the link to each, in one query."""
    return {
        "open_questionnaires": [
            (invitation, invitation_path(invitation), partner_name(invitation))
            for invitation in open_invitations(person)
        ],
    }
