// A small seeded pseudo-random generator, shared by the tests, the benchmarks and the demo data
// (server/demo): generated data reproduces from its seed on every machine. Not for anything that
// must be unpredictable (tokens use node:crypto).

/**
 * mulberry32: a 32-bit state, fast, seeded; returns numbers in [0, 1). Same seed, same sequence.
 * Cost O(1) per call.
 * @example const random = rng(42); random() // → 0.6011037519201636
 */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
