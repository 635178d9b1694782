import { readFileSync } from 'node:fs';
import path from 'node:path';
import { composeServices } from '@apollo/composition';
import { SUBGRAPH_NAMES, type SubgraphName } from '@supergraph-lab/config';
import { parse } from 'graphql';

/** Each subgraph's SDL file, the source of truth the static supergraph is composed from. */
export const SUBGRAPH_SCHEMA_FILES: Record<SubgraphName, string> = Object.fromEntries(
  SUBGRAPH_NAMES.map((name) => [name, path.resolve(import.meta.dirname, '../../subgraphs', name, 'schema.graphql')]),
) as Record<SubgraphName, string>;

/** Composition failed; the message carries every composition error. */
export class CompositionError extends Error {
  override name = 'CompositionError';
}

export interface SubgraphSource {
  name: string;
  /** The subgraph's GraphQL endpoint. */
  url: string;
  sdl: string;
}

/**
 * Composes a static supergraph (Apollo's recommendation for production: what the gateway serves
 * is decided at start, not by whichever subgraphs answer).
 */
export function composeSupergraph(subgraphs: readonly SubgraphSource[]): string {
  const result = composeServices(
    subgraphs.map((subgraph) => ({ name: subgraph.name, url: subgraph.url, typeDefs: parse(subgraph.sdl) })),
  );
  if (result.errors?.length || !result.supergraphSdl) {
    const messages = (result.errors ?? []).map((error) => `- ${error.message}`).join('\n');
    throw new CompositionError(`supergraph composition failed:\n${messages}`);
  }
  return result.supergraphSdl;
}

/** The three subgraphs' SDL files with the endpoints the gateway reaches them at. */
export function readSubgraphSources(urls: Record<SubgraphName, string>): SubgraphSource[] {
  return SUBGRAPH_NAMES.map((name) => ({
    name,
    url: `${urls[name]}/graphql`,
    sdl: readFileSync(SUBGRAPH_SCHEMA_FILES[name], 'utf8'),
  }));
}
