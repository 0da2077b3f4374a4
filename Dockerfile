# syntax=docker/dockerfile:1
# Images for the production topology (docker-compose.yml):
#   --target web      nginx serving the H5 build at /h5/ and the admin console at /admin/
#   (default) backend python:3.11-slim with the project installed: `uvicorn ...` (api), `python -m workers`
ARG PYTHON_IMAGE=python:3.11-slim-bookworm
ARG NODE_IMAGE=node:20-bookworm-slim
ARG NGINX_IMAGE=nginx:1.27-alpine

# --- mini-program client, H5 target (base /h5/ is set in its build script and manifest)
FROM ${NODE_IMAGE} AS miniapp-build
WORKDIR /src/miniapp
COPY miniapp/package.json miniapp/package-lock.json miniapp/.npmrc ./
RUN npm ci
COPY miniapp/ ./
RUN npm run build:h5 && test -f dist/build/h5/index.html

# --- operator console (vite base /admin/)
FROM ${NODE_IMAGE} AS admin-build
WORKDIR /src/admin
COPY admin/package.json admin/package-lock.json admin/.npmrc ./
RUN npm ci
COPY admin/ ./
RUN npm run build && test -f dist/index.html

# --- web front: static clients + reverse proxy to the api
FROM ${NGINX_IMAGE} AS web
COPY deploy/nginx.conf /etc/nginx/conf.d/default.conf
COPY --from=miniapp-build /src/miniapp/dist/build/h5/ /usr/share/nginx/html/h5/
COPY --from=admin-build /src/admin/dist/ /usr/share/nginx/html/admin/

# --- api / worker / migrations (last stage, so a plain `docker build .` gives this image)
FROM ${PYTHON_IMAGE} AS backend
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
# pg_dump / pg_restore of the compose PostgreSQL's major version (docker-compose.yml `postgres:16`): the daily
# backups (domain.backups) refuse tools of another major version, and Debian bookworm ships only 15, so the client
# comes from the PostgreSQL project's apt repository. Change POSTGRES_MAJOR together with the postgres image.
ARG POSTGRES_MAJOR=16
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates curl \
    && install -d /usr/share/postgresql-common/pgdg \
    && curl -fsSL -o /usr/share/postgresql-common/pgdg/apt.postgresql.org.asc \
        https://www.postgresql.org/media/keys/ACCC4CF8.asc \
    && echo "deb [signed-by=/usr/share/postgresql-common/pgdg/apt.postgresql.org.asc] https://apt.postgresql.org/pub/repos/apt bookworm-pgdg main" \
        > /etc/apt/sources.list.d/pgdg.list \
    && apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client-${POSTGRES_MAJOR} \
    && apt-get purge -y curl && apt-get autoremove -y && rm -rf /var/lib/apt/lists/*
ENV PG_BIN_DIR=/usr/lib/postgresql/${POSTGRES_MAJOR}/bin
# Dependencies in their own layer: rebuilt only when pyproject.toml changes, not on every code change.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt
COPY . .
# Non-editable install of the project itself. Commands run from /app, where alembic.ini and migrations/
# live (devstack.database.migrate finds them next to the packages).
RUN pip install --no-deps . \
    && rm -rf build ./*.egg-info \
    && useradd --system --uid 10001 --no-create-home --home-dir /app yanyue \
    && mkdir -p /data \
    && chown yanyue /data
USER yanyue
# Local state (uploads until object storage is wired, generated files) goes to a volume, not the image.
ENV DATA_DIR=/data
EXPOSE 8000
# WEB_CONCURRENCY sets uvicorn's worker processes. Proxy headers are believed only from TRUSTED_PROXIES (the
# app reads them itself); uvicorn's own handling is off, its default trusts 127.0.0.1.
CMD ["uvicorn", "api.app:create_app", "--factory", "--host", "0.0.0.0", "--port", "8000", \
     "--no-proxy-headers"]
