# trixie: its postgresql-client (17) can back up every PostgreSQL server up to 17.
FROM python:3.11-slim-trixie

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UITLEEN_ENV=production \
    UITLEEN_LABELS_DIR=/app/labels \
    UITLEEN_MIGRATIONS_DIR=/app/migrations

# Fonts for PDFs in every language the help pages support (Arabic included), and pg_dump
# for backups (`uitleen backup`, the backups page).
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-dejavu-core postgresql-client \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md ./
COPY uitleen ./uitleen
RUN pip install --no-cache-dir . && pybabel -q compile -d uitleen/translations
COPY migrations ./migrations
COPY labels ./labels
COPY wsgi.py gunicorn.conf.py ./

ENV UITLEEN_BACKUP_DIR=/var/lib/uitleen/backups
RUN useradd --create-home --uid 10001 uitleen \
    && mkdir -p /app/instance "$UITLEEN_BACKUP_DIR" \
    && chown uitleen /app/instance "$UITLEEN_BACKUP_DIR" && chmod 700 "$UITLEEN_BACKUP_DIR"
USER uitleen

EXPOSE 8000
# Migrations first, then serve. SECRET_KEY and DATABASE_URL come from the environment.
# Several containers starting at once take turns: on PostgreSQL the migrations hold an
# advisory lock (migrations/env.py), so one migrates and the others find nothing to do.
CMD ["sh", "-c", "uitleen db upgrade && exec gunicorn -c gunicorn.conf.py wsgi:app"]
