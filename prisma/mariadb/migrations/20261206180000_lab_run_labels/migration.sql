-- The Postgres migration 20261206180000_lab_run_labels: a name a person gives a lab run.
-- AlterTable
ALTER TABLE `lab_runs` ADD COLUMN `label` VARCHAR(80) NULL;

ALTER TABLE `lab_runs`
    ADD CONSTRAINT `lab_runs_label_check` CHECK (CHAR_LENGTH(`label`) BETWEEN 1 AND 80);
