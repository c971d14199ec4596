//! Command line: `grabkit serve | parse | plugins`. Every setting is a flag,
//! a `GRABKIT_*` environment variable, or a key in the `--config` file.

use crate::config::{ConfigError, Settings};
use clap::{Args, Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "grabkit",
    version,
    about = "Turn public media links into one unified JSON, with sandboxed WebAssembly extractor plugins"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP API.
    Serve {
        #[command(flatten)]
        settings: ServeArgs,
    },
    /// Parse one link (or share text) and print the unified JSON.
    Parse {
        /// The link, or text containing it.
        url: String,
        /// Record every request the plugin makes into the case folder DIR
        /// (`DIR/case.json`, `DIR/cassette/`; secrets redacted).
        #[arg(long, value_name = "DIR", conflicts_with = "replay")]
        record: Option<PathBuf>,
        #[command(flatten)]
        settings: RunArgs,
    },
    /// Parse a link and download its media (resumes a partial file; merges
    /// separate video and audio with ffmpeg when installed).
    Download {
        /// The link, or text containing it.
        url: String,
        /// Folder to save into.
        #[arg(short = 'o', long = "output", default_value = ".")]
        out: PathBuf,
        /// `best`, a quality label as the parse lists it (`720p`, `1080`), or `audio`.
        #[arg(long, default_value = "best")]
        quality: String,
        /// No progress bar.
        #[arg(long)]
        quiet: bool,
        #[command(flatten)]
        settings: RunArgs,
    },
    /// Plugin authoring: `grabkit plugin new <platform>`.
    Plugin {
        #[command(subcommand)]
        action: PluginCommand,
    },
    /// Run a plugin against a folder of cases (link + cassette + golden) and
    /// print a pass/fail table.
    Check {
        /// The plugin component.
        wasm: PathBuf,
        /// Folder of case folders.
        #[arg(long)]
        cases: PathBuf,
        /// Rewrite the goldens from what the plugin answers now (markers kept).
        #[arg(long)]
        update: bool,
        #[command(flatten)]
        settings: RunArgs,
    },
    /// Show what a plugin file is: contract, self-description, hosts,
    /// digest, size, imports and exports (only its `describe` runs).
    Inspect {
        wasm: PathBuf,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Manage API keys (in the data dir's database).
    Keys {
        #[command(subcommand)]
        action: KeysCommand,
        #[command(flatten)]
        settings: StoreArgs,
    },
    /// Manage platform accounts on the running server (its admin API, so
    /// changes apply at once): import cookies from a browser, list, check.
    Accounts {
        #[command(subcommand)]
        action: AccountsCommand,
        #[command(flatten)]
        settings: RemoteArgs,
    },
    /// Serve grabkit's MCP tools on stdin/stdout (for a desktop agent),
    /// as the API key in the `GRABKIT_API_KEY` environment variable.
    Mcp {
        #[command(flatten)]
        settings: McpArgs,
    },
    /// List the plugins in the plugins folder.
    Plugins {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        settings: RunArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum PluginCommand {
    /// Create a plugin crate that builds as it stands, with a test and an example case.
    New {
        /// Platform id: lowercase letters, digits, `_`.
        platform: String,
        /// Where the crate goes (as DIR/<platform>); inside grabkit's tree
        /// `plugins` also adds it to the workspace.
        #[arg(long, default_value = "plugins")]
        dir: PathBuf,
        /// The grabkit SDK to depend on (for crates outside grabkit's tree)
        /// [default: this build's sdk/].
        #[arg(long)]
        sdk: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Create a key and print its token (shown this once).
    Create {
        #[arg(long)]
        name: String,
        /// RFC 3339 expiry, e.g. 2027-01-01T00:00:00Z [default: never].
        #[arg(long)]
        expires: Option<String>,
        /// Allowed platforms, comma separated, or `all`.
        #[arg(long, value_delimiter = ',')]
        platforms: Option<Vec<String>>,
        /// Credits [default: unlimited].
        #[arg(long)]
        credits: Option<i64>,
        /// Requests per second for this key [default: the server's].
        #[arg(long)]
        rate_per_sec: Option<u32>,
        /// Burst above that rate [default: the server's].
        #[arg(long)]
        rate_burst: Option<u32>,
    },
    /// List keys (never their tokens).
    List,
    /// Change name, expiry, platforms or the enabled flag (never the token).
    Edit {
        id: i64,
        #[arg(long)]
        name: Option<String>,
        /// RFC 3339 expiry, or `never`.
        #[arg(long)]
        expires: Option<String>,
        #[arg(long, value_delimiter = ',')]
        platforms: Option<Vec<String>>,
        #[arg(long, conflicts_with = "disable")]
        enable: bool,
        #[arg(long)]
        disable: bool,
    },
    /// Rotate the token, keeping every setting.
    Reset { id: i64 },
    /// Delete a key.
    Delete { id: i64 },
    /// Add to or set the balance.
    Credits {
        id: i64,
        #[arg(long, allow_hyphen_values = true, conflicts_with_all = ["set", "unlimited"])]
        add: Option<i64>,
        #[arg(long, conflicts_with = "unlimited")]
        set: Option<i64>,
        #[arg(long)]
        unlimited: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum AccountsCommand {
    /// Import an account from exported cookies: a Netscape cookies.txt, a
    /// cookie-editor JSON export, a `Cookie:` header or `name=value` lines.
    Import {
        /// Platform id, e.g. `bilibili`.
        platform: String,
        /// The cookies file, or `-` for stdin.
        file: PathBuf,
        #[arg(long)]
        label: Option<String>,
        /// The browser's user agent (sent with these cookies).
        #[arg(long)]
        user_agent: Option<String>,
        /// `http(s)://[user:password@]host:port` for this account's traffic.
        #[arg(long)]
        proxy: Option<String>,
    },
    /// List accounts with their state and health (never a cookie value).
    List {
        #[arg(long)]
        platform: Option<String>,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Turn an account on or off, or relabel it.
    Edit {
        id: i64,
        #[arg(long)]
        label: Option<String>,
        #[arg(long, conflicts_with = "disable")]
        enable: bool,
        #[arg(long)]
        disable: bool,
    },
    /// Delete an account.
    Remove { id: i64 },
    /// Parse one link with the account (no credits): `--url`, else the
    /// platform's first canary link.
    Check {
        id: i64,
        #[arg(long)]
        url: Option<String>,
    },
}

/// A command that talks to the running server's admin API.
#[derive(Debug, Args, Default)]
pub struct RemoteArgs {
    #[command(flatten)]
    pub config: ConfigArg,
    /// The server [default: http://<listen> from the config].
    #[arg(global = true, long, env = "GRABKIT_SERVER")]
    pub server: Option<String>,
    /// The admin token [default: the config's `admin_token`].
    #[arg(
        global = true,
        long,
        env = "GRABKIT_ADMIN_TOKEN",
        hide_env_values = true
    )]
    pub admin_token: Option<String>,
}

impl RemoteArgs {
    /// The server's base URL and the admin token.
    pub fn resolve(&self) -> Result<(String, String), ConfigError> {
        let s = self.config.load()?;
        let base = self
            .server
            .clone()
            .unwrap_or_else(|| format!("http://{}", s.listen));
        let token = self
            .admin_token
            .clone()
            .or(s.admin_token)
            .unwrap_or_default();
        Ok((base.trim_end_matches('/').to_string(), token))
    }
}

/// The settings file, which every command reads.
#[derive(Debug, Args, Default)]
pub struct ConfigArg {
    /// TOML settings file (flags and env override it).
    #[arg(global = true, long, env = "GRABKIT_CONFIG")]
    pub config: Option<PathBuf>,
}

impl ConfigArg {
    fn load(&self) -> Result<Settings, ConfigError> {
        match &self.config {
            Some(path) => Settings::from_file(path),
            None => Ok(Settings::default()),
        }
    }
}

/// Where the database lives (serve and keys).
#[derive(Debug, Args, Default)]
pub struct DataArg {
    /// Folder of the key database [default: ./grabkit-data].
    #[arg(global = true, long, env = "GRABKIT_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
}

/// What only the server uses.
#[derive(Debug, Args, Default)]
pub struct ServerArgs {
    /// Address to listen on [default: 127.0.0.1:8080].
    #[arg(long, env = "GRABKIT_LISTEN")]
    pub listen: Option<SocketAddr>,
    /// Admin token for the admin endpoints [default: generated at first start].
    #[arg(long, env = "GRABKIT_ADMIN_TOKEN", hide_env_values = true)]
    pub admin_token: Option<String>,
    /// Do not watch the plugins folder (reload only via the admin API).
    #[arg(long, env = "GRABKIT_NO_WATCH")]
    pub no_watch: bool,
}

/// How plugins are found, sandboxed and limited: every command that runs one.
#[derive(Debug, Args, Default)]
pub struct PluginArgs {
    /// Folder of plugin `.wasm` files [default: where the build puts them].
    #[arg(long, env = "GRABKIT_PLUGINS")]
    pub plugins: Option<PathBuf>,
    /// Answer plugin requests from a case folder or cassette DIR instead of
    /// the network (offline development; the sandbox's checks still run). A
    /// request it does not hold fails; `parse` uses each exchange once,
    /// `serve` answers repeated parses.
    #[arg(long, value_name = "DIR", env = "GRABKIT_REPLAY")]
    pub replay: Option<PathBuf>,
    /// Compiled-plugin cache folder [default: <plugins>/.cache for `serve`,
    /// none for one-shot commands].
    #[arg(long, env = "GRABKIT_CACHE_DIR")]
    pub cache_dir: Option<PathBuf>,
    /// Pin list [default: <plugins>/plugins.lock].
    #[arg(long, env = "GRABKIT_PIN_FILE")]
    pub pin_file: Option<PathBuf>,
    /// Outbound proxy for plugin requests (also HTTPS_PROXY).
    #[arg(long, env = "GRABKIT_PROXY")]
    pub proxy: Option<String>,
    /// Extra trusted CA certificate (PEM), repeatable.
    #[arg(long = "ca-cert", env = "GRABKIT_CA_CERTS", value_delimiter = ',')]
    pub ca_certs: Vec<PathBuf>,
    /// Let plugins reach loopback addresses. Development and tests only.
    #[arg(long, env = "GRABKIT_ALLOW_LOOPBACK")]
    pub allow_loopback: bool,
    /// Resolve HOST to IP[:PORT] for plugin requests, repeatable (still checked).
    #[arg(long, env = "GRABKIT_RESOLVE", value_delimiter = ',')]
    pub resolve: Vec<String>,
    /// Memory cap per plugin instance, MiB [default: 64].
    #[arg(long, env = "GRABKIT_MEMORY_MIB")]
    pub memory_mib: Option<usize>,
    /// Deadline per parse, seconds [default: 10].
    #[arg(long, env = "GRABKIT_DEADLINE_SECS")]
    pub deadline_secs: Option<f64>,
    /// Timeout per outbound request, seconds [default: 15].
    #[arg(long, env = "GRABKIT_HTTP_TIMEOUT_SECS")]
    pub http_timeout_secs: Option<f64>,
    /// Response size cap per outbound request, bytes [default: 16 MiB].
    #[arg(long, env = "GRABKIT_MAX_RESPONSE_BYTES")]
    pub max_response_bytes: Option<u64>,
    /// Outbound requests per parse [default: 32].
    #[arg(long, env = "GRABKIT_MAX_REQUESTS")]
    pub max_requests: Option<u32>,
    /// Parses running at once, all plugins [default: 64].
    #[arg(long, env = "GRABKIT_MAX_CONCURRENCY")]
    pub max_concurrency: Option<usize>,
    /// Parses running at once per plugin [default: 32].
    #[arg(long, env = "GRABKIT_MAX_CONCURRENCY_PER_PLUGIN")]
    pub max_concurrency_per_plugin: Option<usize>,
}

/// `grabkit serve`'s settings: everything.
#[derive(Debug, Args, Default)]
pub struct ServeArgs {
    #[command(flatten)]
    pub config: ConfigArg,
    #[command(flatten)]
    pub server: ServerArgs,
    #[command(flatten)]
    pub data: DataArg,
    #[command(flatten)]
    pub plugins: PluginArgs,
}

/// A one-shot command that runs plugins (parse, download, check, plugins):
/// no listener, no database, no folder watch, and no compiled cache
/// written unless `--cache-dir` (or the file's `cache_dir`) asks for one.
#[derive(Debug, Args, Default)]
pub struct RunArgs {
    #[command(flatten)]
    pub config: ConfigArg,
    #[command(flatten)]
    pub plugins: PluginArgs,
}

/// `grabkit mcp`'s settings: plugins and the database, no listener and no
/// folder watch (a desktop agent starts it and stops it).
#[derive(Debug, Args, Default)]
pub struct McpArgs {
    #[command(flatten)]
    pub config: ConfigArg,
    #[command(flatten)]
    pub data: DataArg,
    #[command(flatten)]
    pub plugins: PluginArgs,
}

/// A command on the database alone (keys).
#[derive(Debug, Args, Default)]
pub struct StoreArgs {
    #[command(flatten)]
    pub config: ConfigArg,
    #[command(flatten)]
    pub data: DataArg,
}

macro_rules! set {
    ($field:expr, $value:expr) => {
        if let Some(v) = $value.clone() {
            $field = v;
        }
    };
}

impl ServeArgs {
    /// Defaults, then the file, then flags/env.
    pub fn resolve(&self) -> Result<Settings, ConfigError> {
        let mut s = self.config.load()?;
        self.server.apply(&mut s);
        self.data.apply(&mut s);
        self.plugins.apply(&mut s);
        Ok(s)
    }
}

impl RunArgs {
    pub fn resolve(&self) -> Result<Settings, ConfigError> {
        let mut s = self.config.load()?;
        self.plugins.apply(&mut s);
        s.reload.watch = false;
        // Empty means none: a one-shot run leaves the plugins folder as it was.
        s.reload.cache_dir.get_or_insert_with(PathBuf::new);
        Ok(s)
    }
}

impl McpArgs {
    pub fn resolve(&self) -> Result<Settings, ConfigError> {
        let mut s = self.config.load()?;
        self.data.apply(&mut s);
        self.plugins.apply(&mut s);
        s.reload.watch = false;
        Ok(s)
    }
}

impl StoreArgs {
    pub fn resolve(&self) -> Result<Settings, ConfigError> {
        let mut s = self.config.load()?;
        self.data.apply(&mut s);
        Ok(s)
    }
}

impl DataArg {
    fn apply(&self, s: &mut Settings) {
        set!(s.data_dir, self.data_dir);
    }
}

impl ServerArgs {
    fn apply(&self, s: &mut Settings) {
        set!(s.listen, self.listen);
        if self.admin_token.is_some() {
            s.admin_token = self.admin_token.clone();
        }
        s.reload.watch &= !self.no_watch;
    }
}

impl PluginArgs {
    fn apply(&self, s: &mut Settings) {
        set!(s.plugins_dir, self.plugins);
        if self.cache_dir.is_some() {
            s.reload.cache_dir = self.cache_dir.clone();
        }
        if self.pin_file.is_some() {
            s.reload.pin_file = self.pin_file.clone();
        }
        if self.proxy.is_some() {
            s.sandbox.proxy = self.proxy.clone();
        }
        s.sandbox.ca_certs.extend(self.ca_certs.iter().cloned());
        s.sandbox.allow_loopback |= self.allow_loopback;
        s.sandbox.resolve.extend(self.resolve.iter().cloned());
        if let Some(dir) = &self.replay {
            s.tape = Some(grabkit_egress::TapeMode::Replay(
                grabkit_kit::check::replay_of(dir, true),
            ));
        }
        set!(s.limits.memory_mib, self.memory_mib);
        set!(s.limits.deadline_secs, self.deadline_secs);
        set!(s.sandbox.http_timeout_secs, self.http_timeout_secs);
        set!(s.sandbox.max_response_bytes, self.max_response_bytes);
        set!(s.sandbox.max_requests_per_parse, self.max_requests);
        set!(s.limits.max_concurrency, self.max_concurrency);
        set!(
            s.limits.max_concurrency_per_plugin,
            self.max_concurrency_per_plugin
        );
    }
}
