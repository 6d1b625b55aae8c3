//! Every console example of the README runs as shown (issue 16).
#![cfg(unix)]

mod console;

#[test]
fn every_readme_console_example_prints_what_the_readme_shows() {
    console::check_page("README.md");
}
