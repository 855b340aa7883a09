// The one seeded pseudo-random generator of the tests, the benchmarks and the demo data (it lives in
// analysis/random.ts, pure, so server/demo can use it too): generated data — and a failure found
// with it — reproduces from its seed.
export { rng } from '../../analysis/random';
