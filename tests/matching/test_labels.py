from programme.matching.rules import RULE_LABELS
from programme.matching.templatetags.matching_labels import language_names, rule_labels


def test_rule_labels_replace_codes():
    text = rule_labels(["different_countries", "capacity"])

    assert text == f"{RULE_LABELS['different_countries']}, {RULE_LABELS['capacity']}"


def test_language_names_replace_codes():
    assert language_names(["sv", "en"]) == "Swedish, English"
