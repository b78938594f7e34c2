import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { runMain, ConfigError } from '../lib/config.js';
import { REPO_ROOT } from '../lib/paths.js';
import { addIssuerKey, loadIssuerKeys } from '../subgraphs/issuance/keys.js';

const HELP = `Usage: npm run issuer:keys -- [--dir <folder>] [--rotate]

Lists the alliance's issuing keys in <folder> (default data/keys/issuer), newest
last; the newest seals new credentials and every key stays published, so
credentials sealed with older keys keep verifying.

  --rotate   add a new key (it seals from the issuance service's next start);
             creates the first key in an empty folder
  --help     show this text

Private keys are written with mode 0600 and never leave the folder.
`;

runMain(async () => {
  const { values } = parseArgs({ options: { dir: { type: 'string' }, rotate: { type: 'boolean' }, help: { type: 'boolean' } }, strict: true });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  if (values.dir !== undefined && values.dir.trim() === '') throw new ConfigError('--dir must name a folder (an empty one would mean the repository itself).');
  const dir = resolve(REPO_ROOT, values.dir ?? 'data/keys/issuer');
  if (values.rotate) {
    const key = await addIssuerKey(dir);
    process.stdout.write(`added issuing key ${key.kid} in ${dir}; restart the issuance service to seal with it\n`);
  }
  let ring;
  try {
    ring = await loadIssuerKeys(dir, { create: false });
  } catch (error) {
    throw new ConfigError(`${(error as Error).message}`);
  }
  for (const key of ring.keys) {
    process.stdout.write(`${key.kid}  since ${key.createdAt.toISOString()}${key.kid === ring.current.kid ? '  (seals new credentials)' : ''}\n`);
  }
});
