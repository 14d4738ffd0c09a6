# Production image: gunicorn + whitenoise for the web, the same image runs the Celery worker and beat
# (see docker-compose.yml). Build: docker compose build
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    UV_VERSION=0.13.9

# WeasyPrint (PDF of the contracts) needs Pango; fonts for the PDFs.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Runtime dependencies only, at exactly the versions of requirements.lock (dev tools left out).
COPY pyproject.toml requirements.lock ./
RUN pip install --no-cache-dir "uv==${UV_VERSION}" \
    && uv pip compile pyproject.toml --constraint requirements.lock --generate-hashes --quiet -o /tmp/requirements.prod.lock \
    && uv pip sync --system --no-cache /tmp/requirements.prod.lock \
    && pip uninstall -y uv && rm /tmp/requirements.prod.lock

COPY . .

# Static files collected at build time, served by whitenoise (compressed, hashed names). The variables
# below only let the settings load: nothing connects to them during collectstatic.
RUN DEBUG=false SECRET_KEY=build-only ALLOWED_HOSTS=build \
    DATABASE_URL=postgresql://build@localhost/build REDIS_URL=redis://localhost:6379/0 \
    python manage.py collectstatic --noinput --verbosity 0

RUN useradd --system --uid 1000 --home-dir /app app \
    && mkdir -p /app/var/beat /data/media \
    && chown -R app:app /app/var /data/media
USER app

ENV DEBUG=false \
    MEDIA_ROOT=/data/media

EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
