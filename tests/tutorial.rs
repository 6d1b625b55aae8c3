//! Every command of docs/tutorial.md runs and prints what the page shows
//! (issue 16), and every picture it shows exists.
#![cfg(unix)]

mod console;

#[test]
fn every_tutorial_command_prints_what_the_tutorial_shows() {
    console::check_page("docs/tutorial.md");
}

#[test]
fn every_tutorial_picture_exists() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let page = std::fs::read_to_string(root.join("docs/tutorial.md")).unwrap();
    let mut pictures = 0;
    for part in page.split("](").skip(1) {
        let Some((target, _)) = part.split_once(')') else {
            continue;
        };
        if target.ends_with(".svg") {
            pictures += 1;
            let path = root.join("docs").join(target);
            let svg = std::fs::read_to_string(&path).unwrap_or_else(|_| panic!("{target}"));
            assert!(svg.contains("<svg"), "{target}");
        }
    }
    assert!(pictures >= 4, "{pictures} pictures");
}
