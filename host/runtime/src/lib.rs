//! Loading and running plugins: one wasmtime `Engine` (pooling allocator,
//! epoch interruption, async host calls), one `Linker` with only the host
//! interfaces and the WASI pieces a Rust guest's std needs, a fresh `Store`
//! per request.

pub mod bindings;
mod imports;
mod invoke;
mod plugin;
mod state;

pub use bindings::{ContractVersion, LATEST, VERSIONS};
pub use invoke::{Invocation, InvokeError};
pub use plugin::{
    Capability, LoadError, LoadedPlugin, PluginOptions, VersionStats, capability_name, compile,
};
pub use state::PluginContext;

use state::RequestState;
use std::sync::Arc;
use std::time::Duration;
use wasmtime::component::Linker;
use wasmtime::{Config, Enabled, Engine, InstanceAllocationStrategy, PoolingAllocationConfig};

/// How often the engine's epoch advances; the CPU deadline is counted in these.
pub const EPOCH_TICK: Duration = Duration::from_millis(10);

/// Bytes of each instance memory kept mapped between instances (see
/// `Runtime::new`); a parse that touches more has the rest unmapped.
const KEEP_RESIDENT: usize = 4 << 20;

/// Limits applied to every plugin instance.
#[derive(Debug, Clone)]
pub struct RuntimeSettings {
    /// Linear memory cap per instance.
    pub memory_bytes: usize,
    /// Wall-clock deadline per parse (guest code and host calls).
    pub deadline: Duration,
    /// Instances alive at once (sizes the pooling allocator).
    pub max_instances: u32,
}

impl Default for RuntimeSettings {
    fn default() -> Self {
        RuntimeSettings {
            memory_bytes: 64 << 20,
            deadline: Duration::from_secs(10),
            max_instances: 64,
        }
    }
}

pub struct Runtime {
    pub engine: Engine,
    linker: Linker<RequestState>,
    pub settings: RuntimeSettings,
}

impl Runtime {
    pub fn new(settings: RuntimeSettings) -> anyhow::Result<Arc<Self>> {
        let mut pool = PoolingAllocationConfig::default();
        // A Rust wasip2 component holds a few core instances (program, WASI
        // adapter, shims), each possibly with a memory and a table.
        let n = settings.max_instances.max(1);
        pool.total_component_instances(n)
            .total_core_instances(n * 8)
            .total_memories(n * 4)
            .total_tables(n * 8)
            .total_stacks(n)
            .max_memory_size(settings.memory_bytes.max(1 << 20))
            // Reset a finished instance's memory by rewriting only the pages
            // it dirtied (found with Linux's PAGEMAP_SCAN) and keep them
            // mapped: no madvise, so no cross-CPU TLB shootdown per parse,
            // and the next instance in the slot takes no page faults.
            // Without the ioctl (older kernels) the defaults stay.
            .pagemap_scan(Enabled::Auto);
        if PoolingAllocationConfig::is_pagemap_scan_available() {
            pool.linear_memory_keep_resident(KEEP_RESIDENT)
                .table_keep_resident(KEEP_RESIDENT / 16);
        }
        let mut config = Config::new();
        config
            .epoch_interruption(true)
            .allocation_strategy(InstanceAllocationStrategy::Pooling(pool))
            .max_wasm_stack(1 << 20);
        let engine = Engine::new(&config)?;
        spawn_epoch_ticker(engine.weak());

        let mut linker = Linker::new(&engine);
        wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
        bindings::add_to_linker(&mut linker)?;
        Ok(Arc::new(Runtime {
            engine,
            linker,
            settings,
        }))
    }

    /// The CPU deadline in epoch ticks.
    fn deadline_ticks(&self) -> u64 {
        (self.settings.deadline.as_millis() / EPOCH_TICK.as_millis()).max(1) as u64
    }
}

/// Advance the epoch on a plain thread for as long as the engine lives.
fn spawn_epoch_ticker(engine: wasmtime::EngineWeak) {
    std::thread::Builder::new()
        .name("grabkit-epoch".into())
        .spawn(move || {
            while let Some(engine) = engine.upgrade() {
                engine.increment_epoch();
                drop(engine);
                std::thread::sleep(EPOCH_TICK);
            }
        })
        .expect("spawn epoch thread");
}
