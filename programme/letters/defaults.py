"""The wording each letter kind starts with, until the office edits it."""

from programme.letters.models import LetterKind

SIGNATURE = """With best wishes,

The mentoring programme office
{{ society_name }}
{{ office_email }}"""

DEFAULT_TEMPLATES = {
    LetterKind.APPLICATION_RECEIVED: {
        "subject": "{{ programme_name }}: we have received your application",
        "body": """Dear {{ recipient_name }},

Thank you for applying to the {{ programme_name }} as a {{ role }}.

Please confirm that this address reaches you by opening this link:
{{ confirmation_link }}

We have also written to the second address you gave. Please confirm that one too, so that no letter about the programme goes missing.

The office will now check your application against the programme's criteria and write to you with the outcome.

If you change your mind, you can withdraw your application at any time here:
{{ withdraw_link }}

If you did not apply, please ignore this message or tell us at {{ office_email }}.

"""
        + SIGNATURE,
        "attach_pdf": False,
    },
    LetterKind.ADDRESS_CONFIRMATION: {
        "subject": "{{ programme_name }}: please confirm your second address",
        "body": """Dear {{ recipient_name }},

You gave this as your second address in your application to the {{ programme_name }} as a {{ role }}. We copy every letter about the programme to it.

Please confirm that this address reaches you by opening this link:
{{ confirmation_link }}

If you did not apply, please ignore this message or tell us at {{ office_email }}.

"""
        + SIGNATURE,
        "attach_pdf": False,
    },
    LetterKind.ENROLMENT_MENTOR: {
        "subject": "Welcome to the {{ programme_name }} as a mentor",
        "body": """Dear {{ recipient_name }},

We are delighted to tell you that you are enrolled in the {{ programme_name }} of the {{ society_name }} as a mentor, for {{ term_years }} years from {{ term_start }} to {{ term_end }}.

You told us how many mentees you can take at a time: {{ capacity }}. The core team will now match you with a mentee whose needs fit what you offer. When a pairing is agreed, you will both receive one letter with each other's contact details, and the year of mentoring begins.

Before then, please read our tips for a good mentoring relationship:
{{ tips_link }}

Thank you for giving your time and experience to a colleague early in their career.

"""
        + SIGNATURE,
        "attach_pdf": True,
    },
    LetterKind.ENROLMENT_MENTEE: {
        "subject": "Welcome to the {{ programme_name }} as a mentee",
        "body": """Dear {{ recipient_name }},

We are delighted to tell you that you are enrolled in the {{ programme_name }} of the {{ society_name }} as a mentee, from {{ term_start }} to {{ term_end }}.

The core team will now match you with a mentor whose experience fits what you hope to gain. When a pairing is agreed, you will both receive one letter with each other's contact details. The mentor usually leads the first meeting; after that you take turns to propose topics.

We are also writing to {{ head_of_department_name }} to explain that the programme complements the supervision you already have.

Please read our tips for a good mentoring relationship before your first meeting:
{{ tips_link }}

"""
        + SIGNATURE,
        "attach_pdf": True,
    },
    LetterKind.NOT_ELIGIBLE: {
        "subject": "Your application to the {{ programme_name }}",
        "body": """Dear {{ recipient_name }},

Thank you for your interest in the {{ programme_name }} and for the time you took to apply as a {{ role }}.

We have looked at your application carefully and, for now, it does not meet the programme's criteria:
{{ reason }}

This is no judgement of your work. The criteria are kept general because training differs between countries, and circumstances change: you are very welcome to apply again when they fit. You can read them here:
{{ eligibility_link }}

If you think we have misread something, please write to us at {{ office_email }}.

"""
        + SIGNATURE,
        "attach_pdf": True,
    },
    LetterKind.INFORMATION_REQUESTED: {
        "subject": "Your application to the {{ programme_name }}: a question",
        "body": """Dear {{ recipient_name }},

Thank you for applying to the {{ programme_name }} as a {{ role }}. Before we can decide on your application, we need a little more information:
{{ reason }}

Please reply to {{ office_email }}. Your application stays open in the meantime.

"""
        + SIGNATURE,
        "attach_pdf": False,
    },
    LetterKind.HEAD_OF_DEPARTMENT: {
        "subject": "{{ mentee_name }} has joined the {{ programme_name }}",
        "body": """Dear {{ recipient_name }},

{{ mentee_name }} of {{ mentee_institution }} has been accepted as a mentee in the {{ programme_name }} of the {{ society_name }}, from {{ term_start }} to {{ term_end }}, and named you as their head of training or department.

The programme pairs early-career members with an experienced colleague, usually in another country, who meets them online a few times over the year. It complements the training and supervision your department provides and does not replace it. Mentors do not offer fellowships or attachments.

You can read how the programme works here:
{{ how_it_works_link }}

If you have any questions, please write to us at {{ office_email }}.

"""
        + SIGNATURE,
        "attach_pdf": True,
    },
    LetterKind.TIPS_BULLETIN: {
        "subject": "{{ programme_name }}: ten tips for a good mentoring year",
        "body": """Dear {{ recipient_name }},

As you start your mentoring year, here are ten tips from earlier pairs:

1. Be proactive: prepare topics before each meeting.
2. Ask for feedback, and give it.
3. Bring a pearl of wisdom to share.
4. End each meeting by setting a goal for the next.
5. Be easy to reach.
6. Be honest, and respect each other's time.
7. Commit to the year together.
8. Keep what you discuss strictly confidential.
9. Meet at least four times, even if the first meetings feel awkward.
10. Remember that mentoring works in both directions.

Mentees should not expect fellowships or attachments from their mentors.

You can read the tips again at any time here:
{{ tips_link }}

"""
        + SIGNATURE,
        "attach_pdf": False,
    },
    LetterKind.ENGAGEMENT: {
        "subject": "{{ programme_name }}: meet your mentoring partner",
        "body": """Dear {{ recipient_name }},

The core team has matched you as mentor and mentee for the coming year. This letter goes to you both, so you have each other's details and can start.

Mentor: {{ mentor_name }}, {{ mentor_institution }}, {{ mentor_country }}
E-mail: {{ mentor_emails }}
Can help with: {{ mentor_areas }}

Mentee: {{ mentee_name }}, {{ mentee_institution }}, {{ mentee_country }}
E-mail: {{ mentee_emails }}
Hopes for help with: {{ mentee_areas }}
In their own words: {{ mentee_needs }}

What we ask of you:
- The mentor proposes the first, introductory meeting; after that you take turns to suggest topics.
- Meet online at least {{ minimum_meetings }} times during the year, for 30 to 45 minutes each.
- Keep going for at least the first four meetings, even if it feels slow at first.
- Read our tips for a good mentoring relationship: {{ tips_link }}
- Log your meetings on your page in the programme, where you also find each other's details: {{ portal_link }}
  (you sign in with a link sent to your e-mail; there is no password).

What happens next:
- Around {{ checkin_due }} we will ask you both whether you have been able to meet.
- Around {{ feedback_due }} we will send a short anonymous questionnaire.
- The pairing completes around {{ completion_due }}, with a certificate for each of you.

If you cannot reach each other, please tell us at {{ office_email }}.

"""
        + SIGNATURE,
        "attach_pdf": True,
    },
    LetterKind.PAIRING_ENDED: {
        "subject": "{{ programme_name }}: your pairing has ended",
        "body": """Dear {{ recipient_name }},

We are writing to let you know that your mentoring pairing with {{ partner_name }} has ended.

Reason: {{ end_reason }}

This happens from time to time, and nobody is at fault. {{ next_steps }}

Thank you for the time you have given to the programme. If you have questions, please write to us at {{ office_email }}.

"""
        + SIGNATURE,
        "attach_pdf": False,
    },
    LetterKind.REENROLMENT_INVITATION: {
        "subject": "{{ programme_name }}: your term as a mentor ends soon",
        "body": """Dear {{ recipient_name }},

Your term as a mentor in the {{ programme_name }} ends on {{ term_end }}. Thank you for everything you have given to your mentees.

If you would like to go on mentoring, you are warmly invited to renew your term here. It takes one click, and you can say how many mentees you can take:
{{ apply_link }}

"""
        + SIGNATURE,
        "attach_pdf": False,
    },
    LetterKind.SIGN_IN_LINK: {
        "subject": "{{ programme_name }}: your sign-in link",
        "body": """Dear {{ recipient_name }},

Here is your link to sign in to your page of the {{ programme_name }}:
{{ sign_in_link }}

The link works once, for {{ link_minutes }} minutes. If it has expired, ask for a new one on the sign-in page.

If you did not ask to sign in, you can ignore this message: nobody can sign in without the link.

"""
        + SIGNATURE,
        "attach_pdf": False,
    },
    LetterKind.CHECKIN: {
        "subject": "{{ programme_name }}: how is your pairing going?",
        "body": """Dear {{ recipient_name }},

About a month ago you were paired with {{ partner_name }}. We would like to know that the two of you have found each other. Please open the link that fits best:

We have met:
{{ met_link }}

We are in contact but have not met yet:
{{ in_contact_link }}

I cannot reach my partner:
{{ cannot_reach_link }}

If you cannot reach your partner, the office will help. Your page in the programme is here:
{{ portal_link }}

"""
        + SIGNATURE,
        "attach_pdf": False,
    },
    LetterKind.CHECKIN_REMINDER: {
        "subject": "Reminder: {{ programme_name }} check-in",
        "body": """Dear {{ recipient_name }},

We have not yet heard how your pairing with {{ partner_name }} is going. Please open the link that fits best:

We have met:
{{ met_link }}

We are in contact but have not met yet:
{{ in_contact_link }}

I cannot reach my partner:
{{ cannot_reach_link }}

This is the only reminder we send about the check-in. Your page in the programme is here:
{{ portal_link }}

"""
        + SIGNATURE,
        "attach_pdf": False,
    },
    LetterKind.CHECKIN_ALERT: {
        "subject": "{{ programme_name }}: a participant cannot reach their partner",
        "body": """To the programme office,

On {{ answered_on }}, {{ participant_name }} ({{ role }}) answered the one-month check-in: they cannot reach their partner, {{ partner_name }}.

Please contact both, check their addresses, and end the pairing if they cannot find each other. The open alerts are listed here:
{{ alerts_link }}
""",
        "attach_pdf": False,
    },
    LetterKind.WITHDRAWAL_NOTICE: {
        "subject": "{{ programme_name }}: a participant has withdrawn",
        "body": """To the programme office,

{{ participant_name }} ({{ role }}) withdrew from the {{ programme_name }} on {{ withdrawn_on }}.

Their reason:
{{ reason }}

Their pairing, if they had one, has ended, and their partner has been told. A mentee whose mentor withdrew is back in the matching queue.
""",
        "attach_pdf": False,
    },
    LetterKind.QUESTIONNAIRE_INVITATION: {
        "subject": "{{ programme_name }}: {{ questionnaire_title }} on your pairing with {{ partner_name }}",
        "body": """Dear {{ recipient_name }},

Please tell us about your experience of the {{ programme_name }} and of your pairing with {{ partner_name }}. The questionnaire "{{ questionnaire_title }}" takes about five minutes:
{{ questionnaire_link }}

Your answers are anonymous. We keep them apart from your name, and we show results only for groups large enough that nobody can be recognised.

"""
        + SIGNATURE,
        "attach_pdf": False,
    },
    LetterKind.QUESTIONNAIRE_REMINDER: {
        "subject": "Reminder: {{ questionnaire_title }} on your pairing with {{ partner_name }}",
        "body": """Dear {{ recipient_name }},

We have not yet received your answers to "{{ questionnaire_title }}" about your pairing with {{ partner_name }}. They help us improve the {{ programme_name }} for everyone. The questionnaire is here:
{{ questionnaire_link }}

This is the only reminder we send. Your answers are anonymous.

"""
        + SIGNATURE,
        "attach_pdf": False,
    },
    LetterKind.CERTIFICATE: {
        "subject": "{{ programme_name }}: your certificate",
        "body": """Dear {{ recipient_name }},

Congratulations on completing the {{ programme_name }} as a {{ role }}, from {{ programme_start }} to {{ programme_end }}. Thank you for the time and care you gave to it.

Your certificate is attached. You can also download it from your page:
{{ portal_link }}

Anyone can check the certificate with its code, {{ verification_code }}, here:
{{ verify_link }}

"""
        + SIGNATURE,
        "attach_pdf": False,
    },
}
