# One image for every process of the stack, the command picking which (docker-compose.yml and
# deploy/k8s/ run it so):
#
#   node dist/gateway.js · dist/items.js · dist/reviews.js · dist/photos.js · dist/ssr.js
#   node dist/lab.js (the load lab) · dist/migrate.js (npm run db:migrate) · dist/seed.js --items N
#
# Two stages: `build` installs everything and compiles each process to one JavaScript file
# (npm run build); the runtime stage has the production dependencies only and runs the files with
# plain node, no tsx. scripts/test/image.test.ts checks this file's shape and runs its commands.

FROM node:20-bookworm-slim AS build
WORKDIR /app
# the checkout, but for what .dockerignore leaves out (node_modules, .git, dist, local data)
COPY . .
# the dev dependencies too: esbuild bundles, prisma generates the client (offline, see
# scripts/prisma-generate.mjs); the build copies the Playground's built assets into dist/playground
RUN npm ci --include=dev --ignore-scripts --no-audit --no-fund && npm run build

FROM node:20-bookworm-slim AS runtime
WORKDIR /app
# the schema is not for the public to browse (GRAPHQL_INTROSPECTION=on shows it)
ENV NODE_ENV=production GRAPHQL_INTROSPECTION=off
COPY package.json package-lock.json ./
# every workspace's package.json (npm ci checks the lock against them all) and the files the
# processes read at run time: the subgraphs' schema.graphql, prisma/migrations, the sources
# of the browser bundles the SSR service and the lab build when they start
COPY packages packages
COPY subgraphs subgraphs
COPY gateway gateway
COPY ssr ssr
COPY lab lab
COPY monolith monolith
COPY loadtest loadtest
COPY tools tools
COPY prisma prisma
# The production dependencies of what the image runs, and no others: not graphql-playground-react
# (a dev dependency: its tree has ejs 2.7.4, node-fetch 1.7.3, ws 8.13.0), not prisma's CLI or
# typescript (optional peers of @prisma/client, which --omit=optional leaves out with esbuild's
# platform binary, copied from the build stage below).
RUN npm ci --omit=dev --omit=optional --ignore-scripts --no-audit --no-fund \
      --workspace gateway --workspace subgraphs/items --workspace subgraphs/reviews \
      --workspace subgraphs/photos --workspace ssr --workspace lab \
      --workspace packages/db --workspace packages/seed \
  && npm cache clean --force
COPY --from=build /app/node_modules/@esbuild node_modules/@esbuild
COPY --from=build /app/dist dist
# the lab keeps its runs here (docker-compose.yml mounts a volume, which takes this owner)
RUN mkdir -p .data/lab && chown node:node .data/lab
USER node
# the service pid 1 runs, on its own port variable: dist/healthcheck.js asks its /healthz
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 CMD ["node", "dist/healthcheck.js"]
CMD ["node", "dist/gateway.js"]
