-- CreateTable
CREATE TABLE "items" (
    "id" SERIAL NOT NULL,
    "sku" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL,
    "category" TEXT NOT NULL,
    "brand" TEXT NOT NULL,
    "price_cents" INTEGER NOT NULL,
    "currency" CHAR(3) NOT NULL DEFAULT 'USD',
    "stock" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "items_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "reviews" (
    "id" SERIAL NOT NULL,
    "item_id" INTEGER NOT NULL,
    "rating" SMALLINT NOT NULL,
    "title" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "author" TEXT NOT NULL,
    "verified_purchase" BOOLEAN NOT NULL DEFAULT false,
    "helpful_count" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "reviews_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "photos" (
    "id" SERIAL NOT NULL,
    "item_id" INTEGER NOT NULL,
    "url" TEXT NOT NULL,
    "alt_text" TEXT NOT NULL,
    "width" INTEGER NOT NULL,
    "height" INTEGER NOT NULL,
    "position" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "photos_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "items_sku_key" ON "items"("sku");

-- CreateIndex
CREATE INDEX "items_category_id_idx" ON "items"("category", "id");

-- CreateIndex
CREATE INDEX "reviews_item_id_id_idx" ON "reviews"("item_id", "id");

-- CreateIndex
CREATE INDEX "reviews_item_id_rating_id_idx" ON "reviews"("item_id", "rating", "id");

-- CreateIndex
CREATE INDEX "reviews_item_id_helpful_count_id_idx" ON "reviews"("item_id", "helpful_count", "id");

-- CreateIndex
CREATE INDEX "photos_item_id_position_id_idx" ON "photos"("item_id", "position", "id");

-- AddForeignKey
ALTER TABLE "reviews" ADD CONSTRAINT "reviews_item_id_fkey" FOREIGN KEY ("item_id") REFERENCES "items"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "photos" ADD CONSTRAINT "photos_item_id_fkey" FOREIGN KEY ("item_id") REFERENCES "items"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Data rules Prisma's schema language cannot express (ignored by `prisma migrate diff`).
ALTER TABLE "items"
    ADD CONSTRAINT "items_price_cents_check" CHECK ("price_cents" >= 0),
    ADD CONSTRAINT "items_stock_check" CHECK ("stock" >= 0),
    ADD CONSTRAINT "items_currency_check" CHECK ("currency" ~ '^[A-Z]{3}$');

ALTER TABLE "reviews"
    ADD CONSTRAINT "reviews_rating_check" CHECK ("rating" BETWEEN 1 AND 5),
    ADD CONSTRAINT "reviews_helpful_count_check" CHECK ("helpful_count" >= 0);

ALTER TABLE "photos"
    ADD CONSTRAINT "photos_width_check" CHECK ("width" > 0),
    ADD CONSTRAINT "photos_height_check" CHECK ("height" > 0),
    ADD CONSTRAINT "photos_position_check" CHECK ("position" >= 0);
