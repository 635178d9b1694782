-- The version keys a write changed, recorded in the write's own transaction: the cache's outbox.
-- A row is deleted once the keys' tokens are replaced; a row left by a process that died (or
-- could not reach the cache) is replayed by any subgraph, at its start and periodically.
-- CreateTable
CREATE TABLE "cache_invalidations" (
    "id" UUID NOT NULL,
    "version_keys" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "cache_invalidations_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "cache_invalidations_created_at_idx" ON "cache_invalidations"("created_at");
