//! # veltrix-ffi: the router embedded in-process, through a C ABI
//!
//! SPEC section 8: a static and a dynamic library (`libveltrix.a`,
//! `libveltrix.so`) and the header `include/veltrix.h`, generated from this
//! file by cbindgen and checked to be current by the crate's tests.
//!
//! The layer is thin on purpose. Everything that routes is safe Rust in
//! [`embedded`]; this file only turns C arguments into Rust values and back:
//! it checks every pointer for NULL and alignment, borrows the caller's
//! memory for the duration of the call (nothing is kept once a call
//! returns), catches every panic at the boundary (`VX_ERR_PANIC`, and the
//! router that panicked answers `VX_ERR_PANIC` from then on), and records
//! each failure's message for the calling thread ([`vx_last_error`]).
//!
//! Return codes: `VX_OK` (0) or a negative `VX_ERR_*`. A bad event is not a
//! failed call: [`vx_route`] gives it a `VX_REJECTED` result, and
//! [`vx_convert`] returns `VX_REJECTED` (a positive code) for it; in both
//! cases [`vx_last_error`] says what is wrong and where.
#![deny(missing_docs)]
// Every entry point is `unsafe extern "C"`; the types keep the C names of
// SPEC section 8.
#![allow(non_camel_case_types)]

mod embedded;
mod last_error;
#[cfg(test)]
mod tests;

use std::any::Any;
use std::cell::Cell;
use std::mem::{MaybeUninit, size_of};
use std::panic::{AssertUnwindSafe, catch_unwind};

use event_decode::Format;

use crate::embedded::Embedded;
pub use crate::embedded::PANIC_PROBE_ID;
use crate::last_error::{copy_last_error, set_last_error};

/// The ABI version this library implements ([`vx_abi_version`]).
pub const VX_ABI_VERSION: u32 = 1;

/// Events encoded as YAML (one document per event).
pub const VX_FORMAT_YAML: i32 = 1;
/// Events encoded as JSON (one object per event).
pub const VX_FORMAT_JSON: i32 = 2;
/// Events encoded as protobuf `veltrix.events.v1.Event` (one message each).
pub const VX_FORMAT_PROTOBUF: i32 = 3;

/// Delivered to at least one handler.
pub const VX_ROUTED: i32 = 0;
/// Unmatched under `unmatched: dead_letter`.
pub const VX_DEAD_LETTER: i32 = 1;
/// Unmatched under `unmatched: drop`.
pub const VX_DROPPED: i32 = 2;
/// Bad (did not decode or validate), or unmatched under `unmatched: error`.
pub const VX_REJECTED: i32 = 3;

/// Success.
pub const VX_OK: i32 = 0;
/// A NULL or misaligned pointer, an unknown format, an index out of range.
pub const VX_ERR_ARGUMENT: i32 = -1;
/// The routing table cannot be used.
pub const VX_ERR_CONFIG: i32 = -2;
/// The output buffer is too small; `*written` is the size needed.
pub const VX_ERR_BUFFER: i32 = -3;
/// A panic was caught; the router it was using is poisoned.
pub const VX_ERR_PANIC: i32 = -4;

/// A router with its routing table, decoders and counters. Create with
/// [`vx_router_new`], free with [`vx_router_free`]. Use it from one thread
/// at a time; different routers on different threads are fine.
pub struct vx_router {
    /// Set when a call on this router panicked: its state may be half
    /// updated, so every later call answers `VX_ERR_PANIC`.
    poisoned: Cell<bool>,
    inner: Embedded,
}

/// A borrowed byte string: one event's bytes. `ptr` must not be NULL, even
/// when `len` is 0.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct vx_bytes {
    /// The first byte.
    pub ptr: *const u8,
    /// The number of bytes.
    pub len: usize,
}

/// What happened to one event of a [`vx_route`] batch.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct vx_result {
    /// `VX_ROUTED`, `VX_DEAD_LETTER`, `VX_DROPPED` or `VX_REJECTED`.
    pub outcome: i32,
    /// 1..9 in the order of SPEC section 2's kind table; 0 if rejected.
    pub kind: u32,
    /// The partition when routed (also set for dead-lettered and dropped
    /// events; 0 if rejected).
    pub partition: u32,
    /// Bit i: handler i, numbered by first appearance in the table.
    pub handlers: u64,
}

/// The ABI version of the library, `VX_ABI_VERSION` (1).
#[allow(unsafe_code)]
#[unsafe(no_mangle)]
pub extern "C" fn vx_abi_version() -> u32 {
    VX_ABI_VERSION
}

/// Parses and compiles a routing table (SPEC section 4, YAML) and builds a
/// router that delivers to a counting no-op handler per handler name.
///
/// On success `*out` is the new router and the result `VX_OK`; otherwise
/// `*out` is NULL (when `out` is not NULL) and the result is
/// `VX_ERR_ARGUMENT` (a NULL pointer) or `VX_ERR_CONFIG` (a table that is
/// not UTF-8, does not parse, does not validate, or names more than 64
/// handlers).
///
/// # Safety
///
/// `table_yaml` must point to `len` readable bytes; `out` must point to a
/// writable `vx_router *`.
#[allow(unsafe_code)]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vx_router_new(
    table_yaml: *const u8,
    len: usize,
    out: *mut *mut vx_router,
) -> i32 {
    guard("vx_router_new", None, || {
        if out.is_null() || !out.is_aligned() {
            return argument("vx_router_new: out must be a valid vx_router ** (not NULL)");
        }
        // SAFETY: `out` is non-NULL and aligned, and the caller promises it
        // points to a writable `vx_router *`.
        unsafe { out.write(std::ptr::null_mut()) };
        // SAFETY: the caller promises `len` readable bytes at `table_yaml`;
        // `bytes` checks NULL and the size bound.
        let table = match unsafe { bytes(table_yaml, len) } {
            Some(table) => table,
            None => return argument("vx_router_new: table_yaml must not be NULL"),
        };
        match Embedded::new(table) {
            Ok(inner) => {
                let router = Box::new(vx_router {
                    poisoned: Cell::new(false),
                    inner,
                });
                // SAFETY: checked above: non-NULL, aligned, writable.
                unsafe { out.write(Box::into_raw(router)) };
                VX_OK
            }
            Err(message) => fail(VX_ERR_CONFIG, message),
        }
    })
}

/// Frees a router. NULL is fine.
///
/// # Safety
///
/// `router` must be NULL or a pointer returned by [`vx_router_new`] that
/// was not freed yet; it must not be used afterwards.
#[allow(unsafe_code)]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vx_router_free(router: *mut vx_router) {
    if router.is_null() {
        return;
    }
    // A handler's or decoder's destructor that panicked must not unwind into C.
    let _ = catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: the caller promises `router` came from `vx_router_new`
        // (`Box::into_raw`) and is freed once.
        drop(unsafe { Box::from_raw(router) });
    }));
}

/// Decodes and routes a batch of `n` events, all in `format`, writing one
/// result per event into `results[0..n]`, in input order.
///
/// A bad event is a `VX_REJECTED` result, not a failed call: the message of
/// the first rejected event of the batch ("event N, line L, column C:
/// field: what", N 1-based in the batch) is then available from
/// [`vx_last_error`]. Returns `VX_OK`; `VX_ERR_ARGUMENT` for a NULL or
/// misaligned pointer (the router, `events`, `results`, or any event's
/// `ptr`) or an unknown format, before anything is routed;
/// `VX_ERR_PANIC` if the router is poisoned or a panic was caught.
///
/// # Safety
///
/// `router` must come from [`vx_router_new`] and not be in use on another
/// thread; `events` must point to `n` readable `vx_bytes`, each pointing to
/// `len` readable bytes; `results` must point to `n` writable `vx_result`.
#[allow(unsafe_code)]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vx_route(
    router: *mut vx_router,
    format: i32,
    events: *const vx_bytes,
    n: usize,
    results: *mut vx_result,
) -> i32 {
    if router.is_null() || !router.is_aligned() {
        return argument("vx_route: router must not be NULL");
    }
    // SAFETY: non-NULL and aligned; the caller promises it is a live router
    // used by this thread only. The borrow ends before `inner` is borrowed.
    let poisoned = unsafe { &(*router).poisoned };
    if poisoned.get() {
        return poisoned_router("vx_route");
    }
    guard("vx_route", Some(poisoned), || {
        let Some(format) = format_of(format) else {
            return argument(format!(
                "vx_route: unknown format {format} (expected VX_FORMAT_YAML=1, VX_FORMAT_JSON=2 or VX_FORMAT_PROTOBUF=3)"
            ));
        };
        // SAFETY: the caller promises `n` readable `vx_bytes` at `events`;
        // `slice` checks NULL, alignment and the size bound.
        let Some(events) = (unsafe { slice(events, n) }) else {
            return argument("vx_route: events must be a valid, aligned vx_bytes array (not NULL)");
        };
        // SAFETY: the caller promises `n` writable `vx_result` at `results`;
        // `slice_mut` checks NULL, alignment and the size bound.
        let Some(results) = (unsafe { slice_mut(results, n) }) else {
            return argument(
                "vx_route: results must be a valid, aligned vx_result array (not NULL)",
            );
        };
        let mut frames: Vec<&[u8]> = Vec::with_capacity(n);
        for (i, event) in events.iter().enumerate() {
            // SAFETY: the caller promises each `ptr` points to `len` readable
            // bytes; `bytes` checks NULL and the size bound.
            match unsafe { bytes(event.ptr, event.len) } {
                Some(frame) => frames.push(frame),
                None => {
                    return argument(format!(
                        "vx_route: events[{i}].ptr is NULL (len {})",
                        event.len
                    ));
                }
            }
        }
        // SAFETY: `router` is non-NULL, aligned and live (checked and
        // promised above); `inner` is disjoint from the `poisoned` field
        // borrowed by the guard, and nothing else borrows it.
        let inner = unsafe { &mut (*router).inner };
        if let Some(message) = inner.route(format, &frames, results) {
            set_last_error(message);
        }
        VX_OK
    })
}

/// Converts one event from format `from` to format `to`: YAML is one
/// document starting with `---`, JSON one line of canonical JSON (SPEC
/// section 2) ending with a newline, protobuf one message.
///
/// Returns `VX_OK` with the bytes in `out[0..*written]`; `VX_REJECTED` when
/// the input is not a valid event (the message via [`vx_last_error`]);
/// `VX_ERR_BUFFER` with `*written` = the size needed when `cap` is too small
/// (`out` may be NULL when `cap` is 0, to ask for the size);
/// `VX_ERR_ARGUMENT` for a NULL pointer or an unknown format.
///
/// # Safety
///
/// `in` must point to `len` readable bytes, `out` to `cap` writable bytes
/// (or be NULL with `cap` 0), `written` to a writable `size_t`.
#[allow(unsafe_code)]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vx_convert(
    from: i32,
    to: i32,
    r#in: *const u8,
    len: usize,
    out: *mut u8,
    cap: usize,
    written: *mut usize,
) -> i32 {
    guard("vx_convert", None, || {
        let (Some(from), Some(to)) = (format_of(from), format_of(to)) else {
            return argument(format!(
                "vx_convert: unknown format (from {from}, to {to}; expected VX_FORMAT_YAML=1, VX_FORMAT_JSON=2 or VX_FORMAT_PROTOBUF=3)"
            ));
        };
        if let Err(code) = check_output("vx_convert", out, cap, written) {
            return code;
        }
        // SAFETY: the caller promises `len` readable bytes at `in`; `bytes`
        // checks NULL and the size bound.
        let Some(input) = (unsafe { bytes(r#in, len) }) else {
            return argument("vx_convert: in must not be NULL");
        };
        match embedded::convert(from, to, input) {
            // SAFETY: `out`, `cap` and `written` were checked by
            // `check_output` and are promised valid by the caller.
            Ok(bytes) => unsafe { write_output("vx_convert", &bytes, out, cap, written) },
            Err(message) => {
                set_last_error(message);
                VX_REJECTED
            }
        }
    })
}

/// Writes the router's summary as JSON, the shape `veltrix route` prints
/// (SPEC section 5): `events`, `routed`, `dead_letter`, `dropped`,
/// `rejected`, `routes` (name: events matched), `handlers` (name: events
/// delivered) and `partitions` (routed events per partition). The counts
/// are those of the results [`vx_route`] returned.
///
/// Returns `VX_OK` with the JSON in `out[0..*written]` (not NUL-terminated);
/// `VX_ERR_BUFFER` with `*written` = the size needed (`out` may be NULL when
/// `cap` is 0); `VX_ERR_ARGUMENT`; `VX_ERR_PANIC` if the router is poisoned.
///
/// # Safety
///
/// `router` must come from [`vx_router_new`] and not be in use on another
/// thread; `out` must point to `cap` writable bytes (or be NULL with `cap`
/// 0); `written` to a writable `size_t`.
#[allow(unsafe_code)]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vx_stats_json(
    router: *const vx_router,
    out: *mut u8,
    cap: usize,
    written: *mut usize,
) -> i32 {
    // SAFETY: `router_ref` checks NULL and alignment; the caller promises a
    // live router.
    let Some(router) = (unsafe { router_ref(router) }) else {
        return argument("vx_stats_json: router must not be NULL");
    };
    if router.poisoned.get() {
        return poisoned_router("vx_stats_json");
    }
    guard("vx_stats_json", Some(&router.poisoned), || {
        if let Err(code) = check_output("vx_stats_json", out, cap, written) {
            return code;
        }
        let json = router.inner.stats_json();
        // SAFETY: checked by `check_output`, promised valid by the caller.
        unsafe { write_output("vx_stats_json", &json, out, cap, written) }
    })
}

/// Writes the name of handler `index` (its id: handlers are numbered by
/// first appearance in the table, as the bits of `vx_result.handlers`) into
/// `out[0..*written]`, not NUL-terminated.
///
/// Returns `VX_OK`; `VX_ERR_ARGUMENT` for a NULL pointer or an index past
/// the last handler; `VX_ERR_BUFFER` with `*written` = the size needed (`out`
/// may be NULL when `cap` is 0); `VX_ERR_PANIC` if the router is poisoned.
///
/// # Safety
///
/// As [`vx_stats_json`].
#[allow(unsafe_code)]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vx_handler_name(
    router: *const vx_router,
    index: u32,
    out: *mut u8,
    cap: usize,
    written: *mut usize,
) -> i32 {
    // SAFETY: `router_ref` checks NULL and alignment; the caller promises a
    // live router.
    let Some(router) = (unsafe { router_ref(router) }) else {
        return argument("vx_handler_name: router must not be NULL");
    };
    if router.poisoned.get() {
        return poisoned_router("vx_handler_name");
    }
    guard("vx_handler_name", Some(&router.poisoned), || {
        if let Err(code) = check_output("vx_handler_name", out, cap, written) {
            return code;
        }
        let names = router.inner.handler_names();
        let Some(name) = usize::try_from(index).ok().and_then(|i| names.get(i)) else {
            return argument(format!(
                "vx_handler_name: index {index} is out of range (the table has {} handlers)",
                names.len()
            ));
        };
        // SAFETY: checked by `check_output`, promised valid by the caller.
        unsafe { write_output("vx_handler_name", name.as_bytes(), out, cap, written) }
    })
}

/// Copies this thread's last failure message (UTF-8, not NUL-terminated)
/// into `out`, at most `cap` bytes, and returns its full length: when that
/// is more than `cap`, call again with a bigger buffer. `out` may be NULL
/// (nothing is copied). The message stays until the next failure on this
/// thread; 0 means there was none.
///
/// # Safety
///
/// `out` must be NULL or point to `cap` writable bytes.
#[allow(unsafe_code)]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vx_last_error(out: *mut u8, cap: usize) -> usize {
    catch_unwind(|| {
        // SAFETY: the caller promises `cap` writable bytes at a non-NULL `out`.
        unsafe { copy_last_error(out, cap) }
    })
    .unwrap_or(0)
}

/// Runs an entry point's body, turning a panic into `VX_ERR_PANIC` and
/// poisoning the router it was using.
fn guard(name: &str, poisoned: Option<&Cell<bool>>, body: impl FnOnce() -> i32) -> i32 {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(code) => code,
        Err(payload) => {
            if let Some(flag) = poisoned {
                flag.set(true);
            }
            // Formatting the message must not unwind either.
            let message = panic_message(payload.as_ref());
            let _ = catch_unwind(AssertUnwindSafe(|| {
                set_last_error(format!(
                    "{name}: panic: {message}; the router is poisoned: free it and build a new one"
                ));
            }));
            VX_ERR_PANIC
        }
    }
}

fn panic_message(payload: &(dyn Any + Send)) -> &str {
    if let Some(s) = payload.downcast_ref::<&str>() {
        s
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s
    } else {
        "(a non-string payload)"
    }
}

fn fail(code: i32, message: impl Into<String>) -> i32 {
    set_last_error(message.into());
    code
}

fn argument(message: impl Into<String>) -> i32 {
    fail(VX_ERR_ARGUMENT, message)
}

fn poisoned_router(name: &str) -> i32 {
    fail(
        VX_ERR_PANIC,
        format!("{name}: the router is poisoned by an earlier panic: free it and build a new one"),
    )
}

fn format_of(format: i32) -> Option<Format> {
    match format {
        VX_FORMAT_YAML => Some(Format::Yaml),
        VX_FORMAT_JSON => Some(Format::Json),
        VX_FORMAT_PROTOBUF => Some(Format::Protobuf),
        _ => None,
    }
}

/// `ptr[0..len]`, or `None` when `ptr` is NULL or `len` is past what a
/// slice may span.
///
/// # Safety
///
/// A non-NULL `ptr` must point to `len` bytes readable for the call.
#[allow(unsafe_code)]
unsafe fn bytes<'a>(ptr: *const u8, len: usize) -> Option<&'a [u8]> {
    if ptr.is_null() || len > isize::MAX as usize {
        return None;
    }
    // SAFETY: non-NULL, `u8` needs no alignment, the size bound holds, and
    // the caller promises `len` readable bytes that outlive the call.
    Some(unsafe { std::slice::from_raw_parts(ptr, len) })
}

/// `ptr[0..n]`, or `None` when `ptr` is NULL or misaligned or `n` elements
/// are past what a slice may span.
///
/// # Safety
///
/// A non-NULL, aligned `ptr` must point to `n` initialised `T` readable for
/// the call.
#[allow(unsafe_code)]
unsafe fn slice<'a, T>(ptr: *const T, n: usize) -> Option<&'a [T]> {
    if ptr.is_null() || !ptr.is_aligned() || n.checked_mul(size_of::<T>())? > isize::MAX as usize {
        return None;
    }
    // SAFETY: non-NULL, aligned, within the size bound; the caller promises
    // `n` initialised elements.
    Some(unsafe { std::slice::from_raw_parts(ptr, n) })
}

/// `ptr[0..n]` as possibly uninitialised memory to write results into, or
/// `None` as for [`slice`].
///
/// # Safety
///
/// A non-NULL, aligned `ptr` must point to `n` `T` writable for the call and
/// not otherwise accessed during it.
#[allow(unsafe_code)]
unsafe fn slice_mut<'a, T>(ptr: *mut T, n: usize) -> Option<&'a mut [MaybeUninit<T>]> {
    if ptr.is_null() || !ptr.is_aligned() || n.checked_mul(size_of::<T>())? > isize::MAX as usize {
        return None;
    }
    // SAFETY: non-NULL, aligned, within the size bound, and writable per the
    // caller; `MaybeUninit` makes no claim that the caller initialised it.
    Some(unsafe { std::slice::from_raw_parts_mut(ptr.cast::<MaybeUninit<T>>(), n) })
}

/// A router pointer as a shared reference, or `None` when NULL or misaligned.
///
/// # Safety
///
/// A non-NULL, aligned `router` must be a live router from [`vx_router_new`].
#[allow(unsafe_code)]
unsafe fn router_ref<'a>(router: *const vx_router) -> Option<&'a vx_router> {
    if router.is_null() || !router.is_aligned() {
        return None;
    }
    // SAFETY: non-NULL, aligned, and live per the caller.
    Some(unsafe { &*router })
}

/// Checks an output triple: `written` non-NULL and aligned, `out` non-NULL
/// unless `cap` is 0.
fn check_output(name: &str, out: *mut u8, cap: usize, written: *mut usize) -> Result<(), i32> {
    if written.is_null() || !written.is_aligned() {
        return Err(argument(format!(
            "{name}: written must be a valid size_t * (not NULL)"
        )));
    }
    if out.is_null() && cap != 0 {
        return Err(argument(format!(
            "{name}: out is NULL but cap is {cap} (pass cap 0 to ask for the size)"
        )));
    }
    if cap > isize::MAX as usize {
        return Err(argument(format!("{name}: cap {cap} is too large")));
    }
    Ok(())
}

/// Copies `bytes` to `out` when they fit, and sets `*written` to their
/// length either way; `VX_ERR_BUFFER` when they do not fit.
///
/// # Safety
///
/// The triple passed [`check_output`], `out` points to `cap` writable bytes
/// (unless NULL with `cap` 0) and `written` to a writable `size_t`.
#[allow(unsafe_code)]
unsafe fn write_output(
    name: &str,
    bytes: &[u8],
    out: *mut u8,
    cap: usize,
    written: *mut usize,
) -> i32 {
    // SAFETY: `written` is non-NULL and aligned (checked), writable (promised).
    unsafe { written.write(bytes.len()) };
    if bytes.len() > cap {
        return fail(
            VX_ERR_BUFFER,
            format!(
                "{name}: the output needs {} bytes but the buffer holds {cap}",
                bytes.len()
            ),
        );
    }
    if !bytes.is_empty() {
        // SAFETY: `out` is non-NULL here (cap >= len > 0 and NULL only with
        // cap 0), writable for `cap >= len` bytes, and cannot overlap our
        // own freshly built `bytes`.
        unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr(), out, bytes.len()) };
    }
    VX_OK
}
