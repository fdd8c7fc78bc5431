//! zhibu (支部): a static site generator for party-branch publicity and study material.
//!
//! The pipeline runs one way: [`config`] → [`source`] / [`frontmatter`] → [`site`] (the model)
//! → [`markdown`] → [`render`] (Tera, themes) → [`output`] (staged write and swap).
//! [`pipeline`] drives it for `zhibu build`.

pub mod check;
mod clock;
pub mod config;
pub mod diagnostic;
pub mod frontmatter;
pub mod import;
pub mod init;
pub mod kinds;
pub mod markdown;
pub mod new;
pub mod output;
pub mod package;
mod parse_error;
pub mod pipeline;
pub mod render;
mod render_kinds;
mod scan;
pub mod search;
pub mod serve;
pub mod site;
pub mod slug;
pub mod source;
pub mod theme;
pub mod watch;

pub use pipeline::{build, BuildError, BuildOptions, BuildReport, Session};
