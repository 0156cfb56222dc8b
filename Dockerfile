FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN apt-get update \
    && apt-get install -y --no-install-recommends chromium fonts-noto-core gettext \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml constraints.txt ./
# torch comes in through camel-tools, pinned by constraints.txt. PyTorch's CPU index serves the
# same version without the CUDA libraries (gigabytes); override the build argument to use a
# mirror or a wheel folder (PIP_FIND_LINKS) where that index cannot be reached.
ARG PIP_EXTRA_INDEX_URL=https://download.pytorch.org/whl/cpu
RUN pip install -c constraints.txt -e .
COPY . .
# The compiled translations (.mo) are in the repository; static files are collected here.
RUN SECRET_KEY=build-only DEBUG=false python manage.py collectstatic --noinput
RUN useradd --create-home zawiya
USER zawiya
EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
