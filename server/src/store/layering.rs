//! The store's files form no import cycle: an area module may lean on another (devices on
//! records for the server's chain, registry and checklists on inspections for the change feed),
//! never both ways, so each can be read and changed from the bottom up.

use std::collections::BTreeMap;
use std::path::Path;

/// Each backend module of `dir` and the sibling modules it names as `super::<module>`.
fn edges(dir: &Path) -> BTreeMap<String, Vec<String>> {
    let files: Vec<(String, String)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "rs"))
        .map(|p| {
            let name = p.file_stem().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read_to_string(&p).unwrap())
        })
        .collect();
    let names: Vec<&String> = files.iter().map(|(n, _)| n).collect();
    files
        .iter()
        .map(|(name, src)| {
            let deps = names
                .iter()
                .filter(|other| **other != name && other.as_str() != "mod")
                .filter(|other| src.contains(&format!("super::{other}::")))
                .map(|o| (*o).clone())
                .collect();
            (name.clone(), deps)
        })
        .collect()
}

/// A cycle through `node`, if there is one, as the path that closes it.
fn cycle_from(
    graph: &BTreeMap<String, Vec<String>>,
    node: &str,
    path: &mut Vec<String>,
) -> Option<Vec<String>> {
    if let Some(i) = path.iter().position(|p| p == node) {
        let mut c = path[i..].to_vec();
        c.push(node.to_owned());
        return Some(c);
    }
    path.push(node.to_owned());
    for next in graph.get(node).into_iter().flatten() {
        if let Some(c) = cycle_from(graph, next, path) {
            return Some(c);
        }
    }
    path.pop();
    None
}

#[test]
fn no_import_cycles_between_store_files() {
    let store = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/store");
    for backend in ["sqlite", "postgres"] {
        let graph = edges(&store.join(backend));
        assert!(graph.len() > 5, "{backend}: {graph:?}");
        for node in graph.keys() {
            if let Some(c) = cycle_from(&graph, node, &mut Vec::new()) {
                panic!("{backend}: import cycle {}", c.join(" -> "));
            }
        }
    }
}
