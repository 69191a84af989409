//! Every user-facing string of the pages lives in the Fluent catalogue of the
//! `advocase-i18n` crate, English first. Keys are looked up at render time; a missing key
//! shows the key itself, so tests check that every key the templates and the page code
//! use exists.

pub use advocase_i18n::{Catalogue, Message};

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::{Path, PathBuf};

    /// Every file under `dir` whose name ends with `extension`.
    fn files_under(dir: PathBuf, extension: &str) -> Vec<PathBuf> {
        let mut found = Vec::new();
        let mut stack = vec![dir];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.extension().is_some_and(|e| e == extension) {
                    found.push(path);
                }
            }
        }
        found
    }

    /// The keys written as the first argument after each of `markers` in `text`.
    fn keys_after<'a>(text: &'a str, markers: &[&str]) -> Vec<&'a str> {
        let mut keys = Vec::new();
        for marker in markers {
            for piece in text.split(marker).skip(1) {
                let piece = piece.trim_start();
                if let Some(quoted) = piece.strip_prefix('"') {
                    keys.push(quoted.split('"').next().unwrap());
                }
            }
        }
        keys
    }

    /// Every `t("…")` and `t_with("…"` key used in a template is in the catalogue.
    #[test]
    fn every_key_used_in_a_template_is_in_the_catalogue() {
        let catalogue = Catalogue::english();
        let templates = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
        let mut missing = Vec::new();
        for path in files_under(templates, "html") {
            let text = std::fs::read_to_string(&path).unwrap();
            for key in keys_after(&text, &[".t(\"", ".t_with(\""]) {
                if !catalogue.has(key) {
                    missing.push(format!("{}: {key}", path.display()));
                }
            }
        }
        assert!(
            missing.is_empty(),
            "keys missing from the catalogue: {missing:#?}"
        );
    }

    /// Every key the page code looks up by name (`t("…")`, `t(state, "…")`,
    /// `catalogue.text("…")` and the other lookups) is in the catalogue. Keys built at
    /// run time from a prefix are checked by the tests of the pages that build them.
    #[test]
    fn every_key_named_in_the_page_code_is_in_the_catalogue() {
        let catalogue = Catalogue::english();
        let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let markers = [
            " t(",
            "(t(",
            "[t(",
            " t(state,",
            "(t(state,",
            " t(&state,",
            "(t(&state,",
            ".t(",
            ".t_with(",
            ".text(",
            ".text_with(",
            ".text_with_count(",
            ".text_with_args(",
        ];
        let mut missing = Vec::new();
        let mut seen = 0;
        // This file names the lookups, not keys.
        let this_file = Path::new(file!()).file_name();
        for path in files_under(source, "rs") {
            if path.file_name() == this_file {
                continue;
            }
            // Comments show how keys are looked up without naming real ones.
            let code: String = std::fs::read_to_string(&path)
                .unwrap()
                .lines()
                .filter(|line| !line.trim_start().starts_with("//"))
                .collect::<Vec<_>>()
                .join("\n");
            for key in keys_after(&code, &markers) {
                seen += 1;
                if !catalogue.has(key) {
                    missing.push(format!("{}: {key}", path.display()));
                }
            }
        }
        assert!(
            seen > 500,
            "the scan found only {seen} keys: has the code changed shape?"
        );
        assert!(
            missing.is_empty(),
            "keys missing from the catalogue: {missing:#?}"
        );
    }
}
