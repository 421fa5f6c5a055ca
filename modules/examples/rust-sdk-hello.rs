//! A version-2 HTTP handler in Rust built on the SDK (modules/rust-sdk): no crates, no macros.
//!
//!   GET  /             -> 200 text/plain "hello from rust-sdk-hello"
//!   GET  /hello/:name  -> 200 application/json {"hello":":name","query":"..."}
//!   POST /echo         -> 200 the body, with the request's content-type
//!   anything else      -> 404
//!
//! Built by scripts/build-modules.mjs for wasm32-unknown-unknown (the crate_type attribute below selects it).
#![crate_type = "cdylib"]

#[path = "../rust-sdk/src/lib.rs"]
mod helios;

use helios::{Error, Request, Response};

fn handle(req: &Request) -> Result<Response, Error> {
    let segments: Vec<&str> = req.path.split('/').filter(|s| !s.is_empty()).collect();
    Ok(match (req.method.as_str(), segments.as_slice()) {
        ("GET", []) => Response::new(200).header("content-type", "text/plain").body("hello from rust-sdk-hello"),
        ("GET", ["hello", name]) if name.bytes().all(|b| b.is_ascii_alphanumeric()) => Response::new(200)
            .header("content-type", "application/json")
            .body(format!("{{\"hello\":\"{}\",\"query\":\"{}\"}}", name, req.query.replace('"', ""))),
        ("POST", ["echo"]) => {
            let content_type = req.header("content-type")?.unwrap_or_else(|| "application/octet-stream".to_string());
            Response::new(200).header("content-type", &content_type).body(req.body.clone())
        }
        _ => Response::new(404).header("content-type", "text/plain").body("no route"),
    })
}

#[no_mangle]
pub extern "C" fn handle_request() {
    helios::run(handle)
}
