use knd_shared::log::{self, MemoryLog};
use serde::Deserialize;

use crate::{hex32, testdata};

#[derive(Deserialize)]
struct File {
    leaf_inputs_hex: Vec<String>,
    root_by_size_hex: Vec<String>,
    inclusion_proofs: Vec<Inclusion>,
    consistency_proofs: Vec<Consistency>,
}

#[derive(Deserialize)]
struct Inclusion {
    leaf_index: u64,
    tree_size: u64,
    proof: Vec<String>,
}

#[derive(Deserialize)]
struct Consistency {
    size1: u64,
    size2: u64,
    proof: Vec<String>,
}

fn load() -> (File, MemoryLog) {
    let file: File = serde_json::from_str(&testdata("merkle-rfc6962.json")).unwrap();
    let mut tree = MemoryLog::new();
    for leaf in &file.leaf_inputs_hex {
        tree.append(&hex::decode(leaf).unwrap());
    }
    (file, tree)
}

#[test]
fn roots_are_reproduced() {
    let (file, tree) = load();
    assert_eq!(file.root_by_size_hex.len(), file.leaf_inputs_hex.len() + 1);
    for (size, root) in file.root_by_size_hex.iter().enumerate() {
        assert_eq!(
            tree.root_at(size as u64).unwrap(),
            hex32(root),
            "size {size}"
        );
    }
    assert_eq!(log::empty_root(), hex32(&file.root_by_size_hex[0]));
}

#[test]
fn inclusion_proofs_are_reproduced_and_verify() {
    let (file, tree) = load();
    assert!(!file.inclusion_proofs.is_empty());
    for p in &file.inclusion_proofs {
        let want: Vec<_> = p.proof.iter().map(|h| hex32(h)).collect();
        let got = log::inclusion_proof(p.leaf_index, p.tree_size, &tree).unwrap();
        assert_eq!(got, want, "leaf {} of {}", p.leaf_index, p.tree_size);
        let leaf =
            log::leaf_hash(&hex::decode(&file.leaf_inputs_hex[p.leaf_index as usize]).unwrap());
        let root = hex32(&file.root_by_size_hex[p.tree_size as usize]);
        log::verify_inclusion(&leaf, p.leaf_index, p.tree_size, &want, &root).unwrap();
        // The same proof for the wrong leaf, index or root fails.
        let other = log::leaf_hash(b"not a leaf");
        assert!(log::verify_inclusion(&other, p.leaf_index, p.tree_size, &want, &root).is_err());
        let wrong_root = log::leaf_hash(b"not a root");
        assert!(
            log::verify_inclusion(&leaf, p.leaf_index, p.tree_size, &want, &wrong_root).is_err()
        );
    }
}

#[test]
fn consistency_proofs_are_reproduced_and_verify() {
    let (file, tree) = load();
    assert!(!file.consistency_proofs.is_empty());
    for p in &file.consistency_proofs {
        let want: Vec<_> = p.proof.iter().map(|h| hex32(h)).collect();
        let got = log::consistency_proof(p.size1, p.size2, &tree).unwrap();
        assert_eq!(got, want, "{} -> {}", p.size1, p.size2);
        let old = hex32(&file.root_by_size_hex[p.size1 as usize]);
        let new = hex32(&file.root_by_size_hex[p.size2 as usize]);
        log::verify_consistency(p.size1, p.size2, &old, &new, &want).unwrap();
        if p.size1 != p.size2 {
            assert!(log::verify_consistency(p.size1, p.size2, &new, &old, &want).is_err());
        }
    }
}

#[test]
fn bad_requests_are_errors_not_panics() {
    let (_, tree) = load();
    assert!(log::inclusion_proof(8, 8, &tree).is_err());
    assert!(
        log::inclusion_proof(0, 9, &tree).is_err(),
        "beyond the stored tree"
    );
    assert!(log::consistency_proof(5, 4, &tree).is_err());
    assert!(tree.root_at(9).is_err());
    let root = tree.root();
    let leaf = log::leaf_hash(b"");
    assert!(log::verify_inclusion(&leaf, 0, 0, &[], &root).is_err());
    assert!(log::verify_inclusion(&leaf, u64::MAX, u64::MAX, &[root; 70], &root).is_err());
    assert!(log::verify_consistency(3, 2, &root, &root, &[]).is_err());
    assert!(log::verify_consistency(0, 8, &log::empty_root(), &root, &[]).is_ok());
    assert!(log::verify_consistency(0, 8, &root, &root, &[]).is_err());
    // Sizes from a request are not trusted: huge ones are errors, not overflows.
    for size in [u64::MAX, u64::MAX - 1, log::MAX_TREE_SIZE + 1, 1 << 63] {
        assert!(tree.root_at(size).is_err());
        assert!(log::tree_root(size, &tree).is_err());
        assert!(log::inclusion_proof(0, size, &tree).is_err());
        assert!(log::inclusion_proof(size - 1, size, &tree).is_err());
        assert!(log::consistency_proof(1, size, &tree).is_err());
        assert!(log::consistency_proof(size - 1, size, &tree).is_err());
        assert!(log::stored_hashes_for_leaf(size, &leaf, &tree).is_err());
        assert!(log::verify_inclusion(&leaf, size - 1, size, &[root; 60], &root).is_err());
        assert!(log::verify_consistency(size - 1, size, &root, &root, &[root; 60]).is_err());
    }
    // Sizes the store does not hold yet are store errors.
    assert!(log::tree_root(1 << 40, &tree).is_err());
    assert!(log::inclusion_proof(3, 1 << 40, &tree).is_err());
    assert!(log::consistency_proof(8, 1 << 40, &tree).is_err());
}
