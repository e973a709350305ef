# Reference image for running papertide with compose.yaml; see docs/deploy.md.
# It is NOT built or run in CI (no container engine there): read it, adapt it, test it on your host.
#
#   docker build -t papertide:local .
#   docker build -t papertide:local --build-arg TORCH_INDEX_URL=<PyTorch's CPU package index> .
#
# TORCH_INDEX_URL: where the default package index offers no CPU-only wheel of the torch version
# pinned in pyproject.toml for this platform, give PyTorch's CPU index here; that exact version
# is then installed from it first, and `pip install .` keeps it (a local label such as +cpu
# satisfies the pin).

FROM python:3.11-slim

ARG TORCH_INDEX_URL=""

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# tzdata: the schedules are read in schedule_timezone (America/New_York by default).
RUN apt-get update \
    && apt-get install -y --no-install-recommends tzdata \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --user-group --home-dir /var/lib/papertide --create-home papertide

WORKDIR /tmp/papertide-src
COPY pyproject.toml README.md LICENSE ./
COPY src ./src

# The torch pin is read from pyproject.toml so that this file never contradicts it.
RUN if [ -n "$TORCH_INDEX_URL" ]; then \
        pip install --index-url "$TORCH_INDEX_URL" "$(python -c 'import tomllib; deps = tomllib.load(open("pyproject.toml", "rb"))["project"]["dependencies"]; print(next(d for d in deps if d.replace(" ", "").startswith("torch==")))')"; \
    fi \
    && pip install . \
    && cd / && rm -rf /tmp/papertide-src

USER papertide
WORKDIR /var/lib/papertide
# On PostgreSQL only the exported embedding model (models/) and the arXiv request lock live here.
ENV PAPERTIDE_DATA_DIR=/var/lib/papertide
VOLUME ["/var/lib/papertide"]
EXPOSE 8000

CMD ["papertide", "serve", "--host", "0.0.0.0", "--port", "8000", "--no-scheduler"]
