/** Where the ESCO service and importer keep their data unless told otherwise (relative to the repository root). */
export const DEFAULT_ESCO_DATABASE_URL = 'sqlite:data/esco.sqlite';
