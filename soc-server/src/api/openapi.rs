//! `GET /api/openapi.json`: the OpenAPI 3.1 description of the HTTP API, kept as a JSON
//! file beside this module (`openapi.json`) and embedded in the binary. Signed-in users
//! and API tokens may read it (it is documentation, but every route here needs a user).

use super::{require_user, AppState};
use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

/// The document.
pub const OPENAPI_JSON: &str = include_str!("openapi.json");

/// Serves [`OPENAPI_JSON`].
pub async fn openapi(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    if let Err(e) = require_user(&state, &headers).await {
        return e.into_response();
    }
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI_JSON).into_response()
}

#[cfg(test)]
mod tests {
    use super::OPENAPI_JSON;
    use serde_json::Value;

    /// `(path, methods)` of every `.route(...)` in the API router's source (`mod.rs`),
    /// so that a route added there without documentation fails this test.
    fn routes_in_router() -> Vec<(String, Vec<String>)> {
        let src = include_str!("mod.rs");
        let mut out = Vec::new();
        let mut rest = src;
        while let Some(i) = rest.find(".route(") {
            rest = &rest[i + ".route(".len()..];
            // The call's text up to its closing parenthesis.
            let mut depth = 1;
            let mut end = 0;
            for (j, c) in rest.char_indices() {
                match c {
                    '(' => depth += 1,
                    ')' => {
                        depth -= 1;
                        if depth == 0 {
                            end = j;
                            break;
                        }
                    }
                    _ => {}
                }
            }
            let call = &rest[..end];
            let path = call
                .split('"')
                .nth(1)
                .expect("route path literal")
                .to_string();
            let methods = ["get", "post", "put", "patch", "delete"]
                .iter()
                .filter(|m| {
                    call.contains(&format!(" {m}("))
                        || call.contains(&format!(".{m}("))
                        || call.contains(&format!("({m}("))
                })
                .map(|m| m.to_string())
                .collect();
            out.push((path, methods));
        }
        out
    }

    #[test]
    fn the_document_describes_every_api_route_and_method() {
        let doc: Value = serde_json::from_str(OPENAPI_JSON).expect("openapi.json is JSON");
        assert_eq!(doc["openapi"], "3.1.0");
        let paths = doc["paths"].as_object().expect("paths");
        let routes = routes_in_router();
        assert!(routes.len() >= 12, "{routes:?}");
        for (path, methods) in &routes {
            assert!(!methods.is_empty(), "no method found for {path}");
            let item = paths
                .get(path)
                .unwrap_or_else(|| panic!("{path} is served but not in openapi.json"));
            for m in methods {
                let op = &item[m.as_str()];
                assert!(
                    op.is_object(),
                    "{} {path} is not in openapi.json",
                    m.to_uppercase()
                );
                assert!(op["responses"].is_object(), "{m} {path}: responses");
                assert!(op["summary"].is_string(), "{m} {path}: summary");
                assert!(
                    op.get("security").is_some() || doc.get("security").is_some(),
                    "{m} {path}: say who may call it (security)"
                );
            }
        }
        // Nothing documented that is not served.
        for path in paths.keys() {
            assert!(
                routes.iter().any(|(p, _)| p == path),
                "{path} is documented but not served"
            );
        }
        // Every $ref resolves.
        let text = OPENAPI_JSON;
        for part in text.split("\"$ref\": \"#/components/schemas/").skip(1) {
            let name = part.split('"').next().unwrap_or("");
            assert!(
                doc["components"]["schemas"][name].is_object(),
                "dangling $ref {name}"
            );
        }
    }
}
