import xml.etree.ElementTree as ET

import pytest

from programme.feedback.charts import FILL, Bar, diverging_bar_chart, percentages, summary
from programme.feedback.models import Likert
from programme.feedback.selectors import hidden_reasons, too_few_message

SVG = "{http://www.w3.org/2000/svg}"


def test_percentages_known_set():
    counts = {5: 2, 4: 1, 3: 1, 2: 1}

    assert percentages(counts) == {1: 0, 2: 20, 3: 20, 4: 20, 5: 40}


def test_percentages_equal_counts_equal_shares():
    counts = {1: 1, 3: 1, 5: 1}

    assert percentages(counts) == {1: 33, 2: 0, 3: 33, 4: 0, 5: 33}


def test_percentages_half_rounds_up():
    counts = {4: 1, 5: 7}

    assert percentages(counts) == {1: 0, 2: 0, 3: 0, 4: 13, 5: 88}


def test_percentages_no_answers_all_zero():
    assert percentages({}) == {1: 0, 2: 0, 3: 0, 4: 0, 5: 0}


def test_summary_agree_unsure_disagree():
    bar = Bar("Mentors", {5: 3, 4: 1, 3: 0, 2: 1})

    assert summary(bar) == "Mentors, 5 answers: 80% agree, 0% unsure, 20% disagree."


def chart(bars: list[Bar]) -> ET.Element:
    markup = str(diverging_bar_chart(chart_id="c1", title="A & <b>", bars=bars))
    return ET.fromstring(markup)  # noqa: S314 (our own output, parsed to check it)


def test_chart_is_well_formed_svg():
    root = chart([Bar("Mentors", {5: 2, 4: 1, 3: 1, 1: 1}), Bar("Mentees", {}, "Too few.")])

    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "c1-title c1-desc"
    assert root.find(f"{SVG}title").text == "A & <b>"
    assert "Mentees: Too few." in root.find(f"{SVG}desc").text


def test_chart_has_no_style_attribute():
    root = chart([Bar("All", {5: 5})])

    assert [element for element in root.iter() if "style" in element.attrib] == []


def test_chart_shows_percentages_as_text():
    root = chart([Bar("All", {5: 2, 4: 1, 3: 1, 2: 1})])

    texts = [element.text for element in root.iter(f"{SVG}text")]

    assert "40%" in texts
    assert texts.count("20%") == 3
    assert "All (n=5)" in texts


def test_chart_has_legend_for_each_answer():
    root = chart([Bar("All", {5: 5})])

    texts = [element.text for element in root.iter(f"{SVG}text")]

    for label in Likert.labels:
        assert label in texts


def test_chart_segments_diverge_from_centre():
    root = chart([Bar("All", {1: 1, 5: 1})])

    bars = [
        rect
        for rect in root.iter(f"{SVG}rect")
        if rect.find(f"{SVG}title") is not None  # legend swatches have no tooltip
    ]
    by_fill = {rect.get("fill"): rect for rect in bars}
    disagree, agree = by_fill[FILL[1]], by_fill[FILL[5]]
    centre = float(root.find(f"{SVG}line").get("x1"))

    assert float(disagree.get("x")) + float(disagree.get("width")) == pytest.approx(centre)
    assert float(agree.get("x")) == pytest.approx(centre)


def test_chart_hidden_bar_shows_reason_only():
    root = chart([Bar("Mentors", {5: 4}, too_few_message(5))])

    texts = [element.text for element in root.iter(f"{SVG}text")]

    assert "Too few responses to show (fewer than 5)." in texts
    assert "100%" not in texts


def reason_kind(reason: str) -> str:
    if not reason:
        return ""
    if reason == too_few_message(5):
        return "too few"
    return "reveals"


@pytest.mark.parametrize(
    ("mentors", "mentees", "expected"),
    [
        (4, 0, {"mentor": "too few", "mentee": "too few", "all": "too few"}),
        (5, 0, {"mentor": "", "mentee": "too few", "all": ""}),
        (5, 5, {"mentor": "", "mentee": "", "all": ""}),
        (3, 3, {"mentor": "too few", "mentee": "too few", "all": ""}),
        (3, 6, {"mentor": "too few", "mentee": "reveals", "all": ""}),
        (6, 2, {"mentor": "reveals", "mentee": "too few", "all": ""}),
    ],
)
def test_hidden_reasons_by_group_size(mentors, mentees, expected):
    sizes = {"mentor": mentors, "mentee": mentees, "all": mentors + mentees}

    reasons = hidden_reasons(sizes, 5)

    kinds = {key: reason_kind(reason) for key, reason in reasons.items()}
    assert kinds == expected
