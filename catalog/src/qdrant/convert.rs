//! Entries, vectors and filters in Qdrant's terms, with no server involved.
//!
//! A point's payload holds the entry whole: `id`, `kind`, `text`, the entry's
//! payload as JSON text in `payload` (so it comes back exactly as stored),
//! and its top-level strings, integers and booleans again under `fields`,
//! where [`Filter`] matches them.

use std::collections::HashMap;

use qdrant_client::qdrant::r#match::MatchValue;
use qdrant_client::qdrant::value::Kind;
use qdrant_client::qdrant::vector_output::Vector as VectorOut;
use qdrant_client::qdrant::{
    self, Condition, PointId, PointStruct, Struct, Value as QValue, VectorsOutput,
};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::CatalogError;
use crate::embed::SparseVector;
use crate::index::{Entry, Filter, plain_name};

/// The name of the sparse vector in every Maestro collection.
pub(super) const VECTOR: &str = "text";

/// The payload key holding the filterable fields.
const FIELDS: &str = "fields";

/// A point id for an entry id: Qdrant takes integers or UUIDs only, so the
/// first 16 bytes of the id's SHA-256, shaped as a version 8 UUID.
pub(super) fn point_id(id: &str) -> PointId {
    let digest = Sha256::digest(id.as_bytes());
    let mut b = [0u8; 16];
    b.copy_from_slice(&digest[..16]);
    b[6] = (b[6] & 0x0f) | 0x80;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    let uuid = format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    );
    PointId::from(uuid)
}

/// The point that stores `entry` with `vector`.
pub(super) fn to_point(entry: Entry, vector: SparseVector) -> PointStruct {
    let fields: HashMap<String, QValue> = entry
        .payload
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(name, _)| plain_name(name))
        .filter_map(|(name, value)| Some((name.clone(), scalar(value)?)))
        .collect();
    let mut payload: HashMap<String, QValue> = HashMap::from([
        (
            "payload".to_string(),
            QValue::from(entry.payload.to_string()),
        ),
        (
            FIELDS.to_string(),
            QValue {
                kind: Some(Kind::StructValue(Struct { fields })),
            },
        ),
    ]);
    let id = point_id(&entry.id);
    payload.insert("id".to_string(), QValue::from(entry.id));
    payload.insert("kind".to_string(), QValue::from(entry.kind));
    payload.insert("text".to_string(), QValue::from(entry.text));
    // Text without words has no vector: the point is stored without one
    // (named vectors are optional per point) and reads back as empty.
    let vectors: HashMap<String, SparseVector> = (!vector.is_empty())
        .then(|| (VECTOR.to_string(), vector))
        .into_iter()
        .collect();
    PointStruct::new(id, vectors, payload)
}

/// A JSON string, integer or boolean as a Qdrant value (what filters match).
fn scalar(value: &Value) -> Option<QValue> {
    match value {
        Value::String(s) => Some(QValue::from(s.clone())),
        Value::Bool(b) => Some(QValue::from(*b)),
        Value::Number(n) => n.as_i64().map(QValue::from),
        _ => None,
    }
}

/// The entry and vector a point stores; an error names what is missing.
pub(super) fn from_point(
    mut payload: HashMap<String, QValue>,
    vectors: Option<VectorsOutput>,
) -> Result<(Entry, SparseVector), String> {
    let mut text = |key: &str| match payload.remove(key).and_then(|v| v.kind) {
        Some(Kind::StringValue(s)) => Ok(s),
        _ => Err(format!("a point has no text field {key:?}")),
    };
    let id = text("id")?;
    let kind = text("kind")?;
    let body = text("text")?;
    let json = text("payload")?;
    let payload = serde_json::from_str(&json)
        .map_err(|e| format!("the payload of {id} is not JSON ({e})"))?;
    let mut vector: SparseVector = match vectors.and_then(|v| v.get_vector_by_name(VECTOR)) {
        None => Vec::new(),
        Some(VectorOut::Sparse(s)) if s.indices.len() == s.values.len() => {
            s.indices.into_iter().zip(s.values).collect()
        }
        Some(_) => return Err(format!("the vector {VECTOR:?} of {id} is not sparse")),
    };
    vector.sort_unstable_by_key(|(i, _)| *i);
    let entry = Entry {
        id,
        kind,
        text: body,
        payload,
    };
    Ok((entry, vector))
}

/// `filter` as Qdrant conditions (`None` when it lets everything through).
pub(super) fn to_filter(filter: &Filter) -> Result<Option<qdrant::Filter>, CatalogError> {
    filter.check()?;
    let kind = filter
        .kind
        .iter()
        .map(|k| Condition::matches("kind", MatchValue::Keyword(k.clone())));
    let fields = filter.payload.iter().map(|(field, value)| {
        let value = match value {
            Value::String(s) => MatchValue::Keyword(s.clone()),
            Value::Bool(b) => MatchValue::Boolean(*b),
            other => MatchValue::Integer(other.as_i64().ok_or_else(|| {
                CatalogError::Filter(format!("{field:?} cannot be matched against {other}"))
            })?),
        };
        Ok(Condition::matches(format!("{FIELDS}.{field}"), value))
    });
    let conditions: Vec<Condition> = kind
        .map(Ok)
        .chain(fields)
        .collect::<Result<_, CatalogError>>()?;
    Ok((!conditions.is_empty()).then(|| qdrant::Filter::must(conditions)))
}

/// Every point Maestro wrote (they all have an `id` field).
pub(super) fn every_entry() -> qdrant::Filter {
    qdrant::Filter::must_not([Condition::is_empty("id")])
}

#[cfg(test)]
mod tests {
    use super::*;
    use qdrant_client::qdrant::condition::ConditionOneOf;
    use qdrant_client::qdrant::point_id::PointIdOptions;
    use qdrant_client::qdrant::vectors::VectorsOptions;
    use qdrant_client::qdrant::vectors_output::VectorsOptions as OutOptions;
    use qdrant_client::qdrant::{NamedVectorsOutput, VectorOutput};
    use serde_json::json;

    fn uuid(id: &str) -> String {
        match point_id(id).point_id_options {
            Some(PointIdOptions::Uuid(u)) => u,
            other => panic!("not a UUID: {other:?}"),
        }
    }

    #[test]
    fn point_ids_are_stable_distinct_uuids() {
        let a = uuid("task:1");
        assert_eq!(a, uuid("task:1"));
        assert_ne!(a, uuid("task:2"));
        assert_ne!(a, uuid("person:1"));
        assert_eq!(a.len(), 36);
        let parts: Vec<usize> = a.split('-').map(str::len).collect();
        assert_eq!(parts, [8, 4, 4, 4, 12]);
        assert!(a.chars().all(|c| c == '-' || c.is_ascii_hexdigit()));
        assert_eq!(&a[14..15], "8", "version 8: {a}");
        assert!("89ab".contains(&a[19..20]), "RFC 4122 variant: {a}");
    }

    /// What the server sends back for a point written with `point`.
    fn read_back(point: PointStruct) -> (HashMap<String, QValue>, Option<VectorsOutput>) {
        let Some(VectorsOptions::Vectors(named)) = point.vectors.and_then(|v| v.vectors_options)
        else {
            panic!("the point has no named vectors");
        };
        let vectors = named
            .vectors
            .into_iter()
            .map(|(name, v)| {
                let qdrant::vector::Vector::Sparse(s) = v.vector.expect("a vector") else {
                    panic!("not sparse");
                };
                let out = VectorOutput {
                    vector: Some(VectorOut::Sparse(s)),
                    ..Default::default()
                };
                (name, out)
            })
            .collect();
        let out = VectorsOutput {
            vectors_options: Some(OutOptions::Vectors(NamedVectorsOutput { vectors })),
        };
        (point.payload, Some(out))
    }

    #[test]
    fn an_entry_survives_the_trip_through_a_point() {
        let entry = Entry::new("task:7", "task", "fix the login bug").with_payload(json!({
            "id": 7, "title": "Fix login", "done": false, "score": 0.25,
            "big": u64::MAX, "tags": ["a", "b"], "owner": {"name": "Ann"}, "a.b": "x",
        }));
        let vector = vec![(3, 0.5), (17, -0.25), (200, 0.75)];
        let point = to_point(entry.clone(), vector.clone());
        assert_eq!(point.id, Some(point_id("task:7")));
        let (payload, vectors) = read_back(point);
        let Some(Kind::StructValue(fields)) = payload["fields"].kind.clone() else {
            panic!("fields is not an object");
        };
        let mut names: Vec<&String> = fields.fields.keys().collect();
        names.sort();
        assert_eq!(names, ["done", "id", "title"], "only plain scalar fields");
        assert_eq!(from_point(payload, vectors), Ok((entry, vector)));
    }

    #[test]
    fn a_point_without_a_vector_or_with_a_broken_payload_is_read_carefully() {
        let entry = Entry::new("tool:x", "tool", "");
        let point = to_point(entry.clone(), Vec::new());
        let named = point.vectors.clone().and_then(|v| v.vectors_options);
        assert!(
            matches!(&named, Some(VectorsOptions::Vectors(n)) if n.vectors.is_empty()),
            "no empty sparse vector is sent: {named:?}"
        );
        let (payload, vectors) = read_back(point);
        assert_eq!(
            from_point(payload.clone(), vectors),
            Ok((entry.clone(), Vec::new()))
        );
        assert_eq!(from_point(payload.clone(), None), Ok((entry, Vec::new())));
        let mut broken = payload;
        broken.insert("payload".into(), QValue::from("{not json"));
        let err = from_point(broken.clone(), None).unwrap_err();
        assert!(err.contains("tool:x"), "{err}");
        broken.remove("kind");
        assert!(from_point(broken, None).unwrap_err().contains("kind"));
    }

    fn matches(condition: &Condition) -> (String, MatchValue) {
        let Some(ConditionOneOf::Field(field)) = &condition.condition_one_of else {
            panic!("not a field condition: {condition:?}");
        };
        let value = field.r#match.clone().and_then(|m| m.match_value);
        (field.key.clone(), value.expect("a match"))
    }

    #[test]
    fn filters_become_exact_matches_on_kind_and_fields() {
        assert_eq!(to_filter(&Filter::any()).unwrap(), None);
        let filter = Filter::kind("task")
            .with("assignee", "Ann Lee")
            .with("id", 42)
            .with("done", true);
        let converted = to_filter(&filter).unwrap().expect("conditions");
        assert!(converted.should.is_empty() && converted.must_not.is_empty());
        let got: Vec<(String, MatchValue)> = converted.must.iter().map(matches).collect();
        assert_eq!(
            got,
            [
                ("kind".into(), MatchValue::Keyword("task".into())),
                // A keyword, not a full-text match, even with a space in it.
                (
                    "fields.assignee".into(),
                    MatchValue::Keyword("Ann Lee".into())
                ),
                ("fields.id".into(), MatchValue::Integer(42)),
                ("fields.done".into(), MatchValue::Boolean(true)),
            ]
        );
    }

    #[test]
    fn filters_qdrant_cannot_match_exactly_are_refused() {
        for filter in [
            Filter::any().with("score", 0.5),
            Filter::any().with("big", u64::MAX),
            Filter::any().with("tags", json!(["a"])),
            Filter::any().with("owner.name", "Ann"),
        ] {
            let err = to_filter(&filter).unwrap_err();
            assert!(matches!(err, CatalogError::Filter(_)), "{filter:?}: {err}");
        }
    }
}
