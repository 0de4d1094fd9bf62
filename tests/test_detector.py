"""The learned utterance detector: the shipped weights fit the features, it reads real embeddings, and its
training is deterministic."""

from __future__ import annotations

import importlib.util
import sys

import numpy as np
import pytest
from conftest import REPO

from companion.models import Segment
from companion.text.detector import DATA, LABELS, design_matrix, feature_names, lexical_features, load_detector
from companion.text.sentences import Sentence, split_sentences

WEIGHTS = DATA / "detector-en.npz"


def sentences_of(lines: list[tuple[str, str]]) -> list[Sentence]:
    return split_sentences([Segment(4.0 * i, 4.0 * i + 3.5, text, who) for i, (who, text) in enumerate(lines)])


def test_the_shipped_weights_are_small_and_match_the_features() -> None:
    detector = load_detector("en")
    assert WEIGHTS.stat().st_size < 500_000
    assert detector.weights.shape == (3 * 384 + len(feature_names()), len(LABELS))
    assert all(0.0 < detector.thresholds[label] < 1.0 for label in LABELS)
    # a language without its own data falls back to English rather than failing
    assert load_detector("xx").weights.shape == detector.weights.shape


def test_dialogue_features_see_the_reply_and_the_names() -> None:
    sentences = sentences_of([("Ann", "Shall we go with the cheaper van?"), ("Bo", "Fine by me."),
                              ("Ann", "Bo, can you book it by Friday?")])
    features = dict(zip(feature_names(), lexical_features(sentences, ["Ann", "Bo"]).T, strict=True))
    assert features["proposal"].tolist() == [1, 0, 0]
    assert features["next_assent"].tolist() == [1, 0, 0]
    assert features["names_person"].tolist() == [0, 0, 1]
    assert features["names_date"].tolist() == [0, 0, 1]
    assert features["request"].tolist() == [0, 0, 1]
    assert features["chair"].tolist() == [1, 0, 1]  # Ann says most: she chairs
    assert features["speaker_share"].tolist() == pytest.approx([14 / 17, 3 / 17, 14 / 17])
    assert design_matrix(np.ones((3, 384), np.float32), lexical_features(sentences, [])).shape == (
        3, 3 * 384 + len(feature_names()))


@pytest.mark.slow
def test_real_embeddings_tell_commitments_and_decisions_from_chat() -> None:
    from companion.llm.embeddings import shared_embedder

    sentences = sentences_of([
        ("Ann", "I like whales, they were the first animal I could think of."),
        ("Bo", "Ha, nice drawing."),
        ("Ann", "So we've decided the remote will only control the television."),
        ("Bo", "Okay, for next time I'll prepare the user requirements and send them round."),
        ("Ann", "The weather was lovely at the weekend."),
    ])
    verdicts = load_detector().verdicts(shared_embedder().encode([s.text for s in sentences]), sentences, ["Ann", "Bo"])
    action = [verdicts.probability("action", s) for s in sentences]
    decision = [verdicts.probability("decision", s) for s in sentences]
    assert max(action[:3] + action[4:]) < action[3]  # the commitment reads most like an action
    assert max(decision[:2] + decision[3:]) < decision[2]
    assert verdicts.says("decision", sentences[2])
    assert not any(verdicts.says(label, s) for label in ("action", "decision") for s in (sentences[0], sentences[4]))


def test_training_is_deterministic() -> None:
    spec = importlib.util.spec_from_file_location("train_detector", REPO / "scripts" / "train_detector.py")
    assert spec and spec.loader
    train = importlib.util.module_from_spec(spec)
    sys.modules["train_detector"] = train
    spec.loader.exec_module(train)
    rng = np.random.default_rng(7)
    x = rng.normal(size=(400, 12))
    y = (x[:, 0] + 0.5 * rng.normal(size=400) > 1.0).astype(np.float64)
    first = train.fit_label(x, y, np.ones(400), 1.0)
    second = train.fit_label(x, y, np.ones(400), 1.0)
    assert np.array_equal(first[0], second[0]) and first[1] == second[1]
    assert first[0][0] > 1.0  # it learned the informative column
    threshold, f1 = train.best_threshold([(1 / (1 + np.exp(-(x @ first[0] + first[1]))), y)])
    assert 0.05 <= threshold <= 0.95 and f1 > 0.7
