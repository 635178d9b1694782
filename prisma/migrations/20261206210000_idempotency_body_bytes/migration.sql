-- A create's stored answer is the exact bytes it sent, replayed as they are: jsonb reordered
-- the keys of the body, so a replay was the same JSON in other bytes.
-- AlterTable
ALTER TABLE "idempotency_keys" ALTER COLUMN "body" SET DATA TYPE TEXT USING "body"::text;
