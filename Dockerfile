# One image for every service of the stack (docker-compose.yml picks the command).
FROM node:20-bookworm-slim
WORKDIR /app
# the schema is not for the public to browse (GRAPHQL_INTROSPECTION=on shows it)
ENV NODE_ENV=production GRAPHQL_INTROSPECTION=off
COPY package.json package-lock.json ./
COPY packages packages
COPY subgraphs subgraphs
COPY gateway gateway
COPY ssr ssr
COPY lab lab
COPY loadtest loadtest
COPY tools tools
COPY prisma prisma
COPY prisma.config.ts tsconfig.json ./
COPY scripts scripts
# dev dependencies too: the services run their TypeScript through tsx, and prisma generates the client
RUN npm ci --include=dev && npm run generate && npm cache clean --force
# the lab keeps its runs here (docker-compose.yml mounts a volume, which takes this owner)
RUN mkdir -p .data/lab && chown node:node .data/lab
USER node
