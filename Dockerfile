# faggruppe-bot: the locked dependency set (uv.lock, `uv sync --locked`: a pyproject.toml changed without a new lock
# fails the build), run as a non-root user, `python -m bot` as entry point.
# Build: docker build -t faggruppe-bot .     Run: docker run -p 3978:3978 --env-file .env faggruppe-bot
# The image listens on 0.0.0.0, so it refuses to start without MICROSOFT_APP_ID (anyone reaching the port could act as
# anyone); BOT_ALLOW_UNAUTHENTICATED=true overrides that for a closed test network only. Check a deployment with
# `docker run --env-file .env faggruppe-bot doctor --online`.
#
# The base image is pinned by digest, so a rebuild gets the same OS and Python. The digest below was taken from a public
# record of python:3.11-slim-bookworm (2026-08-24), not pulled on the machine that wrote this file. Check and refresh it
# (monthly, for Debian's security fixes) with:
#   docker buildx imagetools inspect python:3.11-slim-bookworm --format '{{json .Manifest.Digest}}'
# and paste the result after the `@` below (see README, Operations > Reproducible installs).
ARG PYTHON_IMAGE=python:3.11-slim-bookworm@sha256:2e32f7d302adc1c37428355c1e646897c0c53f4fd60b6a551245fb90ee129f91
# The same uv as the Makefile bootstraps (tests/test_reproducible.py checks they agree).
ARG UV_VERSION=0.13.9

FROM ${PYTHON_IMAGE} AS build
ARG UV_VERSION
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy UV_PYTHON_DOWNLOADS=never UV_PROJECT_ENVIRONMENT=/app/.venv
RUN pip install "uv==${UV_VERSION}"
WORKDIR /app
# Dependencies first (cached while only the code changes), then the project itself.
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --locked --no-install-project --python /usr/local/bin/python3
COPY bot ./bot
COPY cards ./cards
COPY manifest ./manifest
RUN uv sync --locked --python /usr/local/bin/python3

FROM ${PYTHON_IMAGE}
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/app/.venv/bin:$PATH \
    HOST=0.0.0.0 \
    PORT=3978 \
    DATABASE_URL=sqlite+aiosqlite:////app/data/faggruppe-bot.db

# DejaVu Sans draws the æøå of the charts in decision documents (bot/documents/chart.py).
RUN apt-get update && apt-get install -y --no-install-recommends fonts-dejavu-core && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 bot \
    && useradd --system --uid 10001 --gid bot --home-dir /app --shell /usr/sbin/nologin bot

WORKDIR /app
# The virtual environment (no uv, no pip cache) and the code it points at, at the same paths as in the build stage.
COPY --from=build /app /app
RUN mkdir -p /app/data && chown -R bot:bot /app/data

USER bot
EXPOSE 3978
VOLUME ["/app/data"]

# /healthz answers 200 when the database is reachable and 503 otherwise.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen(f\"http://127.0.0.1:{os.environ.get('PORT', '3978')}/healthz\", timeout=4)"]

# SIGTERM (docker stop) shuts down cleanly: see README, Operations > Shutdown.
STOPSIGNAL SIGTERM
ENTRYPOINT ["python", "-m", "bot"]
CMD ["run"]
