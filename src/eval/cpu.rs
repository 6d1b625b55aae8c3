//! `busy`: burning a thread's own CPU time, measured on the thread CPU clock
//! so that oversubscribed threads cannot fake progress.

use std::time::Duration;

/// CPU time consumed so far by the calling thread.
pub fn thread_cpu_time() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec; CLOCK_THREAD_CPUTIME_ID is
    // supported on every platform this crate builds for (Linux, macOS).
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    if rc != 0 {
        return Duration::ZERO;
    }
    Duration::new(
        ts.tv_sec.max(0) as u64,
        ts.tv_nsec.clamp(0, 999_999_999) as u32,
    )
}

/// Spins until the calling thread has used `amount` more CPU time, checking
/// `abandoned` about every 100 µs of work. Returns false if abandoned.
pub fn burn(amount: Duration, abandoned: impl Fn() -> bool) -> bool {
    let start = thread_cpu_time();
    let mut sink = 0u64;
    loop {
        for i in 0..2_000u64 {
            sink = std::hint::black_box(sink.wrapping_mul(6364136223846793005).wrapping_add(i));
        }
        if thread_cpu_time().saturating_sub(start) >= amount {
            return true;
        }
        if abandoned() {
            return false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn burn_uses_thread_cpu_time() {
        let before = thread_cpu_time();
        assert!(burn(Duration::from_millis(5), || false));
        assert!(thread_cpu_time() - before >= Duration::from_millis(5));
    }

    #[test]
    fn burn_stops_when_abandoned() {
        assert!(!burn(Duration::from_secs(60), || true));
    }
}
