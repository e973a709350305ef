"""A small hand-written corpus with known topics, for semantic and hybrid tests.

Each paper is about one topic; the queries in the tests are written so that
keyword search and meaning each miss something the other finds.
"""

from __future__ import annotations

import datetime as dt

from papertide.models import PaperRecord

_PAPERS: tuple[tuple[str, str, str, str, tuple[str, ...], dt.date], ...] = (
    ("2501.00001", "Predicting protein structures from amino acid sequences",
     "We predict the three-dimensional shape of proteins from their amino acid chains with "
     "an attention network trained on solved crystal structures.",
     "Ada Folding", ("q-bio.BM", "cs.LG"), dt.date(2025, 1, 6)),
    ("2501.00002", "How enzymes fold into their native conformation",
     "Molecular dynamics simulations show the pathway by which enzymes reach their folded "
     "native state and which intermediates are stable.",
     "Ben Kinetic", ("q-bio.BM",), dt.date(2025, 1, 7)),
    ("2501.00003", "Message passing networks on molecular graphs",
     "Graph neural networks pass messages between atoms to predict chemical properties of "
     "small molecules.",
     "Cy Graph", ("cs.LG",), dt.date(2025, 2, 3)),
    ("2501.00004", "Evaporation of black holes and the information paradox",
     "We revisit Hawking radiation and argue that information escapes an evaporating black "
     "hole through subtle correlations.",
     "Dee Horizon", ("hep-th", "gr-qc"), dt.date(2025, 2, 4)),
    ("2501.00005", "Gravitational waves from merging neutron stars",
     "Detectors observed the inspiral and merger of two neutron stars; we estimate their "
     "masses from the gravitational wave signal.",
     "Eve Chirp", ("gr-qc", "astro-ph.HE"), dt.date(2025, 3, 10)),
    ("2501.00006", "Automatic speech recognition for low-resource languages",
     "A transcription model turns spoken audio into text for languages with little "
     "labelled speech, using self-supervised pretraining.",
     "Fay Voice", ("cs.CL", "eess.AS"), dt.date(2025, 3, 11)),
    ("2501.00007", "Translating between languages with transformers",
     "Sequence-to-sequence transformers translate sentences from English into German and "
     "French better than recurrent models.",
     "Rosalind Whitcombe", ("cs.CL",), dt.date(2025, 4, 1)),
    ("2501.00008", "Detecting pedestrians in street images",
     "A convolutional detector finds people crossing the road in camera images for "
     "self-driving cars.",
     "Hal Vision", ("cs.CV", "cs.RO"), dt.date(2025, 4, 2)),
    ("2501.00009", "Robot arms learning to grasp unfamiliar objects",
     "Reinforcement learning teaches a robotic manipulator to pick up objects it has never "
     "seen, from camera input alone.",
     "Ida Grip", ("cs.RO", "cs.LG"), dt.date(2025, 5, 5)),
    ("2501.00010", "Properties of the XQ-17 titanium alloy at high temperature",
     "We measure creep and fatigue of the XQ-17 alloy between 600 and 900 degrees for use "
     "in turbine blades.",
     "Jo Metal", ("cond-mat.mtrl-sci",), dt.date(2025, 5, 6)),
    ("2501.00011", "Forecasting rainfall with deep learning",
     "Neural networks trained on radar maps predict precipitation for the next hours more "
     "accurately than numerical weather models.",
     "Kim Cloud", ("physics.ao-ph", "cs.LG"), dt.date(2025, 6, 2)),
    ("2501.00012", "Sorting algorithms for nearly sorted arrays",
     "We analyse adaptive comparison sorts whose running time depends on how many elements "
     "are out of order.",
     "Lou Order", ("cs.DS",), dt.date(2025, 6, 3)),
    ("2501.00013", "A survey of large language model alignment",
     "We review methods that make chatbots follow human preferences, including reward "
     "models and reinforcement learning from feedback.",
     "Rosalind Whitcombe", ("cs.CL", "cs.AI"), dt.date(2025, 7, 7)),
    ("2501.00014", "Dark matter halos around dwarf galaxies",
     "Rotation curves of small galaxies constrain the density profile of their dark matter "
     "halos.",
     "Dee Horizon", ("astro-ph.GA",), dt.date(2025, 7, 8)),
    ("2501.00015", "Cardiac arrhythmia detection from electrocardiograms",
     "A classifier reads heart rhythm recordings and flags irregular heartbeats such as "
     "atrial fibrillation.",
     "Mo Pulse", ("eess.SP", "cs.LG"), dt.date(2025, 8, 4)),
    ("2501.00016", "Quantum error correction with surface codes",
     "Surface codes protect qubits from noise; we lower the threshold with a new decoder.",
     "Ned Qubit", ("quant-ph",), dt.date(2025, 8, 5)),
)


def corpus_records() -> list[PaperRecord]:
    return [
        PaperRecord(arxiv_id=arxiv_id, title=title, source="test", abstract=abstract,
                    authors=(author,), primary_category=categories[0], categories=categories,
                    announced_date=announced)
        for arxiv_id, title, abstract, author, categories, announced in _PAPERS
    ]


TOPIC_OF = {paper[0]: paper[1] for paper in _PAPERS}
