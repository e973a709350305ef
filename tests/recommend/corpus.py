"""Papers on four topics: older ones people keep in libraries, and a new week to pick from.

Each new paper has a clear topic, so a reader can tell which picks a speech
researcher (say) should get; near twins let tests check that "not
interested" pulls a paper's neighbours down with it.
"""

from __future__ import annotations

import datetime as dt

from papertide.models import PaperRecord

OLD_DAY = dt.date(2025, 1, 6)
NEW_DAY = dt.date(2025, 3, 10)

# (arxiv id, title, abstract, categories, doi)
OLD: tuple[tuple[str, str, str, tuple[str, ...], str | None], ...] = (
    ("2501.01001", "Self-supervised speech representations for low-resource recognition",
     "Pretraining on unlabelled audio improves automatic speech recognition for languages "
     "with little transcribed speech.", ("cs.CL", "eess.AS"), "10.1000/speech.1"),
    ("2501.01002", "Streaming end-to-end speech recognition with transducers",
     "A recurrent neural transducer transcribes spoken audio into text with low latency "
     "on mobile devices.", ("eess.AS",), None),
    ("2501.01003", "Speaker diarization in noisy meeting recordings",
     "We segment meeting audio by speaker and cope with overlapping speech and background "
     "noise.", ("eess.AS", "cs.SD"), None),
    ("2501.02001", "Hawking radiation and the black hole information paradox",
     "We revisit the evaporation of black holes and argue that information escapes "
     "through correlations in the emitted radiation.", ("hep-th", "gr-qc"), "10.1000/bh.1"),
    ("2501.02002", "Quasinormal modes of rotating Kerr black holes",
     "Ringdown frequencies of perturbed rotating black holes are computed to high "
     "precision.", ("gr-qc",), None),
    ("2501.03001", "Predicting protein structure from amino acid sequence",
     "An attention network predicts the three-dimensional fold of proteins from their "
     "sequences, trained on solved crystal structures.", ("q-bio.BM", "cs.LG"), None),
    ("2501.03002", "Protein design with diffusion models over backbones",
     "A generative diffusion model designs new protein backbones that fold as "
     "intended.", ("q-bio.BM",), None),
)

NEW: tuple[tuple[str, str, str, tuple[str, ...], str | None], ...] = (
    ("2503.11001", "Multilingual speech recognition with a single transducer model",
     "One transducer recognises spoken audio in forty languages and transcribes speech "
     "accurately even for rare languages.", ("eess.AS", "cs.CL"), None),
    ("2503.11002", "Noise-robust speech recognition for voice assistants",
     "Data augmentation with background noise makes automatic speech recognition robust "
     "in kitchens and cars.", ("eess.AS",), None),
    ("2503.11003", "Speech recognition benchmark for children's voices",
     "A new benchmark measures how well automatic speech recognition transcribes the "
     "speech of children.", ("eess.AS",), None),
    ("2503.11004", "Speech recognition benchmark for elderly voices",
     "A new benchmark measures how well automatic speech recognition transcribes the "
     "speech of elderly people.", ("eess.AS",), None),
    ("2503.12001", "Black hole mergers seen in gravitational waves",
     "Detectors observed the inspiral of two black holes; we infer their masses and "
     "spins from the waveform.", ("gr-qc", "astro-ph.HE"), None),
    ("2503.12002", "Information loss in evaporating black holes revisited",
     "Page curves computed with quantum extremal surfaces suggest black hole evaporation "
     "preserves information.", ("hep-th",), None),
    ("2503.13001", "Protein language models predict mutation effects",
     "Language models trained on protein sequences predict which amino acid mutations "
     "destabilise a fold.", ("q-bio.BM", "cs.LG"), None),
    ("2503.13002", "Folding membrane proteins with deep networks",
     "Deep networks predict structures of membrane proteins from their amino acid "
     "sequences.", ("q-bio.BM",), None),
    ("2503.14001", "Sourdough fermentation kinetics in home kitchens",
     "We track the rise of sourdough bread and the yeast and bacteria that drive "
     "fermentation.", ("q-bio.PE",), None),
    ("2503.14002", "Graph algorithms for scheduling freight trains",
     "Integer programming and graph search schedule freight trains on shared "
     "railway tracks.", ("cs.DS",), None),
)


def _record(row: tuple[str, str, str, tuple[str, ...], str | None],
            day: dt.date) -> PaperRecord:
    arxiv_id, title, abstract, categories, doi = row
    return PaperRecord(arxiv_id=arxiv_id, title=title, abstract=abstract, source="test",
                       categories=categories, primary_category=categories[0],
                       authors=("Ada Author",), doi=doi, announced_date=day)


def corpus_records() -> list[PaperRecord]:
    return ([_record(row, OLD_DAY) for row in OLD]
            + [_record(row, NEW_DAY + dt.timedelta(days=i % 3)) for i, row in enumerate(NEW)])


def title_of(arxiv_id: str) -> str:
    return next(row[1] for row in OLD + NEW if row[0] == arxiv_id)


SPEECH_NEW = {"2503.11001", "2503.11002", "2503.11003", "2503.11004"}
