//! The layering of the crate: no two top-level modules import each other, directly or through
//! others. Edges are read from `crate::…` paths in src/, outside comments and test modules,
//! by the same rules as `scripts/module-graph`, which prints the whole graph.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Edges still to go, each with the reason it is tolerated; nothing else may close a cycle.
/// Edges left out of the check, each with its reason (none today).
const TOLERATED: &[(&str, &str)] = &[];

#[test]
fn top_level_modules_import_each_other_in_no_circle() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut edges = module_edges(&src);
    assert!(
        edges.get("store").is_some_and(|to| to.contains("model")),
        "the graph reader lost its way: {edges:?}"
    );
    for (from, to) in TOLERATED {
        if let Some(targets) = edges.get_mut(*from) {
            targets.remove(*to);
        }
    }
    let circles = cycles(&edges);
    assert!(
        circles.is_empty(),
        "modules that import each other (run scripts/module-graph for the edges): {circles:?}"
    );
}

#[test]
fn a_circle_is_found_however_it_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path();
    std::fs::create_dir(src.join("feed")).unwrap();
    std::fs::write(
        src.join("lib.rs"),
        "pub mod a; pub mod b; pub mod c; pub mod feed;",
    )
    .unwrap();
    std::fs::write(
        src.join("a.rs"),
        "//! [`crate::c`] in a comment is no import.\nuse crate::{b::{self, X}, USER_AGENT};\n\
         const S: &str = \"crate::c::Y\";\nconst R: &str = r#\"\"crate::c\"#;",
    )
    .unwrap();
    std::fs::write(src.join("b.rs"), "fn f() { crate::feed::fetch::go() }").unwrap();
    std::fs::write(
        src.join("c.rs"),
        "use crate::a;\n#[cfg(test)]\nmod tests { use crate::b; }",
    )
    .unwrap();
    std::fs::write(src.join("feed/mod.rs"), "pub mod fetch;").unwrap();
    std::fs::write(
        src.join("feed/fetch.rs"),
        "const Q: char = '\"';\nfn f<'a>(_: &'a str) {}\nuse crate::a::Z;",
    )
    .unwrap();
    let edges = module_edges(src);
    assert_eq!(edges["a"], BTreeSet::from(["b".to_owned()]));
    assert_eq!(edges["c"], BTreeSet::from(["a".to_owned()]));
    assert_eq!(cycles(&edges), [vec!["a", "b", "feed"]]);
}

/// Top-level module → the top-level modules it names.
fn module_edges(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let modules: BTreeSet<String> = std::fs::read_dir(src)
        .unwrap()
        .filter_map(|entry| {
            let name = entry.unwrap().file_name().into_string().unwrap();
            let name = name.strip_suffix(".rs").map(str::to_owned).unwrap_or(name);
            (name != "lib" && name != "main").then_some(name)
        })
        .collect();
    let mut edges = BTreeMap::new();
    for file in rust_files(src) {
        let relative = file.strip_prefix(src).unwrap();
        let first = relative.components().next().unwrap();
        let here = first.as_os_str().to_str().unwrap().trim_end_matches(".rs");
        if !modules.contains(here) {
            continue;
        }
        let code = without_tests(&code_only(&std::fs::read_to_string(&file).unwrap()));
        let targets: &mut BTreeSet<String> = edges.entry(here.to_owned()).or_default();
        for named in crate_paths(&code) {
            if named != here && modules.contains(&named) {
                targets.insert(named);
            }
        }
    }
    edges
}

fn rust_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            files.push(path);
        }
    }
    files
}

/// The code with comments dropped and string and character literals emptied.
fn code_only(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let at = |index: usize| chars.get(index).copied().unwrap_or(' ');
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let previous_is_ident = i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '_');
        if c == '/' && at(i + 1) == '/' {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && at(i + 1) == '*' {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && at(i + 1) == '*' {
                    depth += 1;
                    i += 2;
                } else if chars[i] == '*' && at(i + 1) == '/' {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
        } else if c == 'r' && (at(i + 1) == '"' || at(i + 1) == '#') && !previous_is_ident
            || c == 'r' && i > 0 && chars[i - 1] == 'b' && (at(i + 1) == '"' || at(i + 1) == '#')
        {
            let hashes = chars[i + 1..].iter().take_while(|&&c| c == '#').count();
            if at(i + 1 + hashes) != '"' {
                out.push(c);
                i += 1;
                continue;
            }
            i += 2 + hashes;
            while i < chars.len()
                && !(chars[i] == '"' && chars[i + 1..].iter().take(hashes).all(|&c| c == '#'))
            {
                i += 1;
            }
            i += 1 + hashes;
            out.push_str("\"\"");
        } else if c == '"' {
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                i += if chars[i] == '\\' { 2 } else { 1 };
            }
            i += 1;
            out.push_str("\"\"");
        } else if c == '\'' && at(i + 1) == '\\' {
            i += 2;
            while i < chars.len() && chars[i] != '\'' {
                i += 1;
            }
            i += 1;
        } else if c == '\'' && at(i + 2) == '\'' {
            i += 3;
        } else {
            // Everything else, lifetimes included.
            out.push(c);
            i += 1;
        }
    }
    out
}

/// The code without `#[cfg(test)]` items: a test may reach anywhere.
fn without_tests(code: &str) -> String {
    const MARK: &str = "#[cfg(test)]";
    let mut out = String::new();
    let mut rest = code;
    while let Some(at) = rest.find(MARK) {
        out.push_str(&rest[..at]);
        let after = &rest[at + MARK.len()..];
        let brace = after.find('{');
        let semicolon = after.find(';');
        let end = match (brace, semicolon) {
            (_, Some(semi)) if brace.is_none_or(|brace| semi < brace) => semi + 1,
            (Some(brace), _) => {
                let mut depth = 0;
                let mut end = after.len();
                for (index, c) in after[brace..].char_indices() {
                    match c {
                        '{' => depth += 1,
                        '}' => {
                            depth -= 1;
                            if depth == 0 {
                                end = brace + index + 1;
                                break;
                            }
                        }
                        _ => {}
                    }
                }
                end
            }
            _ => after.len(),
        };
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

/// The first segment of every `crate::…` path, grouped `use crate::{a, b::c}` included.
fn crate_paths(code: &str) -> Vec<String> {
    let mut found = Vec::new();
    let is_ident = |c: char| c.is_alphanumeric() || c == '_';
    for (at, _) in code.match_indices("crate::") {
        if code[..at].ends_with(is_ident) {
            continue;
        }
        let rest = &code[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 0;
            let mut head = String::new();
            let mut at_head = true;
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        found.push(std::mem::take(&mut head));
                        at_head = true;
                    }
                    c if at_head && is_ident(c) => head.push(c),
                    c if !c.is_whitespace() => at_head = head.is_empty(),
                    _ => at_head = head.is_empty(),
                }
            }
            found.push(head);
        } else {
            found.push(rest.chars().take_while(|&c| is_ident(c)).collect());
        }
    }
    found.retain(|name| !name.is_empty());
    found
}

/// Every set of modules that reach one another (Tarjan's strongly connected components),
/// each sorted; singletons are no circle.
fn cycles(edges: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<&str>> {
    struct Walk<'a> {
        edges: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        found: Vec<Vec<&'a str>>,
    }
    impl<'a> Walk<'a> {
        fn visit(&mut self, node: &'a str) {
            let number = self.index.len();
            self.index.insert(node, number);
            self.low.insert(node, number);
            self.stack.push(node);
            for next in self.edges.get(node).into_iter().flatten() {
                let next = next.as_str();
                if !self.index.contains_key(next) {
                    self.visit(next);
                    let low = self.low[node].min(self.low[next]);
                    self.low.insert(node, low);
                } else if self.stack.contains(&next) {
                    let low = self.low[node].min(self.index[next]);
                    self.low.insert(node, low);
                }
            }
            if self.low[node] == self.index[node] {
                let at = self.stack.iter().rposition(|&n| n == node).unwrap();
                let mut component = self.stack.split_off(at);
                if component.len() > 1 {
                    component.sort_unstable();
                    self.found.push(component);
                }
            }
        }
    }
    let mut walk = Walk {
        edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        found: Vec::new(),
    };
    for node in edges.keys() {
        if !walk.index.contains_key(node.as_str()) {
            walk.visit(node);
        }
    }
    walk.found.sort();
    walk.found
}
