//! ARCHITECTURE.md stays true: every repository path it names exists.

use std::path::Path;

#[test]
fn every_path_named_in_architecture_md_exists() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let text = std::fs::read_to_string(root.join("ARCHITECTURE.md")).unwrap();
    let mut checked = 0;
    let mut missing = Vec::new();
    for span in text.split('`').skip(1).step_by(2) {
        let looks_like_path = (span.ends_with(".rs") || span.ends_with('/'))
            && !span.contains(' ')
            && span.contains('/');
        if !looks_like_path {
            continue;
        }
        checked += 1;
        if !root.join(span).exists() {
            missing.push(span.to_owned());
        }
    }
    assert!(
        checked > 20,
        "expected ARCHITECTURE.md to name many paths, found {checked}"
    );
    assert!(
        missing.is_empty(),
        "ARCHITECTURE.md names missing paths: {missing:?}"
    );
}
