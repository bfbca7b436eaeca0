//! Bounded concurrency: at most `parallel` items are worked on at once.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use super::exec::{run, Invocation, Run};

/// Applies `f` to every item with at most `parallel` threads; results are in input order.
pub fn run_bounded<T: Sync, R: Send>(
    items: &[T],
    parallel: usize,
    f: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<(usize, R)>> = Mutex::new(Vec::with_capacity(items.len()));
    let workers = parallel.clamp(1, items.len().max(1));
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(item) = items.get(i) else { break };
                let r = f(item);
                if let Ok(mut res) = results.lock() {
                    res.push((i, r));
                }
            });
        }
    });
    let mut out = results.into_inner().unwrap_or_else(|p| p.into_inner());
    out.sort_by_key(|(i, _)| *i);
    out.into_iter().map(|(_, r)| r).collect()
}

/// Runs every invocation, at most `parallel` at once; results are in input order.
pub fn run_all(jobs: &[Invocation], parallel: usize) -> Vec<Run> {
    run_bounded(jobs, parallel, run)
}
