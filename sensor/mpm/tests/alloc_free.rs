//! Verifies that `Matcher::scan` performs no heap allocation (counting global allocator).

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use sensor_mpm::{hyperscan_compiled, Backend, Matcher, Pattern};

struct Counting;

static ALLOCS: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards to the system allocator, only counting calls.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

#[test]
fn scan_does_not_allocate() {
    let pats: Vec<Pattern> = (0..200u32)
        .map(|i| Pattern::new(format!("needle{i}"), i % 2 == 0, i % 150))
        .collect();
    let mut backends = vec![Backend::AhoCorasick];
    if hyperscan_compiled() {
        backends.push(Backend::Hyperscan);
    }
    let hay: Vec<u8> = (0..200u32)
        .flat_map(|i| format!("xx NEEDLE{i} needle{i} \x00").into_bytes())
        .collect();
    for b in backends {
        let m = Matcher::build(&pats, b).expect("build");
        let mut s = m.new_scratch().expect("scratch");
        let mut hits = 0usize;
        let before = ALLOCS.load(Ordering::Relaxed);
        for _ in 0..10 {
            m.scan(&mut s, &hay, &mut |_| hits += 1);
        }
        let after = ALLOCS.load(Ordering::Relaxed);
        assert_eq!(after, before, "{} allocated during scan", m.backend_name());
        assert_eq!(hits, 10 * 150, "{}", m.backend_name());
    }
}
