# Production image: the compiled service, Debian's Chromium for whatsapp-web.js,
# the embedded FerretDB for single-machine use, and no dev dependencies.

# FerretDB with tools/ferretdb/patches applied, as scripts/prepare.mjs builds it.
FROM golang:1.24-bookworm AS ferretdb
WORKDIR /src/tools/ferretdb
COPY tools/ferretdb/ ./
RUN set -eu; \
  go mod download github.com/FerretDB/FerretDB; \
  cp -R "$(go list -m -f '{{.Dir}}' github.com/FerretDB/FerretDB)" /ferretdb-src; \
  chmod -R u+w /ferretdb-src; \
  for patch in patches/*.patch; do git -C /ferretdb-src apply --verbose "$PWD/$patch"; done; \
  go mod edit -replace=github.com/FerretDB/FerretDB=/ferretdb-src; \
  CGO_ENABLED=0 go build -trimpath -o /out/ferretdb .

FROM node:20-bookworm AS build
WORKDIR /app
COPY package.json package-lock.json .npmrc .puppeteerrc.cjs ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY src/ src/
RUN npm run build

FROM node:20-bookworm-slim
RUN apt-get update \
  && apt-get install -y --no-install-recommends chromium fonts-dejavu-core fonts-noto-core ca-certificates \
  && rm -rf /var/lib/apt/lists/*
# The dev channel has no authentication: off in this image twice over (NODE_ENV=production
# and DEV_CHANNEL=0). Only an explicit `-e DEV_CHANNEL=1` turns it on, and the service logs a warning.
ENV NODE_ENV=production \
    DEV_CHANNEL=0 \
    CHROMIUM_PATH=/usr/bin/chromium \
    DATA_DIR=/var/lib/tifli \
    PORT=3000
WORKDIR /app
COPY package.json package-lock.json .npmrc .puppeteerrc.cjs ./
RUN npm ci --omit=dev && npm cache clean --force
COPY --from=build /app/dist/ dist/
COPY locales/ locales/
COPY flows/ flows/
COPY console/ console/
COPY data/gazetteer/ data/gazetteer/
COPY tools/ferretdb/go.mod tools/ferretdb/go.mod
COPY --from=ferretdb /out/ferretdb .cache/ferretdb/ferretdb-v1.24.2
RUN useradd --system --home /app tifli && mkdir -p /var/lib/tifli && chown tifli /var/lib/tifli
USER tifli
VOLUME ["/var/lib/tifli"]
EXPOSE 3000
CMD ["node", "dist/main.js"]
