//! The zero-copy parser's errors: each built on the error path only, with
//! the field path prefixed as the failure unwinds.

use super::*;

/// Adds the field a failure happened in to the front of its path, on the
/// error path only.
pub(super) trait Within<T> {
    /// Inside field `name`.
    fn within(self, name: &'static str) -> Result<T, DecodeError>;
    /// Inside item `index` of repeated field `name`.
    fn within_item(self, name: &'static str, index: usize) -> Result<T, DecodeError>;
}

impl<T> Within<T> for Result<T, DecodeError> {
    #[inline(always)]
    fn within(self, name: &'static str) -> Result<T, DecodeError> {
        match self {
            Ok(v) => Ok(v),
            Err(e) => Err(prefix(e, name, None)),
        }
    }

    #[inline(always)]
    fn within_item(self, name: &'static str, index: usize) -> Result<T, DecodeError> {
        match self {
            Ok(v) => Ok(v),
            Err(e) => Err(prefix(e, name, Some(index))),
        }
    }
}

#[cold]
#[inline(never)]
pub(super) fn prefix(e: DecodeError, name: &str, index: Option<usize>) -> DecodeError {
    let mut path = String::from(name);
    if let Some(i) = index {
        path.push_str(&format!("[{i}]"));
    }
    let inner = e.path();
    if !inner.is_empty() {
        if !inner.starts_with('[') {
            path.push('.');
        }
        path.push_str(inner);
    }
    e.with_path(path)
}

#[cold]
#[inline(never)]
pub(super) fn wrong_wire_type(found: u8, expected: u8, at: usize) -> DecodeError {
    error_at(
        Category::Syntax,
        at,
        format!(
            "wire type {found} ({}) where {expected} ({}) was expected",
            wire_type_name(found),
            wire_type_name(expected)
        ),
    )
}

#[cold]
#[inline(never)]
pub(super) fn bad_utf8(bytes: &[u8], start: usize) -> DecodeError {
    let valid = std::str::from_utf8(bytes)
        .err()
        .map_or(0, |e| e.valid_up_to());
    error_at(Category::Syntax, start + valid, "string is not valid UTF-8")
}

#[cold]
#[inline(never)]
pub(super) fn too_many_items(max: usize, at: usize) -> DecodeError {
    limit_at(
        Limit::Items,
        at,
        format!("more than max_items ({max}) items"),
    )
}

#[cold]
#[inline(never)]
pub(super) fn too_deep(max: usize, at: usize) -> DecodeError {
    limit_at(
        Limit::Depth,
        at,
        format!("messages nest deeper than max_depth ({max})"),
    )
}

#[cold]
#[inline(never)]
pub(super) fn string_too_long(len: usize, max: usize, at: usize) -> DecodeError {
    limit_at(
        Limit::StringBytes,
        at,
        format!("string of {len} bytes is longer than max_string_bytes ({max})"),
    )
}

/// Appends `item`, growing the list with `try_reserve` so that an arena
/// under an allocation limit gives a typed error (at byte `at`), never a
/// panic. An empty list gets room for 8 items at once: growing 1, 2, 4, 8
/// costs more than the arena bytes this may leave unused.
#[inline(always)]
pub(super) fn push<T>(list: &mut BVec<'_, T>, item: T, at: usize) -> Result<(), DecodeError> {
    if list.len() == list.capacity() {
        let extra = if list.capacity() == 0 {
            8
        } else {
            list.capacity()
        };
        if list.try_reserve(extra).is_err() {
            return Err(out_of_memory(at));
        }
    }
    list.push(item);
    Ok(())
}

/// The arena refused an allocation.
#[cold]
#[inline(never)]
pub(super) fn out_of_memory(at: usize) -> DecodeError {
    DecodeError::out_of_memory().with_position(Position::Byte { offset: at as u64 })
}
