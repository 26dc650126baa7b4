//! A strict JSON reader for records. serde_json alone would keep the last of two members with the
//! same name, accept floats and any nesting up to 128; a signature over such input could mean one
//! thing to us and another to a different parser. This reader builds the same `serde_json::Value`
//! but refuses those cases, so what we canonicalise is exactly what the bytes say.

use std::cell::Cell;
use std::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use super::{MAX_DEPTH, MAX_SAFE_INTEGER, RecordError};

/// What went wrong inside the visitor, kept aside because serde errors are strings.
#[derive(Clone, Copy)]
enum Fault {
    NonInteger,
    OutOfRange,
    Other,
}

/// Parses `text` into a `Value` under the record rules (duplicates, depth, integers).
pub(super) fn parse_strict(text: &str) -> Result<Value, RecordError> {
    let fault = Cell::new(None);
    let mut de = serde_json::Deserializer::from_str(text);
    let parsed = StrictValue {
        depth: 1,
        fault: &fault,
    }
    .deserialize(&mut de)
    .and_then(|v| de.end().map(|()| v));
    parsed.map_err(|e| {
        let msg = e.to_string();
        match fault.get() {
            Some(Fault::NonInteger) => RecordError::NonIntegerNumber(msg),
            Some(Fault::OutOfRange) => RecordError::NumberOutOfRange(msg),
            Some(Fault::Other) | None => RecordError::Malformed(msg),
        }
    })
}

#[derive(Clone, Copy)]
struct StrictValue<'a> {
    depth: usize,
    fault: &'a Cell<Option<Fault>>,
}

impl StrictValue<'_> {
    fn fail<E: de::Error>(&self, fault: Fault, msg: fmt::Arguments<'_>) -> E {
        self.fault.set(Some(fault));
        E::custom(msg)
    }

    fn nested(&self) -> Self {
        Self {
            depth: self.depth + 1,
            fault: self.fault,
        }
    }

    fn check_depth<E: de::Error>(&self) -> Result<(), E> {
        if self.depth > MAX_DEPTH {
            Err(self.fail(
                Fault::Other,
                format_args!("nesting deeper than {MAX_DEPTH} levels"),
            ))
        } else {
            Ok(())
        }
    }
}

impl<'de> DeserializeSeed<'de> for StrictValue<'_> {
    type Value = Value;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for StrictValue<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        if v.unsigned_abs() > MAX_SAFE_INTEGER {
            return Err(self.fail(Fault::OutOfRange, format_args!("{v}")));
        }
        Ok(Value::from(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        if v > MAX_SAFE_INTEGER {
            return Err(self.fail(Fault::OutOfRange, format_args!("{v}")));
        }
        Ok(Value::from(v))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        // serde_json hands us an f64 for anything with a fraction or an exponent, and for integers
        // too large for 64 bits. The latter are integers, just out of range.
        #[allow(clippy::cast_precision_loss)]
        let out_of_range = v.fract() == 0.0 && v.abs() > MAX_SAFE_INTEGER as f64;
        if out_of_range {
            Err(self.fail(Fault::OutOfRange, format_args!("{v:e}")))
        } else {
            Err(self.fail(
                Fault::NonInteger,
                format_args!("{v} (numbers in a record are integers)"),
            ))
        }
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        self.check_depth()?;
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(self.nested())? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        self.check_depth()?;
        let mut members = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if members.contains_key(&key) {
                return Err(self.fail(Fault::Other, format_args!("duplicate member name {key:?}")));
            }
            let value = map.next_value_seed(self.nested())?;
            members.insert(key, value);
        }
        Ok(Value::Object(members))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(text: &str, reason: Option<&str>) {
        let got = parse_strict(text);
        assert_eq!(
            got.as_ref().err().map(|e| e.reason()),
            reason,
            "{text}: {got:?}"
        );
    }

    #[test]
    fn strict_rules() {
        check(r#"{"a":1,"b":[true,null,"x",-9007199254740991]}"#, None);
        check(r#"{"a":1,"a":2}"#, Some("malformed"));
        check(r#"{"a":{"b":1,"b":1}}"#, Some("malformed"));
        // Escapes are decoded before the duplicate check: "\u0061" is "a".
        check(r#"{"a":1,"\u0061":2}"#, Some("malformed"));
        check(r#"{"a":1.5}"#, Some("non_integer_number"));
        check(r#"{"a":1.0}"#, Some("non_integer_number"));
        check(r#"{"a":1e3}"#, Some("non_integer_number"));
        check(r#"{"a":9007199254740992}"#, Some("number_out_of_range"));
        check(r#"{"a":-9007199254740992}"#, Some("number_out_of_range"));
        check(
            r#"{"a":123456789012345678901234567890}"#,
            Some("number_out_of_range"),
        );
        check(r#"{"a":"\ud800"}"#, Some("malformed"));
        check(r#"{"a":1} x"#, Some("malformed"));
        check(r#"{"a":1,}"#, Some("malformed"));
        check("", Some("malformed"));
    }

    #[test]
    fn depth_limit_is_sixteen() {
        let nest = |n: usize| format!("{}1{}", "[".repeat(n), "]".repeat(n));
        check(&nest(16), None);
        check(&nest(17), Some("malformed"));
        check(&nest(100_000), Some("malformed"));
    }
}
