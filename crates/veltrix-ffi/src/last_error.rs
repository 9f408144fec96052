//! The calling thread's last failure message, for `vx_last_error`.

use std::cell::RefCell;

thread_local! {
    static LAST_ERROR: RefCell<String> = const { RefCell::new(String::new()) };
}

/// Records `message` as this thread's last failure.
pub(crate) fn set_last_error(message: String) {
    // During thread teardown the slot may be gone: the message is dropped.
    let _ = LAST_ERROR.try_with(|slot| {
        if let Ok(mut slot) = slot.try_borrow_mut() {
            *slot = message;
        }
    });
}

/// This thread's last failure message (empty when there was none).
#[cfg(test)]
pub(crate) fn last_error() -> String {
    LAST_ERROR
        .try_with(|slot| slot.borrow().clone())
        .unwrap_or_default()
}

/// Copies up to `cap` bytes of the message to `out` (nothing when `out` is
/// NULL) and returns the message's full length.
///
/// # Safety
///
/// A non-NULL `out` must point to `cap` writable bytes.
#[allow(unsafe_code)]
pub(crate) unsafe fn copy_last_error(out: *mut u8, cap: usize) -> usize {
    LAST_ERROR
        .try_with(|slot| {
            let Ok(message) = slot.try_borrow() else {
                return 0;
            };
            let n = message.len().min(cap);
            if !out.is_null() && n > 0 {
                // SAFETY: `out` is non-NULL and, per the caller, writable for
                // `cap >= n` bytes; it cannot overlap the library's own string.
                unsafe { std::ptr::copy_nonoverlapping(message.as_ptr(), out, n) };
            }
            message.len()
        })
        .unwrap_or(0)
}
