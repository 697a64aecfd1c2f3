# Engawa's production image: one image for web (gunicorn), ws (daphne), worker and beat (Celery).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app \
    STATIC_ROOT=/app/var/static

WORKDIR /app

# Dependencies first, pinned by constraints.txt, so that a code change does not reinstall them.
COPY pyproject.toml constraints.txt README.md ./
COPY config/__init__.py config/__init__.py
COPY accounts/__init__.py accounts/__init__.py
COPY matching/__init__.py matching/__init__.py
COPY chat/__init__.py chat/__init__.py
COPY frontend/__init__.py frontend/__init__.py
RUN pip install -c constraints.txt .

COPY . .
RUN pip install --no-deps --force-reinstall -c constraints.txt . \
    && groupadd --system engawa \
    && useradd --system --gid engawa --home-dir /app --shell /usr/sbin/nologin engawa \
    && mkdir -p /app/var/static \
    && chown -R engawa:engawa /app/var

USER engawa
EXPOSE 8000

# The web service's command; docker-compose.yml gives worker and beat their own.
CMD ["sh", "-c", "python manage.py migrate --noinput && python manage.py collectstatic --noinput && exec gunicorn config.wsgi:application --bind 0.0.0.0:8000 --workers 2 --threads 10"]
