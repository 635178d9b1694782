import { defineConfig } from 'prisma/config';

// The CLI reads the connection from here (Prisma 7). `prisma generate` never connects; the
// migrations are applied by `npm run db:migrate`, which records them as `prisma migrate` would.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test' },
});
