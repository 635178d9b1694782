-- The Postgres migration 20261206220000_drop_lab_runs: the load lab keeps its runs itself now.
-- DropTable
DROP TABLE `lab_runs`;
