# syntax=docker/dockerfile:1
# Build: install the locked versions (hashes checked) into a venv, then the project on top.
FROM python:3.11-slim AS build
WORKDIR /src
COPY requirements.lock ./
RUN python -m venv /venv \
 && /venv/bin/pip install --no-cache-dir --require-hashes -r requirements.lock
COPY pyproject.toml README.md LICENSE ./
COPY bot ./bot
COPY handlers ./handlers
COPY config ./config
RUN /venv/bin/pip install --no-cache-dir --no-deps --no-build-isolation .

# Run: the venv alone, as a user without privileges, the SQLite store in a volume.
FROM python:3.11-slim
RUN useradd --create-home --uid 10001 newsbrief \
 && mkdir /data && chown newsbrief /data
COPY --from=build /venv /venv
ENV PATH=/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    XDG_DATA_HOME=/data
USER newsbrief
WORKDIR /home/newsbrief
VOLUME ["/data"]
ENTRYPOINT ["newsbrief"]
CMD ["run"]
