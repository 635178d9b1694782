-- The Postgres migration 20261206200000_cache_invalidations: the cache's outbox, the version keys
-- a write changed, recorded in the write's own transaction.
-- CreateTable
CREATE TABLE `cache_invalidations` (
    `id` CHAR(36) NOT NULL,
    `version_keys` JSON NOT NULL,
    `created_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),

    INDEX `cache_invalidations_created_at_idx`(`created_at`),
    PRIMARY KEY (`id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
