-- A name a person gives a lab run, to find it again in the history and tell it apart in a comparison.
-- AlterTable
ALTER TABLE "lab_runs" ADD COLUMN "label" TEXT;

ALTER TABLE "lab_runs"
    ADD CONSTRAINT "lab_runs_label_check" CHECK (char_length("label") BETWEEN 1 AND 80);
