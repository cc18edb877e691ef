# faggruppe-bot: the same install as `make run` (pip install .), run as a non-root user, `python -m bot` as entry point.
# Build: docker build -t faggruppe-bot .     Run: docker run -p 3978:3978 --env-file .env faggruppe-bot
# The image listens on 0.0.0.0, so it refuses to start without MICROSOFT_APP_ID (anyone reaching the port could act as
# anyone); BOT_ALLOW_UNAUTHENTICATED=true overrides that for a closed test network only. Check a deployment with
# `docker run --env-file .env faggruppe-bot doctor --online`.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HOST=0.0.0.0 \
    PORT=3978 \
    DATABASE_URL=sqlite+aiosqlite:////app/data/faggruppe-bot.db

# DejaVu Sans draws the æøå of the charts in decision documents (bot/documents/chart.py).
RUN apt-get update && apt-get install -y --no-install-recommends fonts-dejavu-core && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 bot \
    && useradd --system --uid 10001 --gid bot --home-dir /app --shell /usr/sbin/nologin bot

WORKDIR /app
# Dependencies first (cached while only the code changes), then the code.
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY cards ./cards
COPY manifest ./manifest
RUN pip install --upgrade pip setuptools wheel && pip install . \
    && mkdir -p /app/data && chown -R bot:bot /app/data

USER bot
EXPOSE 3978
VOLUME ["/app/data"]

# /healthz answers 200 when the database is reachable and 503 otherwise.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen(f\"http://127.0.0.1:{os.environ.get('PORT', '3978')}/healthz\", timeout=4)"]

ENTRYPOINT ["python", "-m", "bot"]
CMD ["run"]
