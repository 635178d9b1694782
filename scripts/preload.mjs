// Preloaded by every npm script that runs TypeScript (`node --import ./scripts/preload.mjs x.ts`):
// a fresh clone needs no step between `npm install` and the command, so Prisma Client is made
// here when it is missing or older than the schema (two stat calls otherwise), then tsx loads.
import { ensurePrismaClient } from './prisma-generate.mjs';

try {
  ensurePrismaClient();
} catch (error) {
  console.error(error.message);
  process.exit(1);
}
await import('tsx');
