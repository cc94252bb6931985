//! Spreading CPU-bound work (parsing descriptor files, preparing rows) over the
//! machine's cores. Callers run it on a blocking thread, never on the async runtime's
//! workers.
//!
//! The work runs on rayon's pool of long-lived threads rather than threads spawned per
//! call: glibc gives each thread an allocator arena, and the memory of arenas whose
//! threads have exited is not handed back to the system by `malloc_trim`
//! ([`crate::memory`]); a 10,000-entity ingest left 60 MiB behind that way.

use rayon::prelude::*;

/// `f` applied to every item, in order, on up to one thread per core.
pub fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    items.par_iter().map(&f).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn keeps_the_order_of_the_items() {
        let items: Vec<u32> = (0..1001).collect();
        let doubled = super::map(&items, |n| n * 2);
        assert_eq!(doubled, items.iter().map(|n| n * 2).collect::<Vec<_>>());
        assert!(super::map(&[] as &[u32], |n| *n).is_empty());
    }
}
