//! Random rules and buffers must never panic (a cheap stand-in for the fuzz targets).

use sensor_rules::{inspect_buffer, parse_rule, InspectCtx, Vars};

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a>(&mut self, v: &[&'a str]) -> &'a str {
        v[(self.next() % v.len() as u64) as usize]
    }
}

const FRAGS: &[&str] = &[
    r#"content:"a";"#,
    r#"content:!"ab";"#,
    r#"content:"|00 ff|";"#,
    "nocase;",
    "offset:3;",
    "depth:4;",
    "distance:-5;",
    "distance:0;",
    "within:6;",
    "startswith;",
    "endswith;",
    "isdataat:!1,relative;",
    "isdataat:5;",
    "isdataat:v,relative;",
    r#"pcre:"/a+/R";"#,
    r#"pcre:!"/^b/";"#,
    "byte_test:4,>,v,0,relative;",
    "byte_test:2,=,1,-3,relative,little;",
    "byte_jump:4,0,relative,multiplier 65535,post_offset -65535;",
    "byte_jump:1,0,from_end;",
    "byte_extract:4,0,v,relative;",
    "byte_extract:8,-2,v;",
    "byte_math:bytes 4, offset 0, oper *, rvalue 65535, result v;",
    "byte_math:bytes 1, offset 0, oper /, rvalue 0, result v;",
    "offset:v;",
    "depth:v;",
    "within:v;",
    "distance:v;",
    "bsize:<3;",
    "base64_decode:relative;",
    "base64_data;",
    "http.uri;",
    "to_lowercase;",
    "pkt_data;",
    "fast_pattern;",
    "fast_pattern:0,1;",
    "dsize:<>;",
    "flow:established;",
    "flowbits:isset,a|b;",
    "content:;",
    "content:\"\\\";",
    "pcre:\"/(/\";",
    ";",
    "msg:\"é\\;\";",
];

#[test]
fn random_rules_do_not_panic() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut ctx = InspectCtx::new();
    let mut parsed = 0;
    for _ in 0..20_000 {
        let n = 1 + rng.next() % 6;
        let opts: Vec<&str> = (0..n).map(|_| rng.pick(FRAGS)).collect();
        let text = format!("alert tcp any any -> any any ({} sid:1;)", opts.join(" "));
        let Ok(rule) = parse_rule(&text, &Vars::default()) else {
            continue;
        };
        parsed += 1;
        for _ in 0..4 {
            let len = (rng.next() % 40) as usize;
            let buf: Vec<u8> = (0..len)
                .map(|_| {
                    *b"ab\x00\xff\x7f=YWJj"
                        .get((rng.next() % 11) as usize)
                        .unwrap_or(&0)
                })
                .collect();
            for b in &rule.buffers {
                let _ = inspect_buffer(&b.ops, &buf, &mut ctx);
            }
        }
    }
    assert!(parsed > 1000, "only {parsed} random rules parsed");
}

#[test]
fn garbage_text_does_not_panic() {
    let mut rng = Rng(12345);
    let alphabet: Vec<char> = "alert tcp any -> ()[]!$:;,\"\\|/0123456789abcé"
        .chars()
        .collect();
    for _ in 0..20_000 {
        let len = (rng.next() % 80) as usize;
        let s: String = (0..len)
            .map(|_| alphabet[(rng.next() % alphabet.len() as u64) as usize])
            .collect();
        let _ = parse_rule(&s, &Vars::default());
        let _ = parse_rule(
            &format!("alert tcp any any -> any any ({s})"),
            &Vars::default(),
        );
    }
}
