//! Finding the signature and `n` transforms in the player script and cutting
//! them out, with what they depend on, into a small self-contained script.
//!
//! The player is ~2.5 MB of minified JavaScript whose names change with every
//! release; what stays is the shape around the two functions:
//! - the signature: `c&&(c=Xyz(decodeURIComponent(c))…` calls a function
//!   `Xyz=function(a){a=a.split("");Ab.cd(a,3);…;return a.join("")}` whose
//!   steps are methods of one helper object (`var Ab={cd:function(a,b){…},…}`);
//! - `n`: `…get("n"))&&(b=Nq[0](b)…` (or `b=String.fromCharCode(110),c=a.get(b))&&(c=Nq[0](c)`)
//!   names an array `var Nq=[Lm]` holding the function, which guards itself
//!   with `if(typeof Zz==="undefined")return a;` (a global of the full
//!   player, absent from our cut-out, so that guard is removed);
//! - newer players keep their string literals in one global array
//!   (`var Gx="split;…".split(";")`) that both functions index.

use grabkit_sdk::prelude::*;
use regex_lite::Regex;

/// The pieces of one player release that grabkit needs.
#[derive(
    Debug, Clone, PartialEq, grabkit_sdk::serde::Serialize, grabkit_sdk::serde::Deserialize,
)]
#[serde(crate = "grabkit_sdk::serde")]
pub struct Transforms {
    /// `signatureTimestamp`, sent with the player request.
    pub sts: Option<u64>,
    /// A script defining `__sig(s)` and `__n(n)` (either may be absent).
    pub script: String,
    pub has_sig: bool,
    pub has_n: bool,
}

const ID: &str = r"[A-Za-z0-9_$]+";

fn re(pattern: &str) -> Regex {
    Regex::new(&pattern.replace("ID", ID)).expect("valid pattern")
}

pub fn transforms(js: &str) -> Result<Transforms> {
    let sts = re(r"(?:signatureTimestamp|sts)\s*:\s*(\d{5})")
        .captures(js)
        .and_then(|c| c[1].parse().ok());
    let mut parts: Vec<String> = Vec::new();
    let sig = sig_function(js);
    let n = n_function(js);
    if sig.is_none() && n.is_none() {
        return Err(Error::parse(
            "player script: found neither the signature nor the n function",
        ));
    }
    let mut uses = String::new();
    if let Some((name, body)) = &sig {
        if let Some(helper) = helper_object(js, body) {
            uses.push_str(&helper);
            parts.push(helper);
        }
        parts.push(format!("var __sig={body};"));
        uses.push_str(body);
        let _ = name;
    }
    if let Some(body) = &n {
        parts.push(format!("var __n={body};"));
        uses.push_str(body);
    }
    if let Some(global) = global_array(js, &uses) {
        parts.insert(0, global);
    }
    Ok(Transforms {
        sts,
        script: parts.join("\n"),
        has_sig: sig.is_some(),
        has_n: n.is_some(),
    })
}

/// The signature function: its name from the call site, then its definition.
fn sig_function(js: &str) -> Option<(String, String)> {
    // `c&&(c=Xyz(decodeURIComponent(c))`
    let call = re(r"\b(ID)&&\((ID)=(ID)\(decodeURIComponent\((ID)\)\)");
    let by_call = call
        .captures_iter(js)
        .find(|c| c[1] == c[2] && c[2] == c[4])
        .map(|c| c[3].to_string());
    // Or the definition's own shape: `Xyz=function(a){a=a.split("")` / `a=a[Gx[0]](Gx[1])`.
    let by_shape = || {
        let def = re(
            r#"(ID)\s*=\s*function\(\s*(ID)\s*\)\s*\{\s*(ID)\s*=\s*(ID)(?:\.split\(\s*""\s*\)|\[ID\[\d+\]\]\(ID\[\d+\]\))"#,
        );
        def.captures_iter(js)
            .find(|c| c[2] == c[3] && c[3] == c[4])
            .map(|c| c[1].to_string())
    };
    let name = by_call.or_else(by_shape)?;
    Some((name.clone(), function_named(js, &name)?))
}

/// The object whose methods the signature function calls (`Ab.cd(a,3)` or `Ab[Gx[4]](a,3)`).
fn helper_object(js: &str, sig_body: &str) -> Option<String> {
    let step = re(r";(ID)(?:\.ID|\[ID\[\d+\]\])\(ID,\d+\)");
    let name = step.captures(sig_body)?[1].to_string();
    let decl = Regex::new(&format!(r"var {}=\{{", regex_lite::escape(&name))).ok()?;
    let at = decl.find(js)?;
    let body = balanced(&js[at.end() - 1..])?;
    Some(format!("var {name}={body};"))
}

/// The `n` function: named by its call site (through its one-element array).
fn n_function(js: &str) -> Option<String> {
    let calls = [
        re(r#"\.get\("n"\)\)&&\(b=(ID)(?:\[(\d+)\])?\(ID\)"#),
        re(r#"String\.fromCharCode\(110\),ID=ID\.get\(ID\)\)&&\(ID=(ID)(?:\[(\d+)\])?\(ID\)"#),
    ];
    let (name, index) = calls.iter().find_map(|r| {
        r.captures(js).map(|c| {
            (
                c[1].to_string(),
                c.get(2).map(|m| m.as_str().parse::<usize>().unwrap_or(0)),
            )
        })
    })?;
    let name = match index {
        None => name,
        // `var Nq=[Lm]`: the function is the array's element.
        Some(i) => {
            let arr = Regex::new(&format!(
                r"var {}\s*=\s*\[([^\]]*)\]",
                regex_lite::escape(&name)
            ))
            .ok()?;
            arr.captures(js)?[1].split(',').nth(i)?.trim().to_string()
        }
    };
    let body = function_named(js, &name)?;
    // The guard returns its input untouched when a global of the full player is missing.
    let guard = re(
        r#";\s*if\s*\(\s*typeof\s+ID\s*===?\s*(?:"undefined"|'undefined'|ID\[\d+\])\s*\)\s*return\s+ID;"#,
    );
    Some(guard.replace_all(&body, ";").into_owned())
}

/// `name=function(…){…}` or `function name(…){…}`, as a function expression.
fn function_named(js: &str, name: &str) -> Option<String> {
    let n = regex_lite::escape(name);
    let def = Regex::new(&format!(r"(?:^|[^A-Za-z0-9_$.]){n}\s*=\s*function\s*(\([^)]*\))\s*\{{|function\s+{n}\s*(\([^)]*\))\s*\{{")).ok()?;
    let c = def.captures(js)?;
    let params = c.get(1).or(c.get(2))?.as_str();
    let open = c.get(0)?.end() - 1;
    Some(format!("function{params}{}", balanced(&js[open..])?))
}

/// The global string array both functions index (`var Gx="…".split(";")` or `var Gx=[…]`), when they use it.
fn global_array(js: &str, uses: &str) -> Option<String> {
    let split = re(r#"var (ID)\s*=\s*(?:"[^"]*"|'[^']*')\.split\((?:"[^"]*"|'[^']*')\)"#);
    for c in split.captures_iter(js) {
        if uses.contains(&format!("{}[", &c[1])) {
            return Some(format!("{};", &c[0]));
        }
    }
    None
}

/// Cut the balanced `{…}` at the start of `s`, minding strings, regex-free.
fn balanced(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    if bytes.first() != Some(&b'{') {
        return None;
    }
    let (mut depth, mut quote, mut escaped) = (0usize, None::<u8>, false);
    for (i, &b) in bytes.iter().enumerate() {
        if let Some(q) = quote {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                _ if b == q => quote = None,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' | b'\'' | b'`' => quote = Some(b),
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(s[..=i].to_string());
                }
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const CLASSIC: &str = r#"var Ab={cd:function(a){a.reverse()},ef:function(a,b){a.splice(0,b)},gh:function(a,b){var c=a[0];a[0]=a[b%a.length];a[b%a.length]=c}};
var Xyz=function(a){a=a.split("");Ab.gh(a,3);Ab.cd(a,10);Ab.ef(a,1);return a.join("")};
g.k=function(a,b,c){c&&(c=Xyz(decodeURIComponent(c)),a.set(b,encodeURIComponent(c)))};
var Nq=[Lm];Lm=function(a){var b=a.split("");if(typeof Zz==="undefined")return a;b.reverse();return b.join("")};
h.u=function(a){var b;(b=a.get("n"))&&(b=Nq[0](b),a.set("n",b))};x={signatureTimestamp:19876}"#;

    #[test]
    fn classic_player_shapes() {
        let t = transforms(CLASSIC).unwrap();
        assert_eq!(t.sts, Some(19876));
        assert!(t.has_sig && t.has_n);
        assert!(t.script.starts_with("var Ab={cd:"), "{}", t.script);
        assert!(
            t.script
                .contains("var __sig=function(a){a=a.split(\"\");Ab.gh(a,3)"),
            "{}",
            t.script
        );
        assert!(
            !t.script.contains("typeof Zz"),
            "the guard is gone: {}",
            t.script
        );
    }

    #[test]
    fn nothing_to_find() {
        assert_eq!(
            transforms("var a=1;").unwrap_err().kind,
            ErrorKind::ParseFailed
        );
    }

    #[test]
    fn braces_inside_strings() {
        assert_eq!(
            balanced(r#"{a="}";b='{'}tail"#).as_deref(),
            Some(r#"{a="}";b='{'}"#)
        );
        assert_eq!(balanced("{unclosed"), None);
    }
}
