# One image for every hub service: gateway, member router, member, esco, learners.
# docker-compose.yml chooses each service's entry point. TypeScript runs through
# tsx (a runtime dependency), so there is no build step and no dist/.

FROM node:20-bookworm-slim AS deps
# better-sqlite3 (the SQLite driver behind @mikro-orm/better-sqlite) compiles from
# source when no prebuilt binary can be downloaded; the toolchain stays in this stage.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force

FROM node:20-bookworm-slim AS runtime
# @apollo/gateway sends anonymous telemetry unless told not to; production mode
# turns off introspection and schema hints in errors.
ENV APOLLO_TELEMETRY_DISABLED=1 NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
# tsx reads tsconfig.json (legacy decorators for type-graphql and MikroORM).
COPY package.json package-lock.json tsconfig.json ./
COPY config ./config
COPY gateway ./gateway
COPY hub ./hub
COPY lib ./lib
COPY schema ./schema
COPY scripts ./scripts
COPY subgraphs ./subgraphs
# The sources stay owned by root: the services read them and write nothing under /app.
# /var/lib/hub holds what a service writes (the demo identity provider's and the hub's keys, the
# issuing key), owned by node so a named volume mounted there starts with that owner.
RUN mkdir -p /var/lib/hub/keys /var/lib/hub/issuer && chown -R node:node /var/lib/hub && chmod 700 /var/lib/hub/keys /var/lib/hub/issuer
USER node
EXPOSE 4000
# node --import tsx instead of npm run: the service is the container's main
# process and receives SIGTERM itself (its handler stops the server and closes the database).
CMD ["node", "--import", "tsx", "gateway/index.ts"]
