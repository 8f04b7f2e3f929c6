# One image for web (gunicorn), worker and beat (celery); docker-compose.yml picks the command.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    UV_NO_CACHE=1

# Pango and fonts for WeasyPrint (PDFs); Node.js and npm only to install the front-end packages.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core nodejs npm \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Python packages from the hashed lock file (dependency layers first, so code edits rebuild fast).
COPY requirements.lock ./
RUN pip install uv \
    && uv pip install --system -r requirements.lock

# Front-end packages (Bootstrap, Bootstrap Icons, htmx, Chart.js) from package-lock.json.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error \
    && npm cache clean --force

COPY . .

ENV DJANGO_SETTINGS_MODULE=qms.settings.production \
    DJANGO_MEDIA_ROOT=/app/media \
    WEB_CONCURRENCY=3

# Production settings refuse to load without their required variables; these dummies exist only
# for this build step (nothing connects to them) and are not kept in the image's environment.
RUN DJANGO_SECRET_KEY=build-only-not-a-secret \
    DJANGO_ALLOWED_HOSTS=localhost \
    DATABASE_URL=postgres://build@127.0.0.1:5432/build \
    REDIS_URL=redis://127.0.0.1:6379/0 \
    python manage.py collectstatic --noinput \
    && rm -rf /app/var

# Run as a non-root user. It owns only what the app writes: var/ (beat schedule, file cache) and
# media/ (attachments; docker-compose.yml mounts a volume there).
RUN useradd --system --uid 10001 --user-group --home-dir /app --no-create-home qms \
    && mkdir -p /app/var /app/media \
    && chown qms:qms /app/var /app/media
USER qms

EXPOSE 8000

# Gunicorn reads WEB_CONCURRENCY for its number of worker processes.
CMD ["gunicorn", "qms.wsgi", "--bind", "0.0.0.0:8000", "--access-logfile", "-", "--timeout", "60"]
