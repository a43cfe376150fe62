/**
 * A client library the adapters instrument, declared by what it is: the package a user installs
 * and the files of it that define its clients, each with its patch. The module-load seam
 * (`instrument.ts`) applies a patch when that file has been loaded, by Node or by Jest's
 * registry alike; a patch module is loaded only then.
 */
export interface ClientDeclaration {
  /** The package, as a user installs it and as messages name it: `pg`. */
  readonly module: string;
  /**
   * The files that define its clients, by their path from `node_modules` (`pg/lib/client.js`,
   * `pg-pool/index.js`), each with the patch given that file's exports. A patch is idempotent
   * and ignores exports that are not what it expects.
   */
  readonly files: Readonly<Record<string, (exports: unknown) => void>>;
}
