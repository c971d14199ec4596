//! What one request's `Store` holds: a WASI context with nothing granted
//! (no dirs, no env, no network; stdout/stderr captured for the log), the
//! memory limiter, and the plugin's view of the host services.

use grabkit_egress::{Budget, HostPolicy, Sandbox, Session};
use grabkit_store::PluginKv;
use std::collections::BTreeMap;
use std::sync::Arc;
use wasmtime::ResourceLimiter;
use wasmtime::component::ResourceTable;
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

/// Captured guest output per request (excess is dropped).
const STDIO_CAPTURE_BYTES: usize = 64 << 10;

/// Per-plugin things every request of that plugin shares.
pub struct PluginContext {
    pub platform: String,
    pub policy: HostPolicy,
    pub config: BTreeMap<String, String>,
}

pub struct RequestState {
    wasi: WasiCtx,
    table: ResourceTable,
    pub limiter: MemoryLimiter,
    pub stdout: MemoryOutputPipe,
    pub stderr: MemoryOutputPipe,
    pub plugin: Arc<PluginContext>,
    pub sandbox: Arc<Sandbox>,
    pub kv: Arc<dyn PluginKv>,
    pub budget: Budget,
    pub request_id: String,
    /// The account the host leased for this call, if any.
    pub session: Option<Arc<dyn Session>>,
}

impl RequestState {
    pub fn new(
        plugin: Arc<PluginContext>,
        sandbox: Arc<Sandbox>,
        kv: Arc<dyn PluginKv>,
        memory_bytes: usize,
        request_id: String,
        session: Option<Arc<dyn Session>>,
    ) -> Self {
        let stdout = MemoryOutputPipe::new(STDIO_CAPTURE_BYTES);
        let stderr = MemoryOutputPipe::new(STDIO_CAPTURE_BYTES);
        let wasi = WasiCtx::builder()
            .stdout(stdout.clone())
            .stderr(stderr.clone())
            .allow_tcp(false)
            .allow_udp(false)
            .allow_ip_name_lookup(false)
            .build();
        let budget = Budget::new(sandbox.settings().max_requests_per_parse);
        RequestState {
            wasi,
            table: ResourceTable::new(),
            limiter: MemoryLimiter::new(memory_bytes),
            stdout,
            stderr,
            plugin,
            sandbox,
            kv,
            budget,
            request_id,
            session,
        }
    }
}

impl WasiView for RequestState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

/// Caps linear memory per instance and remembers whether the cap was hit, so
/// the trap that follows a failed allocation is reported as what it is.
pub struct MemoryLimiter {
    max_bytes: usize,
    pub hit: bool,
}

impl MemoryLimiter {
    fn new(max_bytes: usize) -> Self {
        MemoryLimiter {
            max_bytes,
            hit: false,
        }
    }
}

impl ResourceLimiter for MemoryLimiter {
    fn memory_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        let ok = desired <= self.max_bytes;
        self.hit |= !ok;
        Ok(ok)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(desired <= 100_000)
    }
}
