//! Flag submission: the TCP line protocol (team by source subnet) and the JSON HTTP endpoint
//! (team by token), both with per-team rate limits.

pub mod http;
pub mod ratelimit;
pub mod resolve;
pub mod tcp;

pub use http::{serve_http, Tokens};
pub use ratelimit::RateLimiter;
pub use resolve::{BySubnet, TeamResolver};
pub use tcp::{serve, Shared};
