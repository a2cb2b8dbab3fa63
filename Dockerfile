# The upload worker (default command) and the TwelveLabs emulator (same image, other command).
# Runs the TypeScript sources with tsx, as `npm run worker` does: no build step to drift from.
#   docker build -t tl-uploads .
#   docker run --rm -e TEMPORAL_ADDRESS=... -e TWELVELABS_API_KEY=... -e TL_ALLOWED_ROOTS=/media tl-uploads
FROM node:20-bookworm-slim

WORKDIR /app
ENV NODE_ENV=production
# The lockfile decides every version; dev tools (vitest, playwright-core, ...) stay out.
COPY package.json package-lock.json ./
# npm install --no-save: the locked versions, without npm ci's refusal of a lock that lacks other
# platforms' optional packages (scripts/ensure-setup.sh says why).
RUN npm install --omit=dev --no-save --no-audit --no-fund && npm cache clean --force
COPY tsconfig.json ./
COPY src ./src

USER node
# Prometheus metrics, when TL_METRICS_BIND=0.0.0.0:9464.
EXPOSE 9464
# SIGTERM (docker stop) shuts the worker down gracefully: running chunk PUTs are cancelled
# and continue on another worker. Give it the grace time in compose (stop_grace_period).
# The same node flags and allocator settings as `npm run worker` (package.json; the test in
# test/ops/compose.test.ts keeps them equal): they keep the worker's memory low (docs/BENCHMARKS.md).
ENV MALLOC_ARENA_MAX=2 MALLOC_MMAP_THRESHOLD_=65536 MALLOC_TRIM_THRESHOLD_=1048576
CMD ["node", "--require", "tsx/cjs", "--max-semi-space-size=2", "--liftoff-only", "src/worker.ts"]
