use super::*;
use preventkit_domain::sealed::{FieldPlace, Sealed};
use preventkit_domain::PartnershipId;

const PLACE: FieldPlace<'static> = FieldPlace {
    table: "case_people",
    column: "name",
    row: "row-1",
};

fn key_for(ring: &KeyRing, owner: &str) -> (DataKey, WrappedKey) {
    new_data_key(ring, owner).unwrap()
}

#[test]
fn a_sealed_value_opens_again_at_its_place() {
    let ring = KeyRing::generate();
    let (dk, _) = key_for(&ring, "case-1");
    let s = seal(&dk, PLACE, "Jane Doe").unwrap();
    assert_eq!(s.key_id(), "case-1");
    assert!(!s.as_stored().contains("Jane"));
    assert_eq!(open(&dk, PLACE, &s).unwrap(), "Jane Doe");
    // A fresh nonce each time: the same value seals differently.
    assert_ne!(seal(&dk, PLACE, "Jane Doe").unwrap(), s);
    // The stored text reads back through the domain's format check.
    let again = Sealed::from_stored(s.as_stored().to_owned()).unwrap();
    assert_eq!(open(&dk, PLACE, &again).unwrap(), "Jane Doe");
}

#[test]
fn a_value_moved_to_another_place_does_not_open() {
    let ring = KeyRing::generate();
    let (dk, _) = key_for(&ring, "case-1");
    let s = seal(&dk, PLACE, "Jane Doe").unwrap();
    for other in [
        FieldPlace {
            row: "row-2",
            ..PLACE
        },
        FieldPlace {
            column: "alias",
            ..PLACE
        },
        FieldPlace {
            table: "case_notes",
            ..PLACE
        },
        // The parts are length-prefixed, so moving text between them is another place too.
        FieldPlace {
            table: "case_peoplen",
            column: "ame",
            ..PLACE
        },
    ] {
        assert!(
            matches!(open(&dk, other, &s), Err(KeyError::Tampered)),
            "{other:?}"
        );
    }
}

#[test]
fn a_value_of_one_case_does_not_open_with_another_cases_key() {
    let ring = KeyRing::generate();
    let (one, _) = key_for(&ring, "case-1");
    let (two, _) = key_for(&ring, "case-2");
    let s = seal(&one, PLACE, "Jane Doe").unwrap();
    assert!(matches!(open(&two, PLACE, &s), Err(KeyError::Tampered)));
    // Even relabelled with the other case's key id, the ciphertext does not open.
    let relabelled = Sealed::from_parts("case-2", s.body()).unwrap();
    assert!(matches!(
        open(&two, PLACE, &relabelled),
        Err(KeyError::Tampered)
    ));
}

#[test]
fn a_wrapped_key_moved_to_another_case_does_not_unwrap() {
    let ring = KeyRing::generate();
    let (dk, w) = key_for(&ring, "case-1");
    let s = seal(&dk, PLACE, "Jane Doe").unwrap();
    assert!(matches!(
        unwrap_key(&ring, "case-2", &w),
        Err(KeyError::Tampered)
    ));
    let back = unwrap_key(&ring, "case-1", &w).unwrap();
    assert_eq!(open(&back, PLACE, &s).unwrap(), "Jane Doe");
    // Claiming another key-encryption key id breaks the binding too.
    let mut rotated = ring.clone();
    let new_id = rotated.rotate().unwrap();
    let claimed = WrappedKey {
        kek_id: new_id,
        stored: w.stored.clone(),
    };
    assert!(matches!(
        unwrap_key(&rotated, "case-1", &claimed),
        Err(KeyError::Tampered)
    ));
}

#[test]
fn a_changed_ciphertext_or_wrapped_key_is_refused() {
    let ring = KeyRing::generate();
    let (dk, w) = key_for(&ring, "case-1");
    let s = seal(&dk, PLACE, "Jane Doe").unwrap();
    let flip = |text: &str| -> String {
        let mut chars: Vec<char> = text.chars().collect();
        let i = chars.len() / 2;
        chars[i] = if chars[i] == 'A' { 'B' } else { 'A' };
        chars.into_iter().collect()
    };
    let bad = Sealed::from_parts("case-1", &flip(s.body())).unwrap();
    assert!(matches!(open(&dk, PLACE, &bad), Err(KeyError::Tampered)));
    let short = Sealed::from_parts("case-1", "AAAA").unwrap();
    assert!(matches!(open(&dk, PLACE, &short), Err(KeyError::Tampered)));
    let bad_w = WrappedKey {
        kek_id: w.kek_id.clone(),
        stored: flip(&w.stored),
    };
    assert!(matches!(
        unwrap_key(&ring, "case-1", &bad_w),
        Err(KeyError::Tampered)
    ));
}

#[test]
fn a_revoked_or_unknown_key_unwraps_nothing() {
    let mut ring = KeyRing::generate();
    let (_, w) = key_for(&ring, "case-1");
    let old = ring.active_id().to_owned();
    assert!(matches!(
        ring.revoke(&old),
        Err(KeyError::ActiveCannotBeRevoked(_))
    ));
    ring.rotate().unwrap();
    assert!(
        unwrap_key(&ring, "case-1", &w).is_ok(),
        "a retired key still unwraps"
    );
    ring.revoke(&old).unwrap();
    assert!(matches!(unwrap_key(&ring, "case-1", &w), Err(KeyError::Revoked(id)) if id == old));
    assert!(matches!(
        rewrap(&ring, "case-1", &w),
        Err(KeyError::Revoked(_))
    ));
    let other = KeyRing::generate();
    assert!(matches!(unwrap_key(&other, "case-1", &w), Err(KeyError::UnknownKey(id)) if id == old));
    assert!(matches!(
        ring.revoke("k-none"),
        Err(KeyError::UnknownKey(_))
    ));
}

#[test]
fn rotate_then_rewrap_then_unwrap() {
    let mut ring = KeyRing::generate();
    let first = ring.active_id().to_owned();
    let (dk, w) = key_for(&ring, "case-1");
    let s = seal(&dk, PLACE, "Jane Doe").unwrap();
    assert!(
        rewrap(&ring, "case-1", &w).unwrap().is_none(),
        "already under the active key"
    );
    let second = ring.rotate().unwrap();
    assert_ne!(first, second);
    assert_eq!(ring.active_id(), second);
    let states: Vec<(String, KeyState)> =
        ring.keys().into_iter().map(|k| (k.id, k.state)).collect();
    assert_eq!(
        states,
        [
            (first.clone(), KeyState::Retired),
            (second.clone(), KeyState::Active)
        ]
    );
    let w2 = rewrap(&ring, "case-1", &w).unwrap().expect("re-wrapped");
    assert_eq!(w2.kek_id, second);
    ring.revoke(&first).unwrap();
    let dk2 = unwrap_key(&ring, "case-1", &w2).unwrap();
    assert_eq!(open(&dk2, PLACE, &s).unwrap(), "Jane Doe");
    // New data keys are wrapped under the new key.
    assert_eq!(key_for(&ring, "case-2").1.kek_id, second);
}

#[test]
fn the_blind_index_is_per_partnership_and_stable() {
    let ring = KeyRing::generate();
    let a = PartnershipId::new();
    let b = PartnershipId::new();
    let x = blind_index(&ring, a, "jane doe|2010-01-02");
    assert_eq!(x.len(), 64);
    assert_eq!(x, blind_index(&ring, a, "jane doe|2010-01-02"));
    assert_eq!(x, blind_index(&ring.clone(), a, "jane doe|2010-01-02"));
    assert_ne!(x, blind_index(&ring, b, "jane doe|2010-01-02"));
    assert_ne!(x, blind_index(&ring, a, "jane doe|2010-01-03"));
    assert_ne!(
        x,
        blind_index(&KeyRing::generate(), a, "jane doe|2010-01-02")
    );
    // Rotation keeps the index key, so indexes stay comparable.
    let mut rotated = ring.clone();
    rotated.rotate().unwrap();
    assert_eq!(x, blind_index(&rotated, a, "jane doe|2010-01-02"));
}

const SECRET_A: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
const SECRET_B: &str = "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=";

fn file(keys: &str) -> String {
    format!("index_key = \"{SECRET_B}\"\n{keys}")
}

fn entry(id: &str, state: &str, secret: Option<&str>) -> String {
    let secret = secret
        .map(|s| format!("secret = \"{s}\"\n"))
        .unwrap_or_default();
    format!("[[keys]]\nid = \"{id}\"\ncreated = \"2026-12-07\"\nstate = \"{state}\"\n{secret}")
}

fn format_message(text: &str) -> String {
    match KeyRing::parse(text) {
        Err(e @ KeyError::Format { .. }) => e.to_string(),
        other => panic!("expected a format error, got {other:?}"),
    }
}

#[test]
fn a_good_key_file_parses() {
    let text = file(&format!(
        "{}{}{}",
        entry("k1", "retired", Some(SECRET_A)),
        entry("k2", "active", Some(SECRET_B)),
        entry("k0", "revoked", None)
    ));
    let ring = KeyRing::parse(&text).unwrap();
    assert_eq!(ring.active_id(), "k2");
    assert_eq!(ring.keys().len(), 3);
    assert_eq!(ring.keys()[0].created.to_string(), "2026-12-07");
}

#[test]
fn key_file_errors_name_the_key_and_field() {
    let two_active = file(&format!(
        "{}{}",
        entry("k1", "active", Some(SECRET_A)),
        entry("k2", "active", Some(SECRET_B))
    ));
    assert!(format_message(&two_active).contains("2 keys are active"));
    let none_active = file(&entry("k1", "retired", Some(SECRET_A)));
    assert!(format_message(&none_active).contains("no key is active"));
    let short = file(&entry("k1", "active", Some("AAECAwQFBgcICQoLDA0ODw==")));
    let m = format_message(&short);
    assert!(m.contains("key k1: secret must be 32 bytes, not 16"), "{m}");
    let unknown = file(&format!(
        "{}colour = \"blue\"\n",
        entry("k1", "active", Some(SECRET_A))
    ));
    let m = format_message(&unknown);
    assert!(m.contains("colour") && m.contains("line 7"), "{m}");
    let twice = file(&format!(
        "{}{}",
        entry("k1", "active", Some(SECRET_A)),
        entry("k1", "retired", Some(SECRET_B))
    ));
    assert!(format_message(&twice).contains("key id k1 appears twice"));
    let missing = file(&entry("k1", "active", None));
    assert!(format_message(&missing).contains("key k1: secret is missing"));
    let state = file(&entry("k1", "asleep", Some(SECRET_A)));
    assert!(format_message(&state).contains("key k1: state"));
    let index = format!(
        "index_key = \"short\"\n{}",
        entry("k1", "active", Some(SECRET_A))
    );
    assert!(format_message(&index).contains("index_key"));
    // No message repeats a secret.
    for text in [short, twice, unknown] {
        let m = format_message(&text);
        assert!(!m.contains(SECRET_A) && !m.contains(SECRET_B), "{m}");
    }
}

#[test]
fn nothing_prints_secret_material() {
    let ring = KeyRing::generate();
    let (dk, w) = key_for(&ring, "case-1");
    let s = seal(&dk, PLACE, "Jane Doe").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keys.toml");
    ring.save(&path).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    let secrets: Vec<String> = text
        .lines()
        .filter_map(|l| l.split('"').nth(1))
        .filter(|v| v.len() == 44)
        .map(str::to_owned)
        .collect();
    assert_eq!(secrets.len(), 2, "{text}");
    let key_hex = hex::encode(dk.key);
    let printed = [
        format!("{ring:?}"),
        format!("{dk:?}"),
        format!("{s:?}"),
        format!("{w:?}"),
    ];
    for p in &printed {
        for secret in &secrets {
            assert!(!p.contains(secret.as_str()), "{p}");
        }
        assert!(!p.contains(&key_hex) && !p.contains(s.body()) && !p.contains(&w.stored));
        assert!(!p.contains(&format!("{:?}", dk.key)), "{p}");
    }
    assert!(printed[0].contains(ring.active_id()));
}

#[test]
fn key_files_are_private_never_overwritten_and_saved_whole() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keys.toml");
    let ring = KeyRing::create_file(&path).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    assert!(matches!(
        KeyRing::create_file(&path),
        Err(KeyError::Exists { .. })
    ));
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.starts_with("# Prevent Toolkit encryption keys."));
    let mut loaded = KeyRing::load(&path).unwrap();
    assert_eq!(loaded.keys(), ring.keys());
    let a = PartnershipId::new();
    assert_eq!(blind_index(&loaded, a, "x"), blind_index(&ring, a, "x"));
    let (_, w) = key_for(&ring, "case-1");
    assert!(unwrap_key(&loaded, "case-1", &w).is_ok());
    let old = loaded.active_id().to_owned();
    loaded.rotate().unwrap();
    loaded.revoke(&old).unwrap();
    loaded.save(&path).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let again = KeyRing::load(&path).unwrap();
    assert_eq!(again.keys(), loaded.keys());
    assert!(matches!(
        unwrap_key(&again, "case-1", &w),
        Err(KeyError::Revoked(_))
    ));
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "no temporary file is left"
    );
    // A file too large is refused before it is read.
    let big = dir.path().join("big.toml");
    std::fs::write(&big, vec![b'#'; (MAX_KEY_FILE_BYTES + 1) as usize]).unwrap();
    assert!(matches!(
        KeyRing::load(&big),
        Err(KeyError::TooLarge { .. })
    ));
}
