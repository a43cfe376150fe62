import type { ClientDeclaration } from '../clients/declaration';

// Loaded when pg is: a process that never loads pg never compiles the patches.
const patches = (): typeof import('./instrument') => require('./instrument');

export const pgClient: ClientDeclaration = {
  module: 'pg',
  files: {
    'pg/lib/client.js': (exports) => patches().patchPgClient(exports),
    'pg-pool/index.js': (exports) => patches().patchPgPool(exports),
    'pg/lib/index.js': (exports) => patches().patchPgModule(exports),
  },
};
