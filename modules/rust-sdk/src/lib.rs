//! Helios Edge guest SDK for Rust: no dependencies, no macros, std only (docs/abi.md).
//!
//! A version-2 function (an HTTP handler) is a `cdylib` for `wasm32-unknown-unknown` that includes this file and
//! exports `handle_request`, which calls a plain function through [`run`]:
//!
//! ```ignore
//! #![crate_type = "cdylib"]
//! #[path = "../rust-sdk/src/lib.rs"] mod helios;
//! fn handle(req: &helios::Request) -> Result<helios::Response, helios::Error> { ... }
//! #[no_mangle] pub extern "C" fn handle_request() { helios::run(handle) }
//! ```
//!
//! Every wrapper validates lengths before calling the host, reads into buffers capped at [`MAX_BUFFER`], checks
//! that a length the host reports is within the buffer before using it, and maps the documented negative statuses
//! to [`Error`]. Build: `rustc --edition 2021 --target wasm32-unknown-unknown -C opt-level=2 -C strip=debuginfo
//! -C link-arg=-zstack-size=65536 -o f.wasm f.rs`.
#![allow(dead_code)]

use std::alloc::{alloc, dealloc, Layout};

/// The largest buffer any wrapper allocates for a host answer (1 MiB: the default `maxResponseBytes`).
pub const MAX_BUFFER: usize = 1 << 20;
/// Function names are `[a-z0-9-]{1,63}` (docs/limits.md).
pub const MAX_FUNCTION_NAME: usize = 63;
/// Region names: the same syntax as function names.
pub const MAX_REGION_NAME: usize = 63;
/// An edge payload is at most the ceiling of `maxPayloadBytes` (8 MiB); the callee may cap it lower (`TooLarge`).
pub const MAX_PAYLOAD: usize = 8 << 20;
/// SQL text is at most 100,000 bytes (docs/abi.md, db_query).
pub const MAX_SQL: usize = 100_000;

mod ffi {
    #[link(wasm_import_module = "heliosdb")]
    extern "C" {
        pub fn heliosdb_log(level: i32, ptr: *const u8, len: usize) -> i32;
        pub fn heliosdb_output(ptr: *const u8, len: usize) -> i32;
        pub fn heliosdb_config_get(key: *const u8, key_len: usize, out: *mut u8, cap: usize, out_len: *mut u32) -> i32;
        pub fn heliosdb_alloc(size: usize) -> *mut u8;
        pub fn heliosdb_dealloc(ptr: *mut u8, size: usize) -> i32;
        pub fn heliosdb_edge_invoke(name: *const u8, name_len: usize, region: *const u8, region_len: usize, payload: *const u8, payload_len: usize, out: *mut u8, cap: usize, out_len: *mut u32) -> i32;
        pub fn heliosdb_edge_invoke_async(name: *const u8, name_len: usize, region: *const u8, region_len: usize, payload: *const u8, payload_len: usize, fuel: u32, out: *mut u8, cap: usize, out_len: *mut u32) -> i32;
        pub fn heliosdb_http_fetch(method: *const u8, method_len: usize, url: *const u8, url_len: usize, headers: *const u8, headers_len: usize, body: *const u8, body_len: usize, result: *mut u32) -> i32;
        pub fn heliosdb_db_query(sql: *const u8, sql_len: usize, params: *const u8, params_len: usize, out_ptr: *mut u32, out_len: *mut u32) -> i32;
        pub fn heliosdb_db_execute(sql: *const u8, sql_len: usize, params: *const u8, params_len: usize, out_ptr: *mut u32, out_len: *mut u32) -> i32;
        pub fn heliosdb_request_method(out: *mut u8, cap: usize, out_len: *mut u32) -> i32;
        pub fn heliosdb_request_path(out: *mut u8, cap: usize, out_len: *mut u32) -> i32;
        pub fn heliosdb_request_query(out: *mut u8, cap: usize, out_len: *mut u32) -> i32;
        pub fn heliosdb_request_headers(out: *mut u8, cap: usize, out_len: *mut u32) -> i32;
        pub fn heliosdb_request_header(name: *const u8, name_len: usize, out: *mut u8, cap: usize, out_len: *mut u32) -> i32;
        pub fn heliosdb_request_body(out: *mut u8, cap: usize, out_len: *mut u32) -> i32;
        pub fn heliosdb_response_status(status: i32) -> i32;
        pub fn heliosdb_response_header(name: *const u8, name_len: usize, value: *const u8, value_len: usize) -> i32;
    }
}

/// The documented host statuses (docs/abi.md "Status codes"), plus the SDK's own checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Error {
    OutOfBounds, InvalidUtf8, TooLarge, InvalidArgument, QuotaExceeded, UnknownAllocation, SizeMismatch,
    BufferTooSmall, InvalidAllocation, ReentrantCall, NotFound, NotPermitted, CallDepthExceeded, CallCycle,
    DeadlineExceeded, CalleeFailed, UpstreamFailed, SqlRefused, SqlError, ResultTooLarge, ReadOnly,
    TriggerRejected, WouldDeadlock,
    /// A status this SDK does not know.
    Unknown(i32),
    /// Refused by the SDK before calling the host: a name or payload outside its documented bounds.
    InvalidInput(&'static str),
    /// The host reported a length past the buffer it was given: never read.
    LengthExceedsBuffer,
}

const NAMED: [Error; 23] = [
    Error::OutOfBounds, Error::InvalidUtf8, Error::TooLarge, Error::InvalidArgument, Error::QuotaExceeded,
    Error::UnknownAllocation, Error::SizeMismatch, Error::BufferTooSmall, Error::InvalidAllocation,
    Error::ReentrantCall, Error::NotFound, Error::NotPermitted, Error::CallDepthExceeded, Error::CallCycle,
    Error::DeadlineExceeded, Error::CalleeFailed, Error::UpstreamFailed, Error::SqlRefused, Error::SqlError,
    Error::ResultTooLarge, Error::ReadOnly, Error::TriggerRejected, Error::WouldDeadlock,
];

impl Error {
    /// The variant for a negative status (-1 is `OutOfBounds` … -23 `WouldDeadlock`).
    pub fn from_status(status: i32) -> Error {
        if (-23..=-1).contains(&status) { NAMED[(-status - 1) as usize] } else { Error::Unknown(status) }
    }
}

/// 0 and up are results; negatives are errors.
fn check(status: i32) -> Result<i32, Error> {
    if status < 0 { Err(Error::from_status(status)) } else { Ok(status) }
}

fn valid_name(name: &str, max: usize, what: &'static str) -> Result<(), Error> {
    let ok = !name.is_empty() && name.len() <= max && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if ok { Ok(()) } else { Err(Error::InvalidInput(what)) }
}

/// Calls `fill(ptr, cap, &mut len)` into a buffer of `first` bytes and, on `BufferTooSmall`, once more with the
/// length the host asked for, if that is within `MAX_BUFFER`. The length written is checked against the buffer.
fn read_into(first: usize, mut fill: impl FnMut(*mut u8, usize, *mut u32) -> i32) -> Result<Vec<u8>, Error> {
    let mut buffer: Vec<u8> = vec![0; first.min(MAX_BUFFER)];
    let mut len: u32 = 0;
    let mut status = fill(buffer.as_mut_ptr(), buffer.len(), &mut len);
    if status == -8 {
        let needed = len as usize;
        if needed > MAX_BUFFER { return Err(Error::TooLarge); }
        buffer = vec![0; needed];
        status = fill(buffer.as_mut_ptr(), buffer.len(), &mut len);
    }
    check(status)?;
    if len as usize > buffer.len() { return Err(Error::LengthExceedsBuffer); }
    buffer.truncate(len as usize);
    Ok(buffer)
}

fn read_string(first: usize, fill: impl FnMut(*mut u8, usize, *mut u32) -> i32) -> Result<String, Error> {
    String::from_utf8(read_into(first, fill)?).map_err(|_| Error::InvalidUtf8)
}

// ---- allocation: the host places payloads and host-made blocks through these exports ----

fn block_layout(size: usize) -> Option<Layout> {
    Layout::from_size_align(size.max(1), 8).ok()
}

/// Called by the host for `size` bytes; 0 when out of memory.
#[no_mangle]
pub extern "C" fn helios_alloc(size: usize) -> *mut u8 {
    match block_layout(size) {
        // SAFETY: the layout has a non-zero size (max(1)) and a valid alignment, as `alloc` requires.
        Some(layout) => unsafe { alloc(layout) },
        None => std::ptr::null_mut(),
    }
}

/// Called by the host when the guest frees a host-made block with `heliosdb_dealloc`.
#[no_mangle]
pub extern "C" fn helios_dealloc(ptr: *mut u8, size: usize) {
    if ptr.is_null() { return; }
    if let Some(layout) = block_layout(size) {
        // SAFETY: the host calls this only for a block `helios_alloc` returned with this same `size` (it checks
        // the size against its tracker first: `sizeMismatch`), so the layout is the one it was allocated with.
        unsafe { dealloc(ptr, layout) }
    }
}

/// Copies a host-made block out, then frees it through the host (which frees it through `helios_dealloc`).
fn take_block(ptr: u32, len: u32) -> Result<Vec<u8>, Error> {
    if len == 0 { return Ok(Vec::new()); }
    if len as usize > MAX_BUFFER * 2 { return Err(Error::LengthExceedsBuffer); }
    // SAFETY: the host placed `len` bytes at `ptr` through `helios_alloc` (its tracker checked the block is inside
    // memory) and nothing has freed it; we copy before freeing and never keep the slice.
    let bytes = unsafe { std::slice::from_raw_parts(ptr as usize as *const u8, len as usize) }.to_vec();
    // SAFETY: (ptr, len) is exactly the live host-made block; the host validates it again (unknownAllocation).
    check(unsafe { ffi::heliosdb_dealloc(ptr as usize as *mut u8, len as usize) })?;
    Ok(bytes)
}

// ---- minimal: log and output ----

#[derive(Clone, Copy)]
pub enum Level { Debug = 0, Info = 1, Warn = 2, Error = 3 }

pub fn log(level: Level, message: &str) -> Result<(), Error> {
    // SAFETY: the pointer and length come from a live &str; the host only reads them during the call.
    check(unsafe { ffi::heliosdb_log(level as i32, message.as_ptr(), message.len()) }).map(|_| ())
}

/// Appends bytes to the response body now (`TooLarge` past `maxResponseBytes`).
pub fn output(bytes: &[u8]) -> Result<(), Error> {
    // SAFETY: a live slice, only read by the host during the call.
    check(unsafe { ffi::heliosdb_output(bytes.as_ptr(), bytes.len()) }).map(|_| ())
}

// ---- compute: config, host blocks ----

/// The config value (or secret) for `key`; `Err(NotFound)` when unset.
pub fn config(key: &str) -> Result<String, Error> {
    // SAFETY (closure): `key` is a live &str; (out, cap) is the buffer `read_into` owns and `len` a live u32.
    read_string(256, |out, cap, len| unsafe { ffi::heliosdb_config_get(key.as_ptr(), key.len(), out, cap, len) })
}

/// A host-made block of `size` bytes (tracked: report `x-helios-leaks` unless freed with [`host_dealloc`]).
pub fn host_alloc(size: usize) -> Result<*mut u8, Error> {
    // SAFETY: takes no pointer; the host calls back into `helios_alloc`.
    let ptr = unsafe { ffi::heliosdb_alloc(size) };
    if (ptr as isize) < 0 { Err(Error::from_status(ptr as isize as i32)) } else { Ok(ptr) }
}

pub fn host_dealloc(ptr: *mut u8, size: usize) -> Result<(), Error> {
    // SAFETY: the host checks (ptr, size) against its tracker before freeing anything.
    check(unsafe { ffi::heliosdb_dealloc(ptr, size) }).map(|_| ())
}

// ---- invoke: edge calls ----

/// Invokes function `name` in `region` (None: this region) with `payload`; its output, capped at `capacity`.
pub fn edge_invoke(name: &str, region: Option<&str>, payload: &[u8], capacity: usize) -> Result<Vec<u8>, Error> {
    valid_name(name, MAX_FUNCTION_NAME, "function name must be [a-z0-9-]{1,63}")?;
    if let Some(region) = region { valid_name(region, MAX_REGION_NAME, "region name must be [a-z0-9-]{1,63}")?; }
    if payload.len() > MAX_PAYLOAD { return Err(Error::InvalidInput("payload over 8 MiB")); }
    let region = region.unwrap_or("");
    // SAFETY (closure): name, region and payload are live borrows; (out, cap, len) belong to `read_into`.
    read_into(capacity.min(MAX_BUFFER), |out, cap, len| unsafe {
        ffi::heliosdb_edge_invoke(name.as_ptr(), name.len(), region.as_ptr(), region.len(), payload.as_ptr(), payload.len(), out, cap, len)
    })
}

/// An asynchronous invocation's payload is at most 1 MiB (the queue's limit).
pub const MAX_ASYNC_PAYLOAD: usize = 1 << 20;
/// An invocation id is ASCII, at most 80 bytes.
const MAX_INVOCATION_ID: usize = 80;

/// Queues an asynchronous invocation of `name` in `region` (None: this region) with `payload`, granting it `fuel`
/// (charged now, once queued; more than this invocation has left is `QuotaExceeded`); returns its id.
pub fn edge_invoke_async(name: &str, region: Option<&str>, payload: &[u8], fuel: u32) -> Result<String, Error> {
    valid_name(name, MAX_FUNCTION_NAME, "function name must be [a-z0-9-]{1,63}")?;
    if let Some(region) = region { valid_name(region, MAX_REGION_NAME, "region name must be [a-z0-9-]{1,63}")?; }
    if payload.len() > MAX_ASYNC_PAYLOAD { return Err(Error::InvalidInput("payload over 1 MiB")); }
    if fuel == 0 { return Err(Error::InvalidInput("fuel grant must be at least 1")); }
    let region = region.unwrap_or("");
    // Never retried on BufferTooSmall (the invocation would be queued twice): ids fit MAX_INVOCATION_ID.
    let mut out = [0u8; MAX_INVOCATION_ID];
    let mut len: u32 = 0;
    // SAFETY: name, region and payload are live borrows; `out` is MAX_INVOCATION_ID writable bytes and `len` a live u32.
    check(unsafe {
        ffi::heliosdb_edge_invoke_async(name.as_ptr(), name.len(), region.as_ptr(), region.len(), payload.as_ptr(), payload.len(), fuel, out.as_mut_ptr(), out.len(), &mut len)
    })?;
    if len as usize > out.len() { return Err(Error::LengthExceedsBuffer); }
    String::from_utf8(out[..len as usize].to_vec()).map_err(|_| Error::InvalidUtf8)
}

// ---- network: outbound HTTP ----

pub struct FetchResponse { pub status: u16, pub headers: String, pub body: Vec<u8> }

/// `headers` are `Name: value` lines. Only hosts on the function's allow-list (`NotPermitted` otherwise).
pub fn http_fetch(method: &str, url: &str, headers: &str, body: &[u8]) -> Result<FetchResponse, Error> {
    if url.is_empty() || url.len() > 8192 { return Err(Error::InvalidInput("url must be 1-8192 bytes")); }
    let mut record = [0u32; 4];
    // SAFETY: every (ptr, len) is a live borrow; `record` is 16 writable bytes, 4-aligned, for the host's answer.
    let status = check(unsafe {
        ffi::heliosdb_http_fetch(method.as_ptr(), method.len(), url.as_ptr(), url.len(), headers.as_ptr(), headers.len(), body.as_ptr(), body.len(), record.as_mut_ptr())
    })?;
    let body = take_block(record[0], record[1])?;
    let headers = String::from_utf8(take_block(record[2], record[3])?).map_err(|_| Error::InvalidUtf8)?;
    Ok(FetchResponse { status: status as u16, headers, body })
}

// ---- database ----

/// The result JSON of a statement; on `SqlError`/`SqlRefused`/`ReadOnly`/`TriggerRejected` the message block's
/// JSON comes back in `DbError`.
#[derive(Debug)]
pub struct DbError { pub error: Error, pub message: Option<String> }

fn db_call(execute: bool, sql: &str, params_json: &str) -> Result<String, DbError> {
    let fail = |error| DbError { error, message: None };
    if sql.is_empty() || sql.len() > MAX_SQL { return Err(fail(Error::InvalidInput("sql must be 1-100000 bytes"))); }
    let (mut ptr, mut len) = (0u32, 0u32);
    // SAFETY: sql and params are live borrows; `ptr` and `len` are live, aligned u32 slots for the host to fill.
    let status = unsafe {
        if execute { ffi::heliosdb_db_execute(sql.as_ptr(), sql.len(), params_json.as_ptr(), params_json.len(), &mut ptr, &mut len) }
        else { ffi::heliosdb_db_query(sql.as_ptr(), sql.len(), params_json.as_ptr(), params_json.len(), &mut ptr, &mut len) }
    };
    let block = if len > 0 { String::from_utf8(take_block(ptr, len).map_err(fail)?).ok() } else { None };
    match check(status) {
        Ok(_) => block.ok_or(fail(Error::LengthExceedsBuffer)),
        Err(error) => Err(DbError { error, message: block }),
    }
}

/// A read-only statement (`database_read`); parameters a JSON array ("" for none).
pub fn db_query(sql: &str, params_json: &str) -> Result<String, DbError> { db_call(false, sql, params_json) }
/// A writing statement (`database`).
pub fn db_execute(sql: &str, params_json: &str) -> Result<String, DbError> { db_call(true, sql, params_json) }

// ---- version 2: the request and the response ----

/// The request, read once up front.
pub struct Request { pub method: String, pub path: String, pub query: String, pub body: Vec<u8> }

impl Request {
    pub fn read() -> Result<Request, Error> {
        // SAFETY (closures): each call writes only into the (out, cap) buffer and `len` slot `read_into` owns.
        Ok(Request {
            method: read_string(16, |o, c, l| unsafe { ffi::heliosdb_request_method(o, c, l) })?,
            path: read_string(256, |o, c, l| unsafe { ffi::heliosdb_request_path(o, c, l) })?,
            query: read_string(256, |o, c, l| unsafe { ffi::heliosdb_request_query(o, c, l) })?,
            body: read_into(4096, |o, c, l| unsafe { ffi::heliosdb_request_body(o, c, l) })?,
        })
    }

    /// One header's value (case-insensitive name); `None` when absent.
    pub fn header(&self, name: &str) -> Result<Option<String>, Error> {
        if name.is_empty() || name.len() > 256 { return Err(Error::InvalidInput("header name must be 1-256 bytes")); }
        // SAFETY (closure): `name` is a live &str; (o, c, l) belong to `read_into`.
        match read_string(256, |o, c, l| unsafe { ffi::heliosdb_request_header(name.as_ptr(), name.len(), o, c, l) }) {
            Ok(value) => Ok(Some(value)),
            Err(Error::NotFound) => Ok(None),
            Err(error) => Err(error),
        }
    }

    /// Every header as `name: value\n` lines (never the caller's Authorization).
    pub fn headers(&self) -> Result<String, Error> {
        // SAFETY (closure): as above.
        read_string(1024, |o, c, l| unsafe { ffi::heliosdb_request_headers(o, c, l) })
    }
}

pub struct Response { pub status: u16, pub headers: Vec<(String, String)>, pub body: Vec<u8> }

impl Response {
    pub fn new(status: u16) -> Response { Response { status, headers: Vec::new(), body: Vec::new() } }
    pub fn header(mut self, name: &str, value: &str) -> Response { self.headers.push((name.to_string(), value.to_string())); self }
    pub fn body(mut self, body: impl Into<Vec<u8>>) -> Response { self.body = body.into(); self }

    /// Sends status, headers and body to the host (which validates them: docs/abi.md "Response headers").
    pub fn send(&self) -> Result<(), Error> {
        // SAFETY: takes no pointer.
        check(unsafe { ffi::heliosdb_response_status(self.status as i32) })?;
        for (name, value) in &self.headers {
            // SAFETY: live borrows, read by the host during the call only.
            check(unsafe { ffi::heliosdb_response_header(name.as_ptr(), name.len(), value.as_ptr(), value.len()) })?;
        }
        output(&self.body)
    }
}

/// The glue a module's `handle_request` export calls: reads the request, runs `handler`, sends its response. An
/// `Err` is logged and answered 500 with the error's name.
pub fn run(handler: fn(&Request) -> Result<Response, Error>) {
    let outcome = Request::read().and_then(|request| handler(&request)).and_then(|response| response.send());
    if let Err(error) = outcome {
        let message = format!("handler failed: {:?}", error);
        let _ = log(Level::Error, &message);
        let _ = Response::new(500).header("content-type", "text/plain").body(message).send();
    }
}
