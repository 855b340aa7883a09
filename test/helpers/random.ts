// The one seeded pseudo-random generator of the tests and benchmarks (bench/ imports it too), so
// generated data — and a failure found with it — reproduces from its seed.

/** mulberry32: small, fast, seeded; returns numbers in [0, 1). */
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
