"""Running the network sources into the store: one-off runs, harvests, the schedule.

``sources/`` knows how to talk to arXiv and Hugging Face and how to read their
answers; this package decides what to fetch, stores it (crash-safely, with
resumable state), keeps runs of one source from overlapping, and schedules them.
"""
