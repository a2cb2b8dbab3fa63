# The upload worker (default command), the TwelveLabs emulator, the codec server and the CLI: one
# image of the compiled package (what `npm pack` ships), built in stages so that the image holds
# no TypeScript, no compiler and no dev dependencies.
#   docker build -t tl-uploads .
#   docker run --rm -e TEMPORAL_ADDRESS=... -e TWELVELABS_API_KEY=... -e TL_ALLOWED_ROOTS=/media tl-uploads
# Node 24: an LTS line (maintained until April 2028) on Debian bookworm, the glibc the Temporal
# native core is built for. The tests run on Node >= 20.18 (package.json engines).
ARG NODE_IMAGE=node:24-bookworm-slim

# Production dependencies only, exactly the locked versions. The client's peers (@temporalio/client,
# ...) npm installs with the rest; the worker side's (@temporalio/worker, workflow, activity) are
# optional peers for the package's users and dev dependencies of this repository, so this image,
# a worker, makes them production dependencies first (same locked versions).
# npm install --no-save, not npm ci: scripts/ensure-setup.sh says why.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN node -e "const fs = require('fs'); const p = require('./package.json'); \
      for (const name of Object.keys(p.peerDependenciesMeta)) { p.dependencies[name] = p.devDependencies[name]; delete p.devDependencies[name]; } \
      fs.writeFileSync('package.json', JSON.stringify(p, null, 2));" \
 && npm install --omit=dev --no-save --no-audit --no-fund && npm cache clean --force

# The build: tsc to dist/, and the workflow bundles written ahead of time (scripts/build.sh).
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm install --no-save --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/build.sh scripts/build.mjs scripts/file-lock.mjs scripts/
COPY src ./src
RUN bash scripts/build.sh

FROM ${NODE_IMAGE}
WORKDIR /app
ENV NODE_ENV=production
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
COPY deploy/healthcheck.cjs ./deploy/
USER node
# Prometheus metrics, when TL_METRICS_BIND=0.0.0.0:9464 (docker-compose.yml's worker healthcheck reads them).
EXPOSE 9464
# SIGTERM (docker stop) shuts the worker down gracefully: running chunk PUTs are cancelled
# and continue on another worker. Give it the grace time in compose (stop_grace_period).
# The same node flags and allocator settings as `npm run worker` (package.json; the test in
# test/ops/compose.test.ts keeps them equal): they keep the worker's memory low (docs/BENCHMARKS.md).
ENV MALLOC_ARENA_MAX=2 MALLOC_MMAP_THRESHOLD_=65536 MALLOC_TRIM_THRESHOLD_=1048576
CMD ["node", "--max-semi-space-size=2", "--liftoff-only", "dist/worker.js"]
