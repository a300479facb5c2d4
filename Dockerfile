# syntax=docker/dockerfile:1
# The image `podlint webhook manifests` names: ghcr.io/podlint/podlint:<version>.
#   docker build -t ghcr.io/podlint/podlint:$(python -c 'import podlint; print(podlint.__version__)') .
# The base is pinned by digest so that a rebuild gets the same Python and Debian; bump the
# digest deliberately (docker buildx imagetools inspect python:3.12-slim-bookworm).
ARG PYTHON_IMAGE=python:3.12-slim-bookworm@sha256:782412e85d0f0984994c290652577d4018aff08145c85b262bb63dc0c7522254

FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY podlint ./podlint
COPY rules ./rules
COPY policies ./policies
# Byte-code is compiled here: the root filesystem is read-only at run time.
RUN python -m venv /opt/podlint \
    && /opt/podlint/bin/pip install '.[webhook]' \
    && /opt/podlint/bin/python -m compileall -q /opt/podlint

FROM ${PYTHON_IMAGE}
COPY --from=build /opt/podlint /opt/podlint
ENV PATH=/opt/podlint/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1
# Not root; the manifests' runAsUser and runAsGroup (the nonroot user of distroless images).
USER 65532:65532
EXPOSE 8443
ENTRYPOINT ["podlint"]
CMD ["webhook", "serve", "--help"]
