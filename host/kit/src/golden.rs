//! Golden files: the expected JSON of a case, where a value that
//! legitimately varies is written as a marker:
//! - `"<any>"` matches any value (a signed URL, a timestamp);
//! - a string ending in `?<any>` matches the same text with any query
//!   string (`"https://cdn.example/v.mp4?<any>"`).

use serde_json::Value;

pub const ANY: &str = "<any>";
const ANY_QUERY: &str = "?<any>";

fn marker_matches(expected: &str, actual: &Value) -> Option<bool> {
    if expected == ANY {
        return Some(true);
    }
    let prefix = expected.strip_suffix(ANY_QUERY)?;
    let a = actual.as_str()?;
    Some(a.split_once('?').map_or(a, |(p, _)| p) == prefix)
}

/// Every difference between `expected` and `actual`, by JSON path.
pub fn diff(expected: &Value, actual: &Value) -> Vec<String> {
    let mut out = Vec::new();
    walk(expected, actual, "$", &mut out);
    out
}

fn walk(e: &Value, a: &Value, path: &str, out: &mut Vec<String>) {
    if let Some(ok) = e.as_str().and_then(|s| marker_matches(s, a)) {
        if !ok {
            out.push(format!("{path}: expected {e}, got {a}"));
        }
        return;
    }
    match (e, a) {
        (Value::Object(eo), Value::Object(ao)) => {
            for (k, ev) in eo {
                match ao.get(k) {
                    Some(av) => walk(ev, av, &format!("{path}.{k}"), out),
                    None => out.push(format!("{path}.{k}: missing")),
                }
            }
            for k in ao.keys().filter(|k| !eo.contains_key(*k)) {
                out.push(format!("{path}.{k}: not expected (got {})", ao[k]));
            }
        }
        (Value::Array(ea), Value::Array(aa)) => {
            if ea.len() != aa.len() {
                out.push(format!(
                    "{path}: expected {} items, got {}",
                    ea.len(),
                    aa.len()
                ));
            }
            for (i, (ev, av)) in ea.iter().zip(aa).enumerate() {
                walk(ev, av, &format!("{path}[{i}]"), out);
            }
        }
        _ if e != a => out.push(format!("{path}: expected {e}, got {a}")),
        _ => {}
    }
}

/// The new golden: `actual`, keeping the old golden's markers wherever
/// they still match (so `--update` never loses what an author marked).
pub fn update(old: Option<&Value>, actual: &Value) -> Value {
    let Some(old) = old else {
        return actual.clone();
    };
    if old.as_str().and_then(|s| marker_matches(s, actual)) == Some(true) {
        return old.clone();
    }
    match (old, actual) {
        (Value::Object(o), Value::Object(a)) => Value::Object(
            a.iter()
                .map(|(k, v)| (k.clone(), update(o.get(k), v)))
                .collect(),
        ),
        (Value::Array(o), Value::Array(a)) => Value::Array(
            a.iter()
                .enumerate()
                .map(|(i, v)| update(o.get(i), v))
                .collect(),
        ),
        _ => actual.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn markers_match_what_varies_and_nothing_else() {
        let golden =
            json!({"title": "a", "videos": [{"url": "https://cdn/v.mp4?<any>", "size": "<any>"}]});
        assert!(diff(&golden, &json!({"title": "a", "videos": [{"url": "https://cdn/v.mp4?sig=1&t=2", "size": 9}]})).is_empty());
        let d = diff(
            &golden,
            &json!({"title": "b", "videos": [{"url": "https://cdn/w.mp4?sig=1", "size": 9}], "extra": 1}),
        );
        assert_eq!(
            d,
            [
                "$.title: expected \"a\", got \"b\"",
                "$.videos[0].url: expected \"https://cdn/v.mp4?<any>\", got \"https://cdn/w.mp4?sig=1\"",
                "$.extra: not expected (got 1)"
            ]
        );
        assert_eq!(
            diff(&json!([1, 2]), &json!([1])),
            ["$: expected 2 items, got 1"]
        );
    }

    #[test]
    fn update_keeps_markers_that_still_match() {
        let old = json!({"url": "https://cdn/v.mp4?<any>", "t": "<any>", "n": 1});
        let new = update(
            Some(&old),
            &json!({"url": "https://cdn/v.mp4?sig=9", "t": 5, "n": 2, "m": 3}),
        );
        assert_eq!(
            new,
            json!({"url": "https://cdn/v.mp4?<any>", "t": "<any>", "n": 2, "m": 3})
        );
        assert_eq!(
            update(Some(&old), &json!({"url": "https://elsewhere/x"}))["url"],
            "https://elsewhere/x"
        );
    }
}
