//! Routing tables read from YAML: the file's bytes, its UTF-8 and its YAML
//! are checked here, the table's meaning by [`RouteTable::new`].

use std::io::Read;

use event_decode::DecodeError;
use event_router::{ConfigError, MAX_TABLE_BYTES, RouteConfig, RouteTable, TABLE_LIMITS};

/// A routing table that could not be read, parsed or compiled.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TableError {
    /// The YAML could not be read as a routing table: a syntax error, a wrong
    /// type, a missing or unknown key.
    #[error("routing table: {0}")]
    Yaml(DecodeError),
    /// The table file could not be read.
    #[error("routing table: reading failed: {0}")]
    Read(String),
    /// The table file is larger than [`MAX_TABLE_BYTES`].
    #[error("routing table: larger than the {limit} bytes supported")]
    TooLarge {
        /// The limit, in bytes.
        limit: usize,
    },
    /// The table file is not UTF-8.
    #[error("routing table: line {line}, column {column}: invalid UTF-8")]
    Utf8 {
        /// 1-based line of the first invalid byte.
        line: u64,
        /// 1-based column (in characters) of the first invalid byte.
        column: u64,
    },
    /// The table parsed but cannot be used (a duplicate route, an unknown
    /// kind, too many partitions, ...).
    #[error(transparent)]
    Config(#[from] ConfigError),
}

impl TableError {
    /// 1-based line of a YAML or UTF-8 error.
    pub fn line(&self) -> Option<u64> {
        match self {
            TableError::Yaml(e) => e.line(),
            TableError::Utf8 { line, .. } => Some(*line),
            _ => None,
        }
    }

    /// 1-based column of a YAML or UTF-8 error.
    pub fn column(&self) -> Option<u64> {
        match self {
            TableError::Yaml(e) => e.column(),
            TableError::Utf8 { column, .. } => Some(*column),
            _ => None,
        }
    }

    /// The route the error is about, when there is one by name.
    pub fn route(&self) -> Option<&str> {
        match self {
            TableError::Config(e) => e.route(),
            _ => None,
        }
    }
}

/// Parses a routing table written in YAML with Veltrix's streaming decoder,
/// under [`TABLE_LIMITS`]: syntax errors, wrong types, unknown keys and
/// exceeded limits carry line and column.
pub fn config_from_yaml_str(text: &str) -> Result<RouteConfig, TableError> {
    event_decode::yaml::from_str_with_limits(text, &TABLE_LIMITS).map_err(TableError::Yaml)
}

/// Parses, validates and compiles a table written in YAML.
pub fn table_from_yaml_str(text: &str) -> Result<RouteTable, TableError> {
    Ok(RouteTable::new(config_from_yaml_str(text)?)?)
}

/// Reads a table from `reader` (a file, standard input), refusing one
/// larger than [`MAX_TABLE_BYTES`] without reading past that, then parses
/// it as [`table_from_yaml_str`] does.
pub fn table_from_yaml_reader(reader: impl Read) -> Result<RouteTable, TableError> {
    let mut bytes = Vec::new();
    reader
        .take(MAX_TABLE_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| TableError::Read(e.to_string()))?;
    if bytes.len() > MAX_TABLE_BYTES {
        return Err(TableError::TooLarge {
            limit: MAX_TABLE_BYTES,
        });
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        let upto = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = upto.iter().filter(|&&b| b == b'\n').count() + 1;
        let column = upto
            .rsplit(|&b| b == b'\n')
            .next()
            .map_or(0, |l| String::from_utf8_lossy(l).chars().count())
            + 1;
        TableError::Utf8 {
            line: line as u64,
            column: column as u64,
        }
    })?;
    table_from_yaml_str(&text)
}
