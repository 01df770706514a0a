//! The allocator of samla's reader workers: mimalloc, set up so that a
//! worker's memory stays as small as with glibc's allocator.
//!
//! A read allocates and frees thousands of small strings (cells, XML
//! events); with mimalloc a worker needs about 4 % fewer instructions per
//! read (callgrind, 2026-11-26). mimalloc's defaults keep memory for speed:
//! arenas committed when reserved and freed memory held for a second, which
//! made a worker about 10 MB larger. [`configure`] commits arenas as they
//! are used and gives freed memory back at once.
//!
//! `samla-worker` uses [`use_mimalloc!`], which makes mimalloc the global
//! allocator and runs [`configure`] while the program loads, before its
//! first allocation: mimalloc reserves its first arena then, with the
//! options it has at that moment. `samla` itself keeps glibc's allocator
//! (see `pipeline::limit_malloc_arenas`): with mimalloc, set up the same
//! way, a merge of 1,000 returns needed about 2 % less CPU and 5,000 about
//! 5 % less, but the parent's peak grew by 3 MiB (45.8 against 42.9 MiB;
//! the fair floor's is 46.3–46.9 MiB), too close to issue 10's memory
//! target. The library itself (tests, other programs) keeps whatever
//! allocator its program has.

/// The allocator [`use_mimalloc!`] installs.
pub use mimalloc::MiMalloc;

/// mimalloc's options as numbered by `mi_option_e` in the mimalloc.h that
/// libmimalloc-sys 0.1.49 builds (mimalloc v3); its bindings name neither.
/// `tests` below checks the numbers against the options' defaults.
mod option {
    /// `mi_option_arena_eager_commit`: commit an arena when it is reserved.
    pub const ARENA_EAGER_COMMIT: libmimalloc_sys::mi_option_t = 4;
    /// `mi_option_purge_delay`: milliseconds before freed memory goes back.
    pub const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
}

/// Sets mimalloc's options for a small footprint: arenas committed as they
/// are used, freed memory given back at once. Called by [`use_mimalloc!`]
/// while the program loads; harmless (but late for the first arena) later.
pub extern "C" fn configure() {
    // SAFETY: mi_option_set only stores a value in mimalloc's option table;
    // both options take any integer.
    unsafe {
        libmimalloc_sys::mi_option_set(option::ARENA_EAGER_COMMIT, 0);
        libmimalloc_sys::mi_option_set(option::PURGE_DELAY, 0);
    }
}

/// Makes mimalloc the executable's global allocator and runs [`configure`]
/// from the executable's `.init_array`, before `main` and before anything
/// allocates. Use it once, at the top level of a binary crate:
///
/// ```
/// samla::use_mimalloc!();
///
/// fn main() {
///     // Allocates with mimalloc, configured before this line ran.
///     let text = String::from("Uppföljning");
///     assert_eq!(text.len(), 12);
/// }
/// ```
#[macro_export]
macro_rules! use_mimalloc {
    () => {
        #[global_allocator]
        static ALLOCATOR: $crate::allocator::MiMalloc = $crate::allocator::MiMalloc;

        // In the executable itself: a library's unused object file would be
        // left out by the linker, and its constructor with it.
        #[cfg(target_os = "linux")]
        #[used]
        #[unsafe(link_section = ".init_array")]
        static CONFIGURE_ALLOCATOR: extern "C" fn() = $crate::allocator::configure;
    };
}

#[cfg(test)]
mod tests {
    use super::option;

    #[test]
    fn the_option_numbers_are_the_options_meant() {
        // Each option's value, before this test sets it, is mimalloc v3's
        // default for it: arenas eagerly committed on Linux (2), freed
        // memory kept for 1,000 ms. Another option at the same number would
        // have another default.
        let get = |o| unsafe { libmimalloc_sys::mi_option_get(o) };
        assert_eq!(get(option::ARENA_EAGER_COMMIT), 2);
        assert_eq!(get(option::PURGE_DELAY), 1000);
        super::configure();
        assert_eq!(get(option::ARENA_EAGER_COMMIT), 0);
        assert_eq!(get(option::PURGE_DELAY), 0);
    }
}
