# Moim's server and task-worker image (compose.yaml, docs/deploy.md).
# One image, two commands: the web process (daphne) and the task worker.
FROM python:3.13-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Dependencies first, so that a change to the code reuses this layer: exactly
# the locked versions, each file checked against its hash.
COPY requirements.lock ./
RUN pip install --require-hashes --no-deps -r requirements.lock

COPY . .
# Static files are collected into the image: the web process serves them
# (SERVE_STATIC=1) or a proxy in front mounts /app/staticfiles. Settings refuse
# to load with DEBUG off and no strong key, so this step makes a random one that
# lives only for the command: no key is baked into the image.
RUN DJANGO_DEBUG=0 SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(50))')" python manage.py collectstatic --noinput \
    && useradd --system --no-create-home --home-dir /app moim \
    && mkdir -p /var/lib/moim/private /var/lib/moim/media \
    && chown moim /var/lib/moim/private /var/lib/moim/media

USER moim
EXPOSE 8000
# daphne with personal calendar feed tokens masked in its access log.
CMD ["python", "-m", "events.log_masking", "-b", "0.0.0.0", "-p", "8000", "config.asgi:application"]
