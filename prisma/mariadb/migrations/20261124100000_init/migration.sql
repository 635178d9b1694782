-- The whole schema on MariaDB in one step: prisma/mariadb/schema.prisma as of the Postgres
-- migrations 20261123000000_init, 20261123120000_lab_runs and 20261124000000_idempotency_keys.
-- utf8mb4_bin: text compares and sorts by code point, case-sensitive, as on Postgres (a SKU
-- "abc" and "ABC" are two SKUs on both).

-- CreateTable
CREATE TABLE `items` (
    `id` INTEGER NOT NULL AUTO_INCREMENT,
    `sku` VARCHAR(64) NOT NULL,
    `name` VARCHAR(200) NOT NULL,
    `description` TEXT NOT NULL,
    `category` VARCHAR(100) NOT NULL,
    `brand` VARCHAR(100) NOT NULL,
    `price_cents` INTEGER NOT NULL,
    `currency` CHAR(3) NOT NULL DEFAULT 'USD',
    `stock` INTEGER NOT NULL DEFAULT 0,
    `created_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    `updated_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),

    UNIQUE INDEX `items_sku_key`(`sku`),
    INDEX `items_category_id_idx`(`category`, `id`),
    PRIMARY KEY (`id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;

-- CreateTable
CREATE TABLE `reviews` (
    `id` INTEGER NOT NULL AUTO_INCREMENT,
    `item_id` INTEGER NOT NULL,
    `rating` SMALLINT NOT NULL,
    `title` VARCHAR(200) NOT NULL,
    `body` TEXT NOT NULL,
    `author` VARCHAR(100) NOT NULL,
    `verified_purchase` BOOLEAN NOT NULL DEFAULT false,
    `helpful_count` INTEGER NOT NULL DEFAULT 0,
    `created_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    `updated_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),

    INDEX `reviews_item_id_id_idx`(`item_id`, `id`),
    INDEX `reviews_item_id_rating_id_idx`(`item_id`, `rating`, `id`),
    INDEX `reviews_item_id_helpful_count_id_idx`(`item_id`, `helpful_count`, `id`),
    PRIMARY KEY (`id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;

-- CreateTable
CREATE TABLE `photos` (
    `id` INTEGER NOT NULL AUTO_INCREMENT,
    `item_id` INTEGER NOT NULL,
    `url` VARCHAR(2048) NOT NULL,
    `alt_text` VARCHAR(500) NOT NULL,
    `width` INTEGER NOT NULL,
    `height` INTEGER NOT NULL,
    `position` INTEGER NOT NULL DEFAULT 0,
    `created_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    `updated_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),

    INDEX `photos_item_id_position_id_idx`(`item_id`, `position`, `id`),
    PRIMARY KEY (`id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;

-- CreateTable
CREATE TABLE `lab_runs` (
    `id` INTEGER NOT NULL AUTO_INCREMENT,
    `status` VARCHAR(16) NOT NULL,
    `who` VARCHAR(255) NOT NULL,
    `settings` JSON NOT NULL,
    `report` JSON NULL,
    `error` TEXT NULL,
    `started_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    `finished_at` DATETIME(3) NULL,

    INDEX `lab_runs_started_at_idx`(`started_at`),
    PRIMARY KEY (`id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;

-- CreateTable
CREATE TABLE `idempotency_keys` (
    `key` VARCHAR(255) NOT NULL,
    `fingerprint` VARCHAR(64) NOT NULL,
    `status` INTEGER NOT NULL,
    `headers` JSON NOT NULL,
    `body` JSON NULL,
    `created_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),

    INDEX `idempotency_keys_created_at_idx`(`created_at`),
    PRIMARY KEY (`key`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;

-- AddForeignKey
ALTER TABLE `reviews` ADD CONSTRAINT `reviews_item_id_fkey` FOREIGN KEY (`item_id`) REFERENCES `items`(`id`) ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE `photos` ADD CONSTRAINT `photos_item_id_fkey` FOREIGN KEY (`item_id`) REFERENCES `items`(`id`) ON DELETE CASCADE ON UPDATE CASCADE;

-- The rules Prisma's schema language cannot state, as on Postgres (MariaDB enforces CHECK).
ALTER TABLE `items`
    ADD CONSTRAINT `items_price_cents_check` CHECK (`price_cents` >= 0),
    ADD CONSTRAINT `items_stock_check` CHECK (`stock` >= 0),
    ADD CONSTRAINT `items_currency_check` CHECK (`currency` REGEXP '^[A-Z]{3}$');

ALTER TABLE `reviews`
    ADD CONSTRAINT `reviews_rating_check` CHECK (`rating` BETWEEN 1 AND 5),
    ADD CONSTRAINT `reviews_helpful_count_check` CHECK (`helpful_count` >= 0);

ALTER TABLE `photos`
    ADD CONSTRAINT `photos_width_check` CHECK (`width` > 0),
    ADD CONSTRAINT `photos_height_check` CHECK (`height` > 0),
    ADD CONSTRAINT `photos_position_check` CHECK (`position` >= 0);

ALTER TABLE `lab_runs`
    ADD CONSTRAINT `lab_runs_status_check` CHECK (`status` IN ('running', 'done', 'cancelled', 'failed'));

ALTER TABLE `idempotency_keys`
    ADD CONSTRAINT `idempotency_keys_key_check` CHECK (CHAR_LENGTH(`key`) BETWEEN 1 AND 255);
