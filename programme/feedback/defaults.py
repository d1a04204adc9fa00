"""The six-month and the completion questionnaire as they start, until staff edit them.

The statements are our own words for the ten the programme asks about: topics
beyond the specialty, a good match, open feedback both ways, recommending the
programme, a partner who comes prepared and is easy to reach, clear
expectations, feeling prepared, feeling included in the society, and finding
it rewarding.
"""

SIX_MONTH_STATEMENTS = [
    "Our conversations have gone beyond the specialty itself.",
    "The person I am paired with suits me well.",
    "We give each other open feedback, in both directions.",
    "I would recommend this programme to a colleague.",
    "The person I am paired with comes to our meetings prepared.",
    "The person I am paired with is easy to reach.",
    "I know what is expected of me and what my responsibilities are.",
    "I felt prepared and trained for my role before we started.",
    "Taking part makes me feel more included in the society.",
    "I find taking part rewarding rather than an obligation.",
]

COMPLETION_STATEMENTS = [
    "Our conversations went beyond the specialty itself.",
    "The person I was paired with suited me well.",
    "We gave each other open feedback, in both directions.",
    "I would recommend this programme to a colleague.",
    "The person I was paired with came to our meetings prepared.",
    "The person I was paired with was easy to reach.",
    "I knew what was expected of me and what my responsibilities were.",
    "I felt prepared and trained for my role before we started.",
    "Taking part made me feel more included in the society.",
    "I found taking part rewarding rather than an obligation.",
]

QUESTIONNAIRES = [
    {
        "kind": "six_month",
        "title": "Six-month feedback",
        "introduction": (
            "Six months into your pairing, please tell us how it is going. "
            "It takes about five minutes."
        ),
        "statements": SIX_MONTH_STATEMENTS,
        "meeting_count": "How many times have you met so far?",
        "topics": "What did you discuss? Tick all that apply.",
        "free_text": "Is there anything else you would like to tell us?",
    },
    {
        "kind": "completion",
        "title": "Completion feedback",
        "introduction": (
            "Your year in the programme is complete. Please tell us how it went, "
            "so we can improve it. It takes about five minutes."
        ),
        "statements": COMPLETION_STATEMENTS,
        "meeting_count": "How many times have you met in total?",
        "topics": "What did you discuss? Tick all that apply.",
        "free_text": "Is there anything else you would like to tell us?",
    },
]


def create_default_questionnaires(questionnaire_model, question_model, kinds=None) -> None:
    """Create the default questionnaires of ``kinds`` (all by default) that do not exist yet.

    Takes the model classes, so a migration can pass its historical models.
    """
    for default in QUESTIONNAIRES:
        if kinds is not None and default["kind"] not in kinds:
            continue
        questionnaire, created = questionnaire_model.objects.get_or_create(
            kind=default["kind"],
            defaults={"title": default["title"], "introduction": default["introduction"]},
        )
        if not created:
            continue
        questions = [("likert", statement, True) for statement in default["statements"]] + [
            ("meeting_count", default["meeting_count"], True),
            ("topics", default["topics"], False),
            ("free_text", default["free_text"], False),
        ]
        question_model.objects.bulk_create(
            question_model(
                questionnaire=questionnaire,
                # Steps of ten leave room to insert a question between two others.
                position=number * 10,
                kind=kind,
                text=text,
                required=required,
            )
            for number, (kind, text, required) in enumerate(questions, start=1)
        )
