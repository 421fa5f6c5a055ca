//! A WASI command in Rust (std only, no crates): a small JSON API that routes on method and path.
//!
//! The runtime runs it once per request, CGI style (docs/abi.md "WASI preview1"): the body on stdin, the response on
//! stdout (a header block with Status and Content-Type, a blank line, the body), the request in the environment.
//!
//!   GET    /            -> 200 {"service":"rust-api","routes":[...]}
//!   GET    /hello/:name -> 200 {"hello":":name"}
//!   POST   /sum         -> 200 {"sum":N} for a body of whitespace- or comma-separated integers (400 otherwise)
//!   POST   /length      -> 200 {"bytes":N,"chars":M} of the body
//!   DELETE /anything    -> 204
//!   other methods       -> 405 with an Allow header; other paths -> 404
//!
//! Build (scripts/build-modules.mjs): /usr/bin/rustc --edition 2021 --target wasm32-wasi -C opt-level=2
//!   -C strip=debuginfo -C link-arg=-zstack-size=65536 -o rust-api.wasm rust-api.rs
//! The stack-size flag matters: Rust's default 1 MiB stack alone is 16 pages, which with the data is over the
//! default maxMemoryPages of 16. Deploy with the `wasi` profile (rust-api.manifest.json).

use std::env;
use std::io::{self, Read, Write};

/// A JSON string literal for `text` (quotes, backslashes and control characters escaped).
fn json_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

struct Response {
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: String,
}

fn json(status: u16, body: String) -> Response {
    Response { status, headers: vec![("Content-Type", "application/json".to_string())], body }
}

fn route(method: &str, path: &str, body: &str) -> Response {
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    match (method, segments.as_slice()) {
        ("GET", []) => json(200, r#"{"service":"rust-api","routes":["GET /","GET /hello/:name","POST /sum","POST /length","DELETE /:any"]}"#.to_string()),
        ("GET", ["hello", name]) => json(200, format!("{{\"hello\":{}}}", json_string(name))),
        ("POST", ["sum"]) => {
            let mut sum: i64 = 0;
            for part in body.split(|c: char| c.is_whitespace() || c == ',').filter(|p| !p.is_empty()) {
                match part.parse::<i64>() {
                    Ok(n) => sum = sum.saturating_add(n),
                    Err(_) => return json(400, format!("{{\"error\":{}}}", json_string(&format!("not an integer: {}", part)))),
                }
            }
            json(200, format!("{{\"sum\":{}}}", sum))
        }
        ("POST", ["length"]) => json(200, format!("{{\"bytes\":{},\"chars\":{}}}", body.len(), body.chars().count())),
        ("DELETE", [_, ..]) => Response { status: 204, headers: vec![], body: String::new() },
        ("GET", _) | ("POST", _) => json(404, format!("{{\"error\":\"no route\",\"path\":{}}}", json_string(path))),
        _ => {
            let mut response = json(405, format!("{{\"error\":\"method not allowed\",\"method\":{}}}", json_string(method)));
            response.headers.push(("Allow", "GET, POST, DELETE".to_string()));
            response
        }
    }
}

fn main() {
    let method = env::var("REQUEST_METHOD").unwrap_or_default();
    let path = env::var("PATH_INFO").unwrap_or_else(|_| "/".to_string());
    let mut body = String::new();
    if let Err(error) = io::stdin().read_to_string(&mut body) {
        eprintln!("rust-api: the body is not UTF-8: {}", error);
        std::process::exit(2);
    }
    eprintln!("rust-api: {} {}", method, path);
    let response = route(&method, &path, &body);
    let mut out = String::new();
    out.push_str(&format!("Status: {}\r\n", response.status));
    for (name, value) in &response.headers {
        out.push_str(&format!("{}: {}\r\n", name, value));
    }
    out.push_str("\r\n");
    out.push_str(&response.body);
    let stdout = io::stdout();
    let mut lock = stdout.lock();
    lock.write_all(out.as_bytes()).and_then(|_| lock.flush()).expect("stdout");
}
