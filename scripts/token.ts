import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ROLES, type Role } from '../lib/auth.js';
import { ConfigError, runMain } from '../lib/config.js';
import { isLearnerId, isMemberId, isVerifierId } from '../lib/ids.js';
import { REPO_ROOT } from '../lib/paths.js';
import { ensureDevIdp } from '../hub/dev-idp.js';

const HELP = `Usage: npm run --silent token -- --role <role> [--learner <alliance id>] [--member <member id>] [--verifier <verifier id>] [--ttl <minutes>]

Prints a bearer token from the development identity provider of the embedded
default (the keys npm start created under data/keys), and nothing else on
stdout, so it can be used as:

  curl -H "authorization: Bearer $(npm run --silent token -- --role learner --learner eciu-keh3l88z96nv)" …

  --role <role>      ${ROLES.join(' | ')}
  --learner <id>     the alliance learner id (required for --role learner)
  --member <id>      the member id, e.g. tuni.fi (required for --role member-staff)
  --verifier <id>    the verifier id: https://…, did:… or mailto:… (required for --role verifier)
  --ttl <minutes>    lifetime, 1–1440 (default 60)
  --keys <folder>    the identity provider's key folder (default <DATA_DIR or data>/keys)
`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      role: { type: 'string' },
      learner: { type: 'string' },
      member: { type: 'string' },
      verifier: { type: 'string' },
      ttl: { type: 'string', default: '60' },
      keys: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const role = values.role as Role | undefined;
  if (!role || !(ROLES as readonly string[]).includes(role)) throw new ConfigError(`--role must be one of ${ROLES.join(', ')}.`);
  if (role === 'learner' && !(values.learner && isLearnerId(values.learner))) {
    throw new ConfigError('--role learner needs --learner <alliance learner id>, e.g. eciu-keh3l88z96nv (npm start lists demo learners).');
  }
  if (role === 'member-staff' && !(values.member && isMemberId(values.member))) {
    throw new ConfigError('--role member-staff needs --member <member id>, e.g. tuni.fi.');
  }
  if (role === 'verifier' && !(values.verifier && isVerifierId(values.verifier))) {
    throw new ConfigError('--role verifier needs --verifier <verifier id>, e.g. https://careers.example.com or did:web:example.com.');
  }
  const ttl = Number(values.ttl);
  if (!Number.isInteger(ttl) || ttl < 1 || ttl > 1440) throw new ConfigError('--ttl must be a whole number of minutes from 1 to 1440.');
  const keys = values.keys ? resolve(values.keys) : join(resolve(REPO_ROOT, process.env['DATA_DIR'] ?? 'data'), 'keys');
  const idp = await ensureDevIdp(keys);
  const token = await idp.issue({
    role,
    ...(values.learner ? { learnerId: values.learner } : {}),
    ...(values.member ? { memberId: values.member } : {}),
    ...(values.verifier ? { verifierId: values.verifier } : {}),
    ttlSeconds: ttl * 60,
  });
  process.stdout.write(`${token}\n`);
}

runMain(main);
