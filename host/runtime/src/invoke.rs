//! Running one call (a parse or a capability) in a fresh instance, inside the memory cap and the
//! deadline, turning every way it can end into a typed outcome.

use super::bindings::{Answer, Call, ExtractError};
use super::state::RequestState;
use super::{LoadedPlugin, Runtime};
use grabkit_egress::{Sandbox, Session};
use grabkit_store::PluginKv;
use std::sync::Arc;
use wasmtime::{Store, Trap};

/// How a plugin run failed (as opposed to the plugin returning an error).
#[derive(Debug, Clone, thiserror::Error)]
pub enum InvokeError {
    #[error("the plugin ran past its deadline of {0:?}")]
    Deadline(std::time::Duration),
    #[error("the plugin exceeded its memory limit of {0} MiB")]
    Memory(usize),
    #[error("the plugin crashed: {0}")]
    Trap(String),
}

/// A finished run: the plugin's own answer, plus what it used.
pub struct Invocation {
    pub result: Result<Answer, ExtractError>,
    pub requests: u32,
}

impl Runtime {
    pub async fn invoke(
        &self,
        plugin: &LoadedPlugin,
        sandbox: Arc<Sandbox>,
        kv: Arc<dyn PluginKv>,
        call: &Call,
        request_id: &str,
        session: Option<Arc<dyn Session>>,
    ) -> Result<Invocation, InvokeError> {
        let state = RequestState::new(
            plugin.context.clone(),
            sandbox,
            kv,
            self.settings.memory_bytes,
            request_id.to_string(),
            session,
        );
        let mut store = Store::new(&self.engine, state);
        store.limiter(|s| &mut s.limiter);
        store.set_epoch_deadline(self.deadline_ticks());
        store.epoch_deadline_trap();

        let call = plugin.pre.call(&mut store, call);
        // Epochs stop guest code; this timeout also bounds time spent waiting in host calls.
        let outcome = tokio::time::timeout(self.settings.deadline, call).await;
        let state = store.data();
        log_stdio(plugin, request_id, state);
        let requests = state.budget.used();
        match outcome {
            Err(_) => Err(InvokeError::Deadline(self.settings.deadline)),
            Ok(Ok(result)) => Ok(Invocation { result, requests }),
            Ok(Err(e)) if state.limiter.hit => {
                tracing::debug!(error = %format!("{e:#}"), "trap after the memory cap was hit");
                Err(InvokeError::Memory(self.settings.memory_bytes >> 20))
            }
            Ok(Err(e)) => match e.downcast_ref::<Trap>() {
                Some(Trap::Interrupt) => Err(InvokeError::Deadline(self.settings.deadline)),
                _ => Err(InvokeError::Trap(first_line(&format!("{e:#}")))),
            },
        }
    }
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or(s).chars().take(300).collect()
}

fn log_stdio(plugin: &LoadedPlugin, request_id: &str, state: &RequestState) {
    for (stream, pipe) in [("stdout", &state.stdout), ("stderr", &state.stderr)] {
        let bytes = pipe.contents();
        for line in String::from_utf8_lossy(&bytes)
            .lines()
            .filter(|l| !l.trim().is_empty())
        {
            tracing::info!(plugin = %plugin.platform, request = %request_id, stream, "{line}");
        }
    }
}
