-- The load lab keeps its runs itself now (lab/, files under .data/lab): they are not the shop's
-- data, and a lab on MariaDB or with no database at all keeps them the same way. Runs recorded
-- here before are dropped with the table.
-- DropTable
DROP TABLE "lab_runs";
