//! Plain text in official-document layout: one paragraph per line, indented with full-width
//! spaces, numbered `一、` `（一）` `1.` `（1）`.

use super::markdown::{Block, Inline};
use super::{Document, ImportError, Note};
use std::path::Path;

/// Reads a text file (UTF-8 with or without BOM, GBK/GB18030, UTF-16 with BOM: whatever
/// Notepad and WPS save) into a document. The first non-empty line is the title (when it looks
/// like one); every other non-empty line is a paragraph, its indentation (`　　`) dropped.
pub(crate) fn read(path: &Path) -> Result<Document, ImportError> {
    let text = crate::source::read_text(path, path).map_err(ImportError::Text)?;
    let notes = text
        .warnings
        .iter()
        .map(|w| Note {
            at: String::new(),
            what: w.message.clone(),
        })
        .collect();
    let mut lines = text
        .text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .peekable();
    let title = lines.next_if(|l| super::title_like(l)).map(str::to_string);
    let blocks = lines.map(|l| Block::Para(vec![Inline::plain(l)])).collect();
    Ok(Document {
        title,
        created: None,
        blocks,
        images: Vec::new(),
        notes,
    })
}
