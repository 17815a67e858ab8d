# syntax=docker/dockerfile:1

# --- build: install everything, compile, then drop the dev dependencies -----------------
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm \
    npm ci --include=dev --no-audit --no-fund
COPY . .
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund

# --- runtime ------------------------------------------------------------------------------
FROM node:24-bookworm-slim
ENV NODE_ENV=production
# Memory limits chosen with `npm run bench -- --memory` (docs/performance.md, "Memory"): the V8 heap is
# what grows under load (to ~335 MB unbounded), so it is bounded; fewer malloc arenas keep
# native memory compact. test/memory-limits.e2e-spec.ts runs the built service with exactly
# these under a burst of megabyte answers: 160 MB of old space ran out there, and 256 MB
# since the in-process response cache keeps whole answers; 512 MB holds.
ENV NODE_OPTIONS="--max-old-space-size=512 --max-semi-space-size=8"
ENV MALLOC_ARENA_MAX="2"
WORKDIR /app
# The code stays root-owned (read-only to the service); only the default DATA_DIR of the
# embedded database (used when DATABASE_URL is unset) is writable by the node user.
RUN mkdir -p /app/.data && chown node:node /app/.data
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
USER node
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8080) + '/health/live').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/main.js"]
