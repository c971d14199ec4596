//! Running the cut-out transforms in Boa, a JavaScript engine written in
//! Rust and compiled into this component: the player's code gets no network,
//! no files, nothing but its own arguments.

use crate::extract::Transforms;
use boa_engine::{Context, JsValue, Source, js_string};
use grabkit_sdk::prelude::*;
use std::collections::HashMap;

/// One evaluated transform script, with the answers it gave so far
/// (every format of a video usually shares one `n`).
pub struct Solver {
    context: Context,
    memo: HashMap<(&'static str, String), String>,
}

impl Solver {
    pub fn new(t: &Transforms) -> Result<Self> {
        let mut context = Context::default();
        context
            .eval(Source::from_bytes(t.script.as_bytes()))
            .map_err(|e| Error::parse(format!("player transforms do not run: {e}")))?;
        Ok(Solver {
            context,
            memo: HashMap::new(),
        })
    }

    /// The deciphered signature.
    pub fn sig(&mut self, s: &str) -> Result<String> {
        self.call("__sig", s)
    }

    /// The transformed `n` (unthrottled downloads).
    pub fn n(&mut self, n: &str) -> Result<String> {
        self.call("__n", n)
    }

    fn call(&mut self, function: &'static str, arg: &str) -> Result<String> {
        if let Some(hit) = self.memo.get(&(function, arg.to_string())) {
            return Ok(hit.clone());
        }
        let global = self.context.global_object();
        let f = global
            .get(js_string!(function), &mut self.context)
            .map_err(|e| Error::parse(format!("{function}: {e}")))?;
        let f = f
            .as_callable()
            .ok_or_else(|| Error::parse(format!("the player has no {function} transform")))?;
        let out = f
            .call(
                &JsValue::undefined(),
                &[JsValue::from(js_string!(arg))],
                &mut self.context,
            )
            .map_err(|e| Error::parse(format!("{function} threw: {e}")))?;
        let out = out
            .as_string()
            .map(|s| s.to_std_string_escaped())
            .ok_or_else(|| Error::parse(format!("{function} returned no string")))?;
        self.memo.insert((function, arg.to_string()), out.clone());
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_cut_out_transforms() {
        let js = r#"var Ab={cd:function(a){a.reverse()},ef:function(a,b){a.splice(0,b)},gh:function(a,b){var c=a[0];a[0]=a[b%a.length];a[b%a.length]=c}};
var Xyz=function(a){a=a.split("");Ab.gh(a,3);Ab.cd(a,10);Ab.ef(a,1);return a.join("")};
g.k=function(a,b,c){c&&(c=Xyz(decodeURIComponent(c)),a.set(b,encodeURIComponent(c)))};
var Nq=[Lm];Lm=function(a){var b=a.split("");if(typeof Zz==="undefined")return a;b.reverse();return b.join("")};
h.u=function(a){var b;(b=a.get("n"))&&(b=Nq[0](b),a.set("n",b))};"#;
        let mut solver = Solver::new(&crate::extract::transforms(js).unwrap()).unwrap();
        assert_eq!(solver.sig("abcdef").unwrap(), "eacbd");
        assert_eq!(solver.n("kX9").unwrap(), "9Xk");
        assert_eq!(solver.n("kX9").unwrap(), "9Xk", "memoised");
    }

    #[test]
    fn broken_scripts_are_parse_errors() {
        let t = Transforms {
            sts: None,
            script: "var __sig=function(a){throw new Error('x')};".into(),
            has_sig: true,
            has_n: false,
        };
        let mut solver = Solver::new(&t).unwrap();
        assert_eq!(solver.sig("a").unwrap_err().kind, ErrorKind::ParseFailed);
        assert_eq!(
            solver.n("a").unwrap_err().kind,
            ErrorKind::ParseFailed,
            "no n function"
        );
        let bad = Transforms {
            sts: None,
            script: "var = ;".into(),
            has_sig: true,
            has_n: false,
        };
        assert!(Solver::new(&bad).is_err());
    }
}
