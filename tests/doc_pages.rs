//! Every Rust snippet of the project's pages compiles and runs as a
//! doctest: `src/lib.rs` includes README.md, ARCHITECTURE.md, SECURITY.md
//! and each `docs/*.md` (issue 23). This checks that none is left out, so
//! a page added later is tested too.

use std::path::Path;

#[test]
fn every_page_is_included_as_a_doctest() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let lib = std::fs::read_to_string(root.join("src/lib.rs")).unwrap();
    let mut pages = vec![
        "README.md".to_string(),
        "ARCHITECTURE.md".to_string(),
        "SECURITY.md".to_string(),
    ];
    for entry in std::fs::read_dir(root.join("docs")).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if name.ends_with(".md") {
            pages.push(format!("docs/{name}"));
        }
    }
    let missing: Vec<&String> = pages
        .iter()
        .filter(|page| !lib.contains(&format!("#[doc = include_str!(\"../{page}\")]")))
        .collect();
    assert!(
        missing.is_empty(),
        "pages whose Rust snippets are not doctests: {missing:?}; include each in src/lib.rs \
         as `#[doc = include_str!(\"../PAGE\")] #[cfg(doctest)] pub struct ...;`"
    );
}
