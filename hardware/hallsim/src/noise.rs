//! Line noise for fault tests: a small deterministic PRNG (xorshift64*) that flips one bit in
//! a given fraction of the bytes crossing the virtual wire.

/// A deterministic byte corrupter.
#[derive(Clone, Debug)]
pub struct Noise {
    state: u64,
    /// Fraction of bytes to corrupt (0.0 ..= 1.0), in millionths.
    per_million: u32,
    flipped: u64,
}

impl Noise {
    /// A corrupter seeded with `seed` flipping `fraction` of the bytes.
    pub fn new(seed: u64, fraction: f64) -> Noise {
        Noise {
            state: seed | 1,
            per_million: (fraction.clamp(0.0, 1.0) * 1_000_000.0) as u32,
            flipped: 0,
        }
    }

    /// Changes the fraction of corrupted bytes.
    pub fn set_fraction(&mut self, fraction: f64) {
        self.per_million = (fraction.clamp(0.0, 1.0) * 1_000_000.0) as u32;
    }

    /// Bytes flipped so far.
    pub fn flipped(&self) -> u64 {
        self.flipped
    }

    /// The next pseudo-random number.
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.state;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.state = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Flips one random bit in the chosen fraction of `bytes`.
    pub fn apply(&mut self, bytes: &mut [u8]) {
        if self.per_million == 0 {
            return;
        }
        for b in bytes.iter_mut() {
            let r = self.next_u64();
            if (r % 1_000_000) < u64::from(self.per_million) {
                *b ^= 1 << ((r >> 32) % 8);
                self.flipped += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Noise;

    #[test]
    fn one_percent_noise_flips_about_one_percent_of_bytes() {
        let mut n = Noise::new(7, 0.01);
        let mut bytes = vec![0u8; 100_000];
        n.apply(&mut bytes);
        let changed = bytes.iter().filter(|b| **b != 0).count();
        assert!((800..1200).contains(&changed), "{changed} bytes changed");
        assert_eq!(n.flipped(), changed as u64);
    }

    #[test]
    fn zero_noise_changes_nothing() {
        let mut n = Noise::new(7, 0.0);
        let mut bytes = vec![0x5a; 1000];
        n.apply(&mut bytes);
        assert!(bytes.iter().all(|b| *b == 0x5a));
    }
}
