import { fileURLToPath } from 'node:url';

/** The repository root, resolved from this module (never from the working directory). */
export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
