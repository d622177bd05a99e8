import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/**
 * Where peer test data lives: `$SLUICE_PEER_TESTS`, or `../shared/peer-tests` beside the
 * checkout. The project holds none of that data; a missing folder fails the test that needs it.
 */
export function peerTestsDir(): string {
  return process.env.SLUICE_PEER_TESTS ?? path.resolve(repoRoot, '../shared/peer-tests');
}

/** A path inside the peer data folder; throws naming the variable to set when it is missing. */
export function peerDataPath(...parts: string[]): string {
  const p = path.join(peerTestsDir(), ...parts);
  if (!existsSync(p)) {
    throw new Error(`peer test data not found at ${p}; set SLUICE_PEER_TESTS to the peer-tests folder`);
  }
  return p;
}
