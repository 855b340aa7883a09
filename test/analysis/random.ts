// The shared seeded generator (mulberry32) of tests and benchmarks, so generated test data (and
// failures) reproduce; one implementation in test/helpers/random.ts.
export { rng } from '../helpers/random';
