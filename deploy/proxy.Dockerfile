# nginx from Debian's package, configured by deploy/nginx.conf.
FROM debian:bookworm-slim
# Debian pins nginx by its release (bookworm): a version pin would break at its next security update.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends nginx \
    && rm -rf /var/lib/apt/lists/*
COPY nginx.conf /etc/nginx/nginx.conf
EXPOSE 8000
CMD ["nginx", "-g", "daemon off;"]
