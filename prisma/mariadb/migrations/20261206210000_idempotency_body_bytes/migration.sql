-- The Postgres migration 20261206210000_idempotency_body_bytes: a create's stored answer is the
-- exact bytes it sent, as text.
-- AlterTable
ALTER TABLE `idempotency_keys` MODIFY `body` LONGTEXT NULL;
