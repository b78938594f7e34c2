import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { runMain } from '../lib/config.js';
import { composeHub, SCHEMA_DIR } from '../gateway/supergraph.js';

const HELP = `Usage: npm run compose

Builds every subgraph's schema from the code, composes the supergraph with
@apollo/composition and writes schema/: member-contract.graphql (the member
contract), subgraphs/<name>.graphql and supergraph.graphql. Commit the result;
the gateway serves the committed supergraph and a test fails when it is stale.
`;

async function main(): Promise<void> {
  if (process.argv.includes('--help')) {
    process.stdout.write(HELP);
    return;
  }
  const files = await composeHub();
  for (const [relative, content] of Object.entries(files)) {
    const path = join(SCHEMA_DIR, relative);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
    process.stdout.write(`wrote schema/${relative}\n`);
  }
}

runMain(main);
