"""Sample values for previewing a letter template before it is used."""

from django.utils import timezone

from programme.letters.models import PLACEHOLDERS, Letter, LetterTemplate
from programme.letters.services import common_values, render_letter, site_link

# Names in several scripts, so a preview shows at once whether they print well.
SAMPLE_VALUES = {
    "recipient_name": "Zoë Παπαδοπούλου",
    "role": "mentee",
    "confirmation_link": site_link("/confirm-address/sample-link/"),
    "withdraw_link": site_link("/withdraw/sample-link/"),
    "term_start": "1 March 2027",
    "term_end": "29 February 2028",
    "term_years": "3",
    "capacity": "2",
    "tips_link": site_link("/tips/"),
    "head_of_department_name": "Prof. Alexei Ivanov (Алексей Иванов)",
    "reason": "Mentees need to be at least in their fourth year of training.",
    "eligibility_link": site_link("/eligibility/"),
    "mentee_institution": "Example University Hospital",
    "how_it_works_link": site_link("/how-it-works/"),
    "mentor_name": "Dr Jonas Berg",
    "mentor_emails": "jonas@example.org, jonas.home@example.net",
    "mentor_country": "Sweden",
    "mentor_institution": "Example University Hospital",
    "mentor_areas": "Research, Career development",
    "mentee_name": "Zoë Παπαδοπούλου",
    "mentee_emails": "zoe@example.org, zoe.home@example.net",
    "mentee_country": "Greece",
    "mentee_areas": "Research, Clinical practice",
    "mentee_needs": "Starting a research project on laryngeal imaging.",
    "minimum_meetings": "4",
    "checkin_due": "4 January 2027",
    "feedback_due": "4 June 2027",
    "completion_due": "4 December 2027",
    "partner_name": "Dr Jonas Berg",
    "end_reason": "Changed circumstances",
    "next_steps": "You are back in the matching queue, in the same place as before.",
    "apply_link": site_link("/mentors/renew/sample-link/"),
    "sign_in_link": site_link("/portal/sign-in/sample-link/"),
    "link_minutes": "30",
    "met_link": site_link("/check-in/sample-link/met/"),
    "in_contact_link": site_link("/check-in/sample-link/in_contact/"),
    "cannot_reach_link": site_link("/check-in/sample-link/cannot_reach/"),
    "portal_link": site_link("/portal/"),
    "participant_name": "Zoë Παπαδοπούλου",
    "withdrawn_on": "4 March 2027",
    "answered_on": "5 January 2027",
    "alerts_link": site_link("/admin/meetings/checkin/"),
    "questionnaire_title": "Six-month feedback",
    "questionnaire_link": site_link("/feedback/sample-link/"),
    "programme_start": "4 December 2026",
    "programme_end": "3 December 2027",
    "verification_code": "ABCD-EFGH-JKLM",
    "verify_link": site_link("/certificates/verify/?code=ABCD-EFGH-JKLM"),
}


def sample_letter(template: LetterTemplate) -> Letter:
    """Return an unsaved letter filled from the template with sample values."""
    wanted = PLACEHOLDERS[template.kind] - set(common_values())
    values = {name: SAMPLE_VALUES[name] for name in wanted}
    subject, body, attach_pdf = render_letter(template.kind, values)
    return Letter(
        kind=template.kind,
        idempotency_key="preview",
        recipient_name=values["recipient_name"],
        to_addresses="zoe@example.org",
        cc_addresses="zoe.home@example.net",
        subject=subject,
        body=body,
        attach_pdf=attach_pdf,
        created_at=timezone.now(),
    )
