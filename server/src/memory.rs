//! Giving memory back to the operating system after a burst of allocations.
//!
//! Ingesting a large location allocates a few hundred megabytes for a few seconds (the
//! files, their parsed YAML, the rows written) and frees them again. glibc's allocator
//! keeps what was freed in its arenas for reuse, so without help the server would sit at
//! its peak size (≈200 MiB after ingesting 10,000 entities, of which ≈20 MiB is live).
//! [`release_free_memory`] hands the free pages back.

/// Returns the allocator's free memory to the operating system (glibc's `malloc_trim`);
/// does nothing on other C libraries.
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
#[allow(unsafe_code)]
extern "C" {
    fn malloc_trim(pad: usize) -> std::ffi::c_int;
}
