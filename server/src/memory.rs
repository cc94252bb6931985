//! Giving memory back to the operating system after a burst of allocations.
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
//! Both call glibc (the workspace's only `unsafe` code) and do nothing elsewhere.

/// Bytes: blocks this large are mapped on their own (and unmapped when freed), and a
/// heap keeps at most this much free at its top.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const THRESHOLD: std::ffi::c_int = 128 * 1024;

/// Sets glibc's allocator to give memory back as it is freed; call once, first thing
/// in `main`, before any thread starts.
pub fn configure_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    #[allow(unsafe_code)]
    // SAFETY: `mallopt` only changes the allocator's parameters; called before other
    // threads exist, it races with nothing.
    unsafe {
        mallopt(M_TRIM_THRESHOLD, THRESHOLD);
        mallopt(M_MMAP_THRESHOLD, THRESHOLD);
    }
}

/// Returns the allocator's free memory to the operating system (glibc's `malloc_trim`).
pub fn release_free_memory() {
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
