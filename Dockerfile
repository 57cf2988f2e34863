# The serving image: onnxruntime + tokenizers + FastAPI, no torch, runs as a non-root user.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    SCRUTINY_MODEL_DIR=/app/models/scrutiny-minilm-v1

WORKDIR /app
COPY pyproject.toml README.md ./
COPY service ./service
COPY training/__init__.py ./training/__init__.py
COPY evaluation/__init__.py ./evaluation/__init__.py
RUN pip install --no-cache-dir . \
    && useradd --create-home --uid 10001 scrutiny
COPY models ./models

USER scrutiny
EXPOSE 8000
# The model's sha256 is verified at start: `scrutiny serve` refuses to become ready otherwise.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/readyz', timeout=4).status == 200 else 1)"
CMD ["scrutiny", "serve", "--host", "0.0.0.0", "--port", "8000"]
