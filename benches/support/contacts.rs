//! The deterministic generator the benches make their contacts with, so that every
//! run measures the same data (no `rand` dependency needed).

/// A linear congruential generator (Knuth's MMIX constants), high bits out.
pub struct Lcg(pub u64);

impl Lcg {
    /// The next value, 31 bits.
    pub fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    /// A value below `n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// One of `from`, which must not be empty.
    pub fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[self.below(from.len() as u64) as usize]
    }
}
