import type { ClientDeclaration } from '../clients/declaration';

// Loaded when kafkajs is: a process that never loads kafkajs never compiles the patches.
const patches = (): typeof import('./instrument') => require('./instrument');

export const kafkajsClient: ClientDeclaration = {
  module: 'kafkajs',
  files: {
    'kafkajs/src/index.js': (exports) => patches().patchKafka(exports),
    'kafkajs/index.js': (exports) => patches().patchKafkajsModule(exports),
  },
};
