"""Personal recommendations: interest profiles, the ranker, explanations, library import."""
