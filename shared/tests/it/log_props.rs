use knd_shared::Sha256;
use knd_shared::log::{self, MemoryLog};
use proptest::prelude::*;

fn tree(size: u64) -> MemoryLog {
    let mut t = MemoryLog::new();
    for i in 0..size {
        t.append(&i.to_be_bytes());
    }
    t
}

fn altered(proof: &[Sha256], which: usize, byte: usize, bit: u8) -> Vec<Sha256> {
    let mut p = proof.to_vec();
    let i = which % p.len();
    let mut bytes = *p[i].as_bytes();
    bytes[byte % 32] ^= 1 << (bit % 8);
    p[i] = Sha256::from_bytes(bytes);
    p
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn inclusion_proofs_verify_and_altered_ones_fail(
        size in 1u64..3000, index_seed in any::<u64>(), which in any::<usize>(),
        byte in any::<usize>(), bit in any::<u8>(),
    ) {
        let t = tree(size);
        let index = index_seed % size;
        let root = t.root();
        let leaf = log::leaf_hash(&index.to_be_bytes());
        let proof = log::inclusion_proof(index, size, &t).unwrap();
        prop_assert!(log::verify_inclusion(&leaf, index, size, &proof, &root).is_ok());
        if !proof.is_empty() {
            let bad = altered(&proof, which, byte, bit);
            prop_assert!(log::verify_inclusion(&leaf, index, size, &bad, &root).is_err());
            // A proof with a hash missing or added fails too.
            prop_assert!(log::verify_inclusion(&leaf, index, size, &proof[1..], &root).is_err());
        }
        let mut longer = proof.clone();
        longer.push(root);
        prop_assert!(log::verify_inclusion(&leaf, index, size, &longer, &root).is_err());
        if size > 1 {
            let other = (index + 1) % size;
            prop_assert!(log::verify_inclusion(&leaf, other, size, &proof, &root).is_err());
        }
    }

    #[test]
    fn consistency_proofs_verify_and_altered_ones_fail(
        new_size in 1u64..3000, old_seed in any::<u64>(), which in any::<usize>(),
        byte in any::<usize>(), bit in any::<u8>(),
    ) {
        let t = tree(new_size);
        let old_size = 1 + old_seed % new_size;
        let old_root = t.root_at(old_size).unwrap();
        let new_root = t.root();
        let proof = log::consistency_proof(old_size, new_size, &t).unwrap();
        prop_assert!(log::verify_consistency(old_size, new_size, &old_root, &new_root, &proof).is_ok());
        if !proof.is_empty() {
            let bad = altered(&proof, which, byte, bit);
            prop_assert!(log::verify_consistency(old_size, new_size, &old_root, &new_root, &bad).is_err());
            prop_assert!(log::verify_consistency(old_size, new_size, &old_root, &new_root, &proof[1..]).is_err());
        }
        let wrong_old = log::leaf_hash(b"forged history");
        prop_assert!(log::verify_consistency(old_size, new_size, &wrong_old, &new_root, &proof).is_err());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    /// Prefetching the indexes an operation reads (for async stores) gives the same answers.
    #[test]
    fn prefetched_hashes_give_the_same_results(size in 1u64..2000, a in any::<u64>(), b in any::<u64>()) {
        use std::collections::BTreeMap;
        use knd_shared::log::HashStore as _;
        let t = tree(size);
        let index = a % size;
        let old = 1 + b % size;
        let fetch = |needed: Vec<u64>| -> BTreeMap<u64, Sha256> {
            needed.iter().copied().zip(t.read_hashes(&needed).unwrap()).collect()
        };
        let m = fetch(log::indexes_read_by(|s| log::inclusion_proof(index, size, s)));
        prop_assert_eq!(log::inclusion_proof(index, size, &m), log::inclusion_proof(index, size, &t));
        let m = fetch(log::indexes_read_by(|s| log::consistency_proof(old, size, s)));
        prop_assert_eq!(log::consistency_proof(old, size, &m), log::consistency_proof(old, size, &t));
        let m = fetch(log::indexes_read_by(|s| log::tree_root(size, s)));
        prop_assert_eq!(log::tree_root(size, &m), log::tree_root(size, &t));
        let leaf = log::leaf_hash(b"next");
        let m = fetch(log::indexes_read_by(|s| log::stored_hashes_for_leaf(size, &leaf, s)));
        prop_assert_eq!(
            log::stored_hashes_for_leaf(size, &leaf, &m),
            log::stored_hashes_for_leaf(size, &leaf, &t)
        );
    }
}
