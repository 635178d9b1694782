// Hive Gateway with the Rust query planner (GATEWAY=hive-rust): Hive Router's planner, a native
// module in @graphql-hive/router-query-planner, in place of the JavaScript one.
import { defineConfig } from '@graphql-hive/gateway';
import { unifiedGraphHandler } from '@graphql-hive/router-runtime';

export const gatewayConfig = defineConfig({ unifiedGraphHandler });
