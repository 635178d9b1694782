// npm run db:seed -- --items N [--seed S] [--reset | --if-empty]
import { databaseUrlFromEnv, shopCounts } from '@supergraph-lab/db';
import { parseSeedArgs } from '../args.ts';
import { loadShopData } from '../loaders.ts';
import { createProgressPrinter } from '../progress.ts';

const controller = new AbortController();
// Ctrl-C rolls the load back instead of leaving half of it behind
// persistent listeners: with none left, tsx's signal relay would kill the process mid-rollback
process.on('SIGINT', () => controller.abort());
process.on('SIGTERM', () => controller.abort());

try {
  const args = parseSeedArgs(process.argv.slice(2));
  const url = databaseUrlFromEnv();
  if (args.ifEmpty) {
    const { items } = await shopCounts(url);
    if (items > 0) {
      console.log(`the database already has ${items} items: nothing to do (--if-empty)`);
      process.exit(0);
    }
  }
  const progress = createProgressPrinter();
  console.log(
    `generating and loading ${args.items} items (seed ${args.seed})${args.reset ? ', replacing existing data' : ''}`,
  );
  const report = await loadShopData({ ...args, url, onProgress: progress.update, signal: controller.signal });
  progress.finish(report);
} catch (error) {
  console.error(`db:seed: ${(error as Error).message}`);
  process.exitCode = 1;
}
