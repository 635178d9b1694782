-- CreateTable
CREATE TABLE "lab_runs" (
    "id" SERIAL NOT NULL,
    "status" TEXT NOT NULL,
    "who" TEXT NOT NULL,
    "settings" JSONB NOT NULL,
    "report" JSONB,
    "error" TEXT,
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "lab_runs_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "lab_runs_status_check" CHECK ("status" IN ('running', 'done', 'cancelled', 'failed'))
);

-- CreateIndex
CREATE INDEX "lab_runs_started_at_idx" ON "lab_runs"("started_at");
