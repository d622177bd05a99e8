import fc from 'fast-check';

// Property tests run with a fixed seed so a CI run is reproducible: a failure seen once is seen
// again. FC_SEED=<n> explores other inputs (FC_SEED=random: a new seed each run); a failure
// prints its seed, and a counterexample found that way belongs in a test of its own.
const seed = process.env.FC_SEED === 'random' ? Date.now() ^ (Math.random() * 0x7fffffff) : Number(process.env.FC_SEED ?? 20261122);
fc.configureGlobal({ seed });
