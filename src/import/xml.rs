//! A small element tree over quick-xml, for the parts of a .docx.
//!
//! Converting Word means looking ahead and around (a run's properties, a cell's span, a
//! drawing's picture), which is much clearer on a tree than on a stream of events. Names are
//! kept without their namespace prefix (`w:p` → `p`): the prefixes Word writes are conventions,
//! not guarantees, and no two elements we read share a local name in a way that matters.

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

/// One element with its attributes and children.
#[derive(Debug, Default)]
pub(crate) struct Element {
    /// Local name (`p` for `w:p`).
    pub(crate) name: String,
    /// Attributes by local name (`val` for `w:val`, `embed` for `r:embed`).
    attrs: Vec<(String, String)>,
    /// Child elements and text, in order.
    pub(crate) children: Vec<Node>,
}

/// A child of an element.
#[derive(Debug)]
pub(crate) enum Node {
    /// A nested element.
    Element(Element),
    /// Character data, entities resolved.
    Text(String),
}

/// Deeper nesting than any real document has; refusing it keeps the converter's recursion on
/// a crafted file from exhausting the stack.
const MAX_DEPTH: usize = 256;

impl Element {
    /// The value of the attribute with this local name.
    pub(crate) fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Child elements, in order.
    pub(crate) fn elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|n| match n {
            Node::Element(e) => Some(e),
            Node::Text(_) => None,
        })
    }

    /// The first child element with this local name.
    pub(crate) fn child(&self, name: &str) -> Option<&Element> {
        self.elements().find(|e| e.name == name)
    }

    /// Follows a path of child names (`pPr`, `pStyle`).
    pub(crate) fn path(&self, names: &[&str]) -> Option<&Element> {
        names.iter().try_fold(self, |e, n| e.child(n))
    }

    /// The first element with this name in the subtree (this element included), depth first.
    pub(crate) fn find(&self, name: &str) -> Option<&Element> {
        if self.name == name {
            return Some(self);
        }
        self.elements().find_map(|e| e.find(name))
    }

    /// All text below this element, concatenated.
    pub(crate) fn text(&self) -> String {
        let mut out = String::new();
        self.collect_text(&mut out);
        out
    }

    fn collect_text(&self, out: &mut String) {
        for n in &self.children {
            match n {
                Node::Element(e) => e.collect_text(out),
                Node::Text(t) => out.push_str(t),
            }
        }
    }
}

/// Parses an XML document into its root element. The error is a short description for the
/// message naming the part.
pub(crate) fn parse(xml: &str) -> Result<Element, String> {
    let mut reader = Reader::from_str(xml);
    let mut stack: Vec<Element> = vec![Element::default()];
    loop {
        let event = reader
            .read_event()
            .map_err(|e| format!("位置 {}：{e}", reader.error_position()))?;
        match event {
            Event::Start(start) => {
                if stack.len() > MAX_DEPTH {
                    return Err(format!("元素嵌套超过 {MAX_DEPTH} 层"));
                }
                stack.push(element(&start)?);
            }
            Event::Empty(start) => {
                let e = element(&start)?;
                push(&mut stack, Node::Element(e));
            }
            Event::End(_) => {
                let Some(done) = stack.pop().filter(|_| !stack.is_empty()) else {
                    return Err("结束标记多于开始标记".into());
                };
                push(&mut stack, Node::Element(done));
            }
            Event::Text(t) => {
                let text = t.xml10_content().map_err(|e| e.to_string())?;
                push_text(&mut stack, &text);
            }
            Event::CData(t) => {
                let text = t.decode().map_err(|e| e.to_string())?;
                push_text(&mut stack, &text);
            }
            Event::GeneralRef(r) => {
                let text = match r.resolve_char_ref().map_err(|e| e.to_string())? {
                    Some(c) => c.to_string(),
                    None => {
                        let name = r.decode().map_err(|e| e.to_string())?;
                        quick_xml::escape::resolve_predefined_entity(&name)
                            .ok_or_else(|| format!("未知的实体 &{name};"))?
                            .to_string()
                    }
                };
                push_text(&mut stack, &text);
            }
            Event::Eof => break,
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) | Event::DocType(_) => {}
        }
    }
    if stack.len() != 1 {
        return Err("文件不完整：有元素没有结束标记".into());
    }
    let document = stack.pop().unwrap_or_default();
    document
        .children
        .into_iter()
        .find_map(|n| match n {
            Node::Element(e) => Some(e),
            Node::Text(_) => None,
        })
        .ok_or_else(|| "没有根元素".into())
}

fn element(start: &BytesStart<'_>) -> Result<Element, String> {
    let mut attrs = Vec::new();
    for a in start.attributes() {
        let a = a.map_err(|e| e.to_string())?;
        let value = a
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map_err(|e| e.to_string())?;
        attrs.push((local(a.key.as_ref()), value.into_owned()));
    }
    Ok(Element {
        name: local(start.name().as_ref()),
        attrs,
        children: Vec::new(),
    })
}

/// `w:val` → `val`.
fn local(qname: &[u8]) -> String {
    let name = String::from_utf8_lossy(qname);
    match name.rsplit_once(':') {
        Some((_, l)) => l.to_string(),
        None => name.into_owned(),
    }
}

fn push(stack: &mut [Element], node: Node) {
    if let Some(top) = stack.last_mut() {
        top.children.push(node);
    }
}

/// Text is kept where it is content: whitespace between elements is layout, except inside
/// `<w:t>` (and the like), where a lone space is a real space between words.
fn push_text(stack: &mut [Element], text: &str) {
    let Some(top) = stack.last_mut() else { return };
    if text.trim().is_empty() && top.name != "t" {
        return;
    }
    match top.children.last_mut() {
        Some(Node::Text(prev)) => prev.push_str(text),
        _ => top.children.push(Node::Text(text.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tree_with_local_names_entities_and_spaces() {
        let root = parse(
            r#"<?xml version="1.0"?><w:document xmlns:w="x"><w:p><w:r><w:t xml:space="preserve"> a&amp;b&#x4E00; </w:t></w:r>
            <w:pPr><w:pStyle w:val="1"/></w:pPr></w:p></w:document>"#,
        )
        .unwrap();
        assert_eq!(root.name, "document");
        let p = root.child("p").unwrap();
        assert_eq!(p.text(), " a&b一 ");
        assert_eq!(p.path(&["pPr", "pStyle"]).unwrap().attr("val"), Some("1"));
        assert_eq!(root.find("t").unwrap().name, "t");
    }

    #[test]
    fn broken_and_deep_documents_are_errors() {
        assert!(parse("<a><b></a>").is_err());
        assert!(parse("<a>").is_err());
        assert!(parse("").is_err());
        let deep = "<a>".repeat(1000) + &"</a>".repeat(1000);
        assert!(parse(&deep).unwrap_err().contains("嵌套"));
    }
}
