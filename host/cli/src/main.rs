use clap::Parser;
use grabkit::app::{App, build_service};
use grabkit::cli::{Cli, Command, KeysCommand, PluginCommand};
use grabkit_core::Coded;
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("GRABKIT_LOG")
                .unwrap_or_else(|_| "info,wasmtime=warn,cranelift=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    match run(Cli::parse()).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Serve { settings } => {
            let settings = settings.resolve()?;
            let app = App::build(&settings).await?;
            let listener = tokio::net::TcpListener::bind(settings.listen).await?;
            tracing::info!(addr = %listener.local_addr()?, "grabkit listening");
            axum::serve(listener, app.router())
                .with_graceful_shutdown(shutdown())
                .await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Parse {
            url,
            record,
            settings,
        } => parse(&url, record, &settings).await,
        Command::Plugin {
            action: PluginCommand::New { platform, dir, sdk },
        } => {
            let sdk = sdk.unwrap_or_else(grabkit_kit::scaffold::default_sdk);
            let c = grabkit_kit::scaffold::create(&grabkit_kit::scaffold::NewPlugin {
                platform,
                dir,
                sdk,
            })?;
            println!(
                "created {} ({}){}",
                c.crate_dir.display(),
                c.package,
                if c.in_workspace {
                    ", added to the workspace"
                } else {
                    ""
                }
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Check {
            wasm,
            cases,
            update,
            settings,
        } => {
            let outcomes =
                grabkit_kit::check::run(&wasm, &cases, update, &one_shot(&settings)?.pipeline()?)
                    .await?;
            print!("{}", grabkit_kit::check::table(&outcomes));
            Ok(
                if outcomes.iter().all(|o| o.passed) && !outcomes.is_empty() {
                    ExitCode::SUCCESS
                } else {
                    ExitCode::FAILURE
                },
            )
        }
        Command::Inspect { wasm, json } => {
            let i = grabkit_kit::inspect::inspect(&wasm).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&i)?);
            } else {
                print!("{}", grabkit_kit::inspect::text(&i));
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Download {
            url,
            out,
            quality,
            quiet,
            settings,
        } => download(&url, &out, &quality, quiet, &one_shot(&settings)?).await,
        Command::Keys { action, settings } => keys(action, &settings.resolve()?).await,
        Command::Plugins { json, settings } => {
            let service = build_service(&one_shot(&settings)?).await?;
            let registry = &service.registry;
            let table = registry.table();
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&grabkit_server::status_json(&service))?
                );
            } else {
                println!(
                    "{:<16} {:<20} {:<8} {:<16} SOURCE",
                    "PLATFORM", "NAME", "VERSION", "DIGEST"
                );
                for p in &table.plugins {
                    println!(
                        "{:<16} {:<20} {:<8} {:<16} {}",
                        p.platform,
                        p.name,
                        p.version,
                        &p.digest[..16],
                        p.source.display()
                    );
                    println!("    links: {}", p.pattern_sources.join("  "));
                    println!("    hosts: {}", p.effective_hosts().join("  "));
                    println!("    media: {}", p.media_hosts.join("  "));
                }
                for f in registry.failures() {
                    println!(
                        "FAILED {}: {}",
                        f.source.display(),
                        f.error.unwrap_or_default()
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `grabkit parse`, optionally recording into or replaying from a case folder.
async fn parse(
    url: &str,
    record: Option<std::path::PathBuf>,
    args: &grabkit::cli::SettingsArgs,
) -> anyhow::Result<ExitCode> {
    use grabkit_egress::TapeMode;
    let mut settings = one_shot(args)?;
    match (&record, &mut settings.tape) {
        (Some(dir), _) => settings.tape = Some(TapeMode::Record(dir.join("cassette"))),
        // A one-shot replay is strict: each recorded exchange answers once.
        (None, Some(TapeMode::Replay(r))) => r.repeat = false,
        _ => {}
    }
    let service = build_service(&settings).await?;
    let result = service.parse(url).await;
    if let Some(dir) = &record {
        let case = dir.join("case.json");
        if !case.exists() {
            std::fs::write(
                &case,
                serde_json::to_string_pretty(&serde_json::json!({"url": url}))? + "\n",
            )?;
        }
        eprintln!("recorded into {} (secrets redacted)", dir.display());
    }
    let misses = service.sandbox.cassette_misses();
    for m in &misses {
        eprintln!("error (cassette): no recorded answer for {m}");
    }
    let ok = result.is_ok() && misses.is_empty();
    match result {
        Ok(media) => println!("{}", serde_json::to_string_pretty(&media)?),
        Err(e) => {
            eprintln!("error ({}): {e}", e.code());
        }
    }
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// `grabkit download`: parse, plan, then save each file with a progress bar.
async fn download(
    url: &str,
    out: &std::path::Path,
    quality: &str,
    quiet: bool,
    settings: &grabkit::config::Settings,
) -> anyhow::Result<ExitCode> {
    use grabkit_media::{Proxy, Signer, merge};
    let service = build_service(settings).await?;
    let post = service
        .route(url)
        .map(|r| r.url.to_string())
        .unwrap_or_else(|_| url.to_string());
    let media = match service.parse(url).await {
        Ok(m) => m,
        Err(e) => {
            eprintln!("error ({}): {e}", e.code());
            return Ok(ExitCode::FAILURE);
        }
    };
    let proxy = Proxy::new(Signer::new(b"local"), service, settings.proxy());
    let can_merge = merge::available(&proxy.settings.ffmpeg).await.is_ok();
    let mut jobs = match grabkit_media::download::plan(&media, &post, quality, can_merge) {
        Ok(j) => j,
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(ExitCode::FAILURE);
        }
    };
    std::fs::create_dir_all(out)?;
    for job in &mut jobs {
        let bar = if quiet {
            indicatif::ProgressBar::hidden()
        } else {
            indicatif::ProgressBar::new(0)
        };
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{msg} {bytes}/{total_bytes} {bar:30} {bytes_per_sec} {eta}",
            )
            .expect("a valid template"),
        );
        match grabkit_media::download::save(&proxy, job, out, &bar).await {
            Ok(path) => {
                bar.finish_and_clear();
                println!("{}", path.display());
            }
            Err(e) => {
                bar.abandon();
                eprintln!("error ({}): {e}", e.code());
                return Ok(ExitCode::FAILURE);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `grabkit keys …`: works on the data dir's database directly.
async fn keys(
    action: KeysCommand,
    settings: &grabkit::config::Settings,
) -> anyhow::Result<ExitCode> {
    use grabkit_core::accounts::{self, key_json, parse_platforms, parse_time};
    use grabkit_store::keys::{CreditOp, KeyPatch, NewKey};
    let store = grabkit::app::open_store(settings).await?;
    let store = store.as_ref();
    let with_token = |c: accounts::Created| {
        let mut j = key_json(&c.key);
        j["token"] = c.token.into();
        j
    };
    let out = match action {
        KeysCommand::Create {
            name,
            expires,
            platforms,
            credits,
            rate_per_sec,
            rate_burst,
        } => with_token(
            accounts::create(
                store,
                NewKey {
                    name,
                    expires_at: parse_time(expires.as_deref())?,
                    platforms: parse_platforms(platforms)?,
                    credits,
                    rate_per_sec,
                    rate_burst,
                },
            )
            .await?,
        ),
        KeysCommand::List => {
            serde_json::Value::Array(store.list().await?.iter().map(key_json).collect())
        }
        KeysCommand::Edit {
            id,
            name,
            expires,
            platforms,
            enable,
            disable,
        } => {
            let expires_at = match expires.as_deref() {
                None => None,
                Some("never") => Some(None),
                Some(t) => Some(parse_time(Some(t))?),
            };
            let patch = KeyPatch {
                name,
                expires_at,
                platforms: platforms.map(|p| parse_platforms(Some(p))).transpose()?,
                enabled: (enable || disable).then_some(enable),
                ..Default::default()
            };
            key_json(&accounts::edit(store, id, patch).await?)
        }
        KeysCommand::Reset { id } => with_token(accounts::reset(store, id).await?),
        KeysCommand::Delete { id } => {
            accounts::delete(store, id).await?;
            serde_json::json!({"id": id, "deleted": true})
        }
        KeysCommand::Credits {
            id,
            add,
            set,
            unlimited,
        } => {
            let op = match (add, set, unlimited) {
                (Some(n), _, _) => CreditOp::Add(n),
                (_, Some(n), _) => CreditOp::Set(Some(n)),
                (_, _, true) => CreditOp::Set(None),
                _ => anyhow::bail!("give --add N, --set N or --unlimited"),
            };
            key_json(&accounts::credits(store, id, op).await?)
        }
    };
    println!("{}", serde_json::to_string_pretty(&out)?);
    Ok(ExitCode::SUCCESS)
}

/// Settings for a command that runs once: no folder watch.
fn one_shot(args: &grabkit::cli::SettingsArgs) -> anyhow::Result<grabkit::config::Settings> {
    let mut s = args.resolve()?;
    s.reload.watch = false;
    Ok(s)
}

async fn shutdown() {
    let _ = tokio::signal::ctrl_c().await;
    tracing::info!("shutting down");
}
