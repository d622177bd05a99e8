// The worker entry when Sluice runs from its TypeScript sources (tests, development): Node 20
// does not apply `--import tsx` to a worker's own entry module, so register tsx here first.
import { register } from 'tsx/esm/api';

register();
await import('./worker-main.ts');
