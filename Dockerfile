# The o2c image: every o2c service of compose.yaml runs it, with the o2c
# command as the container's command (`docker run o2c relay`).
FROM python:3.11-slim AS build

ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/o2c
WORKDIR /src
COPY pyproject.toml README.md ./
COPY domain domain
COPY services services
COPY projections projections
COPY streams streams
COPY adapters adapters
RUN /opt/o2c/bin/pip install .

FROM python:3.11-slim

ENV PATH=/opt/o2c/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    O2C_DATA_DIR=/data \
    O2C_LOG_FORMAT=json
COPY --from=build /opt/o2c /opt/o2c

# An unprivileged user owns only the data folder; the code stays root's.
RUN useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin o2c \
    && mkdir /data && chown o2c:o2c /data
USER o2c
WORKDIR /data

ENTRYPOINT ["o2c"]
CMD ["--help"]
