//! The allocator, and giving memory back to the operating system after a burst of
//! allocations.
//!
//! Rust's allocations go to mimalloc: rendering a page allocates and frees thousands of
//! small blocks and a few growing buffers on every worker thread, and glibc's allocator
//! spent a third of the catalog page's CPU doing it (consolidating its free lists on
//! every large free). C libraries linked in (SQLite, Oniguruma) still use glibc's.
//! mimalloc gives freed memory back a second after it is freed, but only when some
//! thread calls into it later: [`configure_allocator`] starts a thread that does so
//! every second, so an idle server settles too.
//!
//! Ingesting a large location allocates a few hundred megabytes for a few seconds (the
//! files, their parsed YAML, the rows written, SQLite's sorter when it builds an index)
//! and frees them again. glibc's allocator keeps what was freed for reuse, so without
//! help the server would sit at its peak size (≈200 MiB after ingesting 10,000
//! entities, of which ≈20 MiB is live):
//! - [`configure_allocator`] fixes the trim and mmap thresholds, which glibc otherwise
//!   raises after each large free until the top of every heap is kept for good;
//! - [`release_free_memory`] hands the free pages of every heap back after an ingest.
//!
//! Both call the allocators (the workspace's only `unsafe` code); the glibc parts do
//! nothing elsewhere.

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Bytes: blocks this large are mapped on their own (and unmapped when freed), and a
/// heap keeps at most this much free at its top.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const THRESHOLD: std::ffi::c_int = 128 * 1024;

/// How often mimalloc is asked to give back what was freed (it keeps freed memory for
/// a second before it does).
const COLLECT_EVERY: std::time::Duration = std::time::Duration::from_secs(1);

/// Sets both allocators to give memory back as it is freed; call once, first thing in
/// `main`, before any thread starts.
pub fn configure_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    #[allow(unsafe_code)]
    // SAFETY: `mallopt` only changes the allocator's parameters; called before other
    // threads exist, it races with nothing.
    unsafe {
        mallopt(M_TRIM_THRESHOLD, THRESHOLD);
        mallopt(M_MMAP_THRESHOLD, THRESHOLD);
    }
    let collector = std::thread::Builder::new()
        .name("portico-memory".into())
        .spawn(|| loop {
            std::thread::sleep(COLLECT_EVERY);
            #[allow(unsafe_code)]
            // SAFETY: as in `release_free_memory`; not forced, it releases only what
            // has been free for mimalloc's delay, across every thread's heap.
            unsafe {
                mi_collect(false);
            }
        });
    if let Err(error) = collector {
        tracing::warn!(%error, "memory freed while the server is idle will not be given back");
    }
}

/// Returns the allocators' free memory to the operating system (mimalloc's
/// `mi_collect`, glibc's `malloc_trim`).
pub fn release_free_memory() {
    #[allow(unsafe_code)]
    // SAFETY: `mi_collect` is thread-safe and only releases memory that is already free
    // (of this thread's heap and the abandoned ones).
    unsafe {
        mi_collect(true);
    }
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    #[allow(unsafe_code)]
    // SAFETY: `malloc_trim` is thread-safe (it takes each arena's lock), has no
    // preconditions and only releases memory that is already free.
    unsafe {
        malloc_trim(0);
    }
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
const M_TRIM_THRESHOLD: std::ffi::c_int = -1;
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const M_MMAP_THRESHOLD: std::ffi::c_int = -3;

#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)]
extern "C" {
    fn malloc_trim(pad: usize) -> std::ffi::c_int;
    fn mallopt(param: std::ffi::c_int, value: std::ffi::c_int) -> std::ffi::c_int;
}

#[allow(unsafe_code)]
extern "C" {
    /// mimalloc's collection of free memory (`force`: release it now, not after a delay).
    fn mi_collect(force: bool);
}
