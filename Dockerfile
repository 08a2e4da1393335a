# Pointwise for the classroom: one container, CPU-only torch by default.
# A GPU host builds a CUDA image with: --build-arg TORCH_INDEX_URL=https://download.pytorch.org/whl/cu126
FROM python:3.11-slim

ARG TORCH_VERSION=2.13.0
ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    POINTWISE_HOST=0.0.0.0 \
    POINTWISE_PORT=8000 \
    POINTWISE_WORKERS=2 \
    POINTWISE_TORCH_THREADS=1 \
    POINTWISE_STORE_DIR=/tmp/pointwise-images

WORKDIR /app
RUN python -m venv .venv \
    && .venv/bin/pip install --index-url "${TORCH_INDEX_URL}" "torch==${TORCH_VERSION}"

COPY pyproject.toml README.md ./
COPY app ./app
COPY static ./static
COPY templates ./templates
RUN .venv/bin/pip install -e . \
    && useradd --uid 10001 --no-create-home --shell /usr/sbin/nologin pointwise

USER 10001
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD [".venv/bin/python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/api/health', timeout=4)"]
CMD [".venv/bin/python", "-m", "app", "serve"]
