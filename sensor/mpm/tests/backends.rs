//! Cross-checks both backends against a naive reference on fixed and randomized inputs.

use std::collections::BTreeSet;

use sensor_mpm::{hyperscan_compiled, Backend, Matcher, MpmError, Pattern};

/// Small deterministic PRNG (xorshift64*), so the tests need no extra dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Reference: ids of patterns occurring in `hay` (naive substring search).
fn naive(patterns: &[Pattern], hay: &[u8]) -> BTreeSet<u32> {
    let mut out = BTreeSet::new();
    for p in patterns {
        let found = hay.windows(p.bytes.len()).any(|w| {
            if p.nocase {
                w.eq_ignore_ascii_case(&p.bytes)
            } else {
                w == p.bytes.as_slice()
            }
        });
        if found {
            out.insert(p.id);
        }
    }
    out
}

/// Scans and checks that no id is reported twice; returns the id set.
fn scan_set(m: &Matcher, hay: &[u8]) -> BTreeSet<u32> {
    let mut s = m.new_scratch().expect("scratch");
    let ids = m.scan_collect(&mut s, hay);
    let set: BTreeSet<u32> = ids.iter().copied().collect();
    assert_eq!(set.len(), ids.len(), "duplicate ids reported: {ids:?}");
    // Scratch reuse must give the same answer.
    let again: BTreeSet<u32> = m.scan_collect(&mut s, hay).into_iter().collect();
    assert_eq!(set, again, "scratch reuse changed result");
    set
}

fn backends() -> Vec<Backend> {
    if hyperscan_compiled() {
        vec![Backend::AhoCorasick, Backend::Hyperscan, Backend::Auto]
    } else {
        eprintln!("NOTE: sensor-mpm built without libhs: skipping Hyperscan comparisons");
        vec![Backend::AhoCorasick, Backend::Auto]
    }
}

fn check_all(patterns: &[Pattern], hays: &[Vec<u8>]) {
    let matchers: Vec<Matcher> = backends()
        .into_iter()
        .map(|b| Matcher::build(patterns, b).expect("build"))
        .collect();
    for hay in hays {
        let want = naive(patterns, hay);
        for m in &matchers {
            assert_eq!(
                scan_set(m, hay),
                want,
                "backend {} patterns {patterns:?} haystack {hay:?}",
                m.backend_name()
            );
        }
    }
}

#[test]
fn must_have_hyperscan_on_this_machine() {
    // libhyperscan-dev is installed on the project machine: the build script must find it.
    if cfg!(feature = "hyperscan")
        && std::path::Path::new("/usr/lib/x86_64-linux-gnu/libhs.so").exists()
    {
        assert!(hyperscan_compiled(), "libhs.so present but not linked");
        assert!(
            sensor_mpm::hyperscan_available(),
            "hs_valid_platform failed"
        );
    }
}

#[test]
fn fixed_cases() {
    let pats = vec![
        Pattern::new(&b"abc"[..], false, 1),
        Pattern::new(&b"ab"[..], false, 2),
        Pattern::new(&b"bcd"[..], false, 3),
        Pattern::new(&b"ABC"[..], true, 4),
        Pattern::new(&b"\x00\x00"[..], false, 5),
        Pattern::new(&b"\x00"[..], true, 6),
        Pattern::new(&b"abc"[..], false, 7),
        Pattern::new(&b"abc"[..], false, 1),
        Pattern::new(&b"zz"[..], false, 8),
        Pattern::new(&b"Zz"[..], false, 9),
        Pattern::new(&[0xff, 0xfe][..], false, 10),
        Pattern::new(&b"aaa"[..], false, 11),
    ];
    let hays: Vec<Vec<u8>> = vec![
        b"".to_vec(),
        b"abcd".to_vec(),
        b"xABCx".to_vec(),
        b"\x00".to_vec(),
        b"\x00\x00\xff\xfe".to_vec(),
        b"aaaa Zz".to_vec(),
        b"ab".to_vec(),
        b"zz".to_vec(),
    ];
    check_all(&pats, &hays);
}

#[test]
fn auto_picks_by_size() {
    let small: Vec<Pattern> = (0..3)
        .map(|i| Pattern::new(vec![b'a' + i as u8; 2], false, i))
        .collect();
    let m = Matcher::build(&small, Backend::Auto).expect("build");
    assert_eq!(m.backend_name(), "aho-corasick");
    let big: Vec<Pattern> = (0..20)
        .map(|i| Pattern::new(vec![b'a' + i as u8; 2], false, i))
        .collect();
    let m = Matcher::build(&big, Backend::Auto).expect("build");
    let want = if hyperscan_compiled() {
        "hyperscan"
    } else {
        "aho-corasick"
    };
    assert_eq!(m.backend_name(), want);
}

#[test]
fn empty_pattern_rejected_and_empty_set_ok() {
    for b in backends() {
        let err = Matcher::build(&[Pattern::new(Vec::new(), false, 3)], b);
        assert!(
            matches!(err, Err(MpmError::EmptyPattern { id: 3 })),
            "{b:?}"
        );
        let m = Matcher::build(&[], b).expect("empty set");
        assert!(m.is_empty());
        let mut s = m.new_scratch().expect("scratch");
        assert!(m.scan_collect(&mut s, b"anything").is_empty());
    }
}

#[test]
fn dedup_shared_bytes_and_shared_ids() {
    let mut pats = Vec::new();
    for id in 0..1000u32 {
        pats.push(Pattern::new(&b"common"[..], id % 2 == 0, id));
    }
    // Same id on several distinct patterns: reported once.
    pats.push(Pattern::new(&b"x1"[..], false, 5000));
    pats.push(Pattern::new(&b"x2"[..], false, 5000));
    for b in backends() {
        let m = Matcher::build(&pats, b).expect("build");
        assert_eq!(m.distinct_patterns(), 4);
        let mut s = m.new_scratch().expect("scratch");
        let mut ids = m.scan_collect(&mut s, b"..COMMON..common x1 x2");
        ids.sort_unstable();
        let mut want: Vec<u32> = (0..1000).collect();
        want.push(5000);
        assert_eq!(ids, want, "{b:?}");
    }
}

#[test]
fn scratch_from_other_matcher_is_replaced() {
    let a = Matcher::build(&[Pattern::new(&b"aa"[..], false, 1)], Backend::AhoCorasick).expect("a");
    let pats: Vec<Pattern> = (0..30u32)
        .map(|i| Pattern::new(format!("p{i}q"), false, i))
        .collect();
    for b in backends() {
        let m = Matcher::build(&pats, b).expect("m");
        let mut s = a.new_scratch().expect("scratch");
        let mut v = m.scan_collect(&mut s, b"p7q p29q");
        v.sort_unstable();
        assert_eq!(v, vec![7, 29], "{b:?}");
    }
}

#[test]
fn scratch_clone_and_threads() {
    let pats: Vec<Pattern> = (0..50u32)
        .map(|i| Pattern::new(format!("pat{i:03}"), i % 3 == 0, i))
        .collect();
    for b in backends() {
        let m = std::sync::Arc::new(Matcher::build(&pats, b).expect("m"));
        let s0 = m.new_scratch().expect("scratch");
        let handles: Vec<_> = (0..2)
            .map(|t| {
                let m = m.clone();
                let mut s = s0.try_clone().expect("clone");
                std::thread::spawn(move || {
                    let hay = format!("xxPAT000 pat{:03} pat049", 10 + t);
                    let mut v = m.scan_collect(&mut s, hay.as_bytes());
                    v.sort_unstable();
                    v
                })
            })
            .collect();
        for (t, h) in handles.into_iter().enumerate() {
            let v = h.join().expect("thread");
            assert_eq!(v, vec![0, 10 + t as u32, 49], "{b:?}");
        }
    }
}

/// Generates patterns over a tiny alphabet so prefixes/overlaps/duplicates are frequent.
fn random_case(rng: &mut Rng, alphabet: &[u8]) -> (Vec<Pattern>, Vec<Vec<u8>>) {
    let n = 1 + rng.below(60);
    let mut pats: Vec<Pattern> = Vec::with_capacity(n);
    for i in 0..n {
        let id = if rng.below(10) == 0 {
            rng.below(n) as u32
        } else {
            i as u32
        };
        let bytes: Vec<u8> = if i > 0 && rng.below(5) == 0 {
            // prefix / copy of an earlier pattern
            let prev = &pats[rng.below(i)].bytes;
            prev[..1 + rng.below(prev.len())].to_vec()
        } else {
            let len = 1 + rng.below(6);
            (0..len)
                .map(|_| alphabet[rng.below(alphabet.len())])
                .collect()
        };
        pats.push(Pattern::new(bytes, rng.below(2) == 0, id));
    }
    let hays = (0..8)
        .map(|_| {
            let len = rng.below(200);
            (0..len)
                .map(|_| alphabet[rng.below(alphabet.len())])
                .collect()
        })
        .collect();
    (pats, hays)
}

#[test]
fn randomized_equivalence() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let alphabets: [&[u8]; 3] = [b"aAb\x00", b"abcABC\x00\xff", b"xyXY01\x00\n\r\x80"];
    for round in 0..300 {
        let alphabet = alphabets[round % alphabets.len()];
        let (pats, hays) = random_case(&mut rng, alphabet);
        check_all(&pats, &hays);
    }
}

#[test]
fn randomized_full_byte_range() {
    let mut rng = Rng(12345);
    let alphabet: Vec<u8> = (0..=255u8).collect();
    for _ in 0..50 {
        let n = 10 + rng.below(200);
        let pats: Vec<Pattern> = (0..n)
            .map(|i| {
                let len = 1 + rng.below(3);
                let bytes: Vec<u8> = (0..len).map(|_| alphabet[rng.below(256)]).collect();
                Pattern::new(bytes, rng.below(2) == 0, i as u32)
            })
            .collect();
        let hays: Vec<Vec<u8>> = (0..4)
            .map(|_| {
                (0..rng.below(4000))
                    .map(|_| alphabet[rng.below(256)])
                    .collect()
            })
            .collect();
        check_all(&pats, &hays);
    }
}

#[test]
fn panic_in_callback_propagates() {
    let pats: Vec<Pattern> = (0..20u32)
        .map(|i| Pattern::new(format!("k{i}k"), false, i))
        .collect();
    for b in backends() {
        let m = Matcher::build(&pats, b).expect("m");
        let mut s = m.new_scratch().expect("scratch");
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            m.scan(&mut s, b"k3k k4k", &mut |_| panic!("boom"));
        }));
        assert!(r.is_err(), "{b:?}");
        // The scratch stays usable afterwards.
        let mut v = m.scan_collect(&mut s, b"k3k k4k");
        v.sort_unstable();
        assert_eq!(v, vec![3, 4], "{b:?}");
    }
}
