//! Typed answers: read a platform's JSON straight into the fields a plugin
//! uses, with `#[derive(Deserialize)]`, instead of building a whole
//! `Value` tree and indexing it. Fields the struct does not name are
//! skipped without being stored, so a large answer costs little.
//!
//! Platforms send `null` where an empty list or object is meant; a field
//! marked `#[serde(default, deserialize_with = "grabkit_sdk::typed::nullable")]`
//! takes its default for both a missing field and a `null`. A field the
//! parse can do without, whose type a platform has been seen to change
//! (a count sent as a display string), is `Option<T>` with
//! `deserialize_with = "grabkit_sdk::typed::loose"`: `None` for a value
//! of another type, rather than failing the whole answer.
//!
//! A plugin needs no `serde` dependency of its own: put
//! `#[serde(crate = "grabkit_sdk::serde")]` on each derived type.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};

/// `null` (or a missing field, with `#[serde(default)]`) as `T::default()`.
pub fn nullable<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// The value as `T` if it is one, else `None` (never an error).
pub fn loose<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    let value = serde_json::Value::deserialize(d)?;
    Ok(T::deserialize(value).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize, Default, Debug, PartialEq)]
    #[serde(default)]
    struct Answer {
        #[serde(deserialize_with = "nullable")]
        items: Vec<u32>,
        name: Option<String>,
        #[serde(deserialize_with = "loose")]
        count: Option<u64>,
    }

    #[test]
    fn null_missing_and_present_lists() {
        let read = |s: &str| serde_json::from_str::<Answer>(s).unwrap();
        assert_eq!(read(r#"{"items": null}"#).items, Vec::<u32>::new());
        assert_eq!(read(r#"{}"#).items, Vec::<u32>::new());
        assert_eq!(
            read(r#"{"items": [1, 2], "extra": {"a": 1}}"#).items,
            [1, 2]
        );
        assert!(serde_json::from_str::<Answer>(r#"{"items": "x"}"#).is_err());
    }

    #[test]
    fn a_loose_field_of_another_type_is_none() {
        let read = |s: &str| serde_json::from_str::<Answer>(s).unwrap().count;
        assert_eq!(read(r#"{"count": 12}"#), Some(12));
        assert_eq!(read(r#"{"count": "1.2万"}"#), None);
        assert_eq!(read(r#"{"count": -1}"#), None);
        assert_eq!(read(r#"{"count": null}"#), None);
        assert_eq!(read(r#"{}"#), None);
    }
}
