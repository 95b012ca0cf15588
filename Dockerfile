# Antrean in a container (docs/deploy.md, "Docker"). Not exercised by the project's CI: the
# supported regency install is systemd + nginx (deploy/). Build and run with compose.yaml.
FROM python:3.11-slim

# eSpeak NG: the lobby's Indonesian voice (pyttsx3); without it calls are announced by a tone.
RUN apt-get update \
 && apt-get install -y --no-install-recommends espeak-ng libespeak-ng1 \
 && rm -rf /var/lib/apt/lists/*

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    ANTREAN_HOST=0.0.0.0 ANTREAN_PORT=8000

WORKDIR /opt/antrean
COPY pyproject.toml README.md ./
COPY queue_server ./queue_server
COPY kiosk_client ./kiosk_client
COPY display_client ./display_client
COPY printer ./printer
COPY migrations ./migrations
RUN pip install . \
 && useradd --system --uid 10001 --home-dir /var/lib/antrean --create-home antrean

USER antrean
WORKDIR /var/lib/antrean
EXPOSE 8000
# Bring the schema up to date, then serve (ANTREAN_WORKERS processes; they share PostgreSQL).
# `serve` would migrate too; doing it first makes a failed migration stop the container early.
CMD ["sh", "-c", "antrean migrate && exec antrean serve --workers \"${ANTREAN_WORKERS:-2}\""]
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s \
  CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"
