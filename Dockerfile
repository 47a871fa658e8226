# Écrin's image: web (python -m config.serve), worker and beat (celery) all
# run from it; compose.yaml says which command each service runs.
# NOT BUILT on the machine this was written on (no container engine):
# tests/test_deployment_files.py checks that the command exists in the
# project, not that the image builds.
FROM python:3.11-slim-bookworm

# WeasyPrint (subject-access reports) needs Pango; fonts for its PDFs.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    STATIC_ROOT=/srv/ecrin/static \
    STATIC_MANIFEST=1 \
    WEB_BIND=0.0.0.0:8000

WORKDIR /srv/ecrin/app
COPY pyproject.toml README.md ./
COPY config ./config
COPY core ./core
COPY clienteling ./clienteling
COPY consents ./consents
COPY orders ./orders
COPY privacy ./privacy
COPY bench ./bench
COPY static ./static
COPY templates ./templates
COPY manage.py ./
RUN pip install --no-cache-dir .

# Static files are collected into the image (hashed, compressed); the web
# start-up path collects again, which finds them up to date.
RUN ECRIN_ENVIRONMENT=demo python manage.py collectstatic --no-input -v0

RUN useradd --system --uid 10001 --home-dir /srv/ecrin ecrin \
 && mkdir -p /srv/ecrin/private /srv/ecrin/replay \
 && chown -R ecrin /srv/ecrin/private /srv/ecrin/replay /srv/ecrin/static
USER ecrin

EXPOSE 8000
CMD ["python", "-m", "config.serve"]
