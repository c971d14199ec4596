//! Remuxing a video-only stream and its audio into one MP4 with ffmpeg
//! (`-c copy`, no re-encoding), streamed out as fragmented MP4 while the
//! inputs stream in. The inputs reach ffmpeg through two named pipes, so
//! nothing is written to disk and the bytes still come through the proxy's
//! own checked fetch.

use super::ProxyError;
use bytes::Bytes;
use futures::{Stream, StreamExt};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::process::{Child, ChildStdout, Command};
use tokio::task::JoinHandle;

type Input = std::pin::Pin<Box<dyn Stream<Item = std::io::Result<Bytes>> + Send>>;

/// Is `ffmpeg` runnable? Checked before any upstream request is made.
pub async fn available(ffmpeg: &str) -> Result<(), ProxyError> {
    match Command::new(ffmpeg)
        .arg("-version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .await
    {
        Ok(s) if s.success() => Ok(()),
        _ => Err(ProxyError::NoFfmpeg(ffmpeg.to_string())),
    }
}

/// What keeps a merge alive: dropping it (the client went away, or the
/// output ended) kills ffmpeg, stops the feeders (closing both upstream
/// transfers) and removes the pipes.
struct Running {
    _child: Child,
    feeders: Vec<JoinHandle<()>>,
    /// Holds the pipes; removed when dropped.
    _dir: tempfile::TempDir,
}

impl Drop for Running {
    fn drop(&mut self) {
        for f in &self.feeders {
            f.abort();
        }
    }
}

/// Start ffmpeg on `video` and `audio`; answers once ffmpeg has produced
/// its first bytes (so a failure to start is still a clean error).
pub async fn merge(
    ffmpeg: &str,
    video: Input,
    audio: Input,
    first_byte: Duration,
) -> Result<impl Stream<Item = std::io::Result<Bytes>> + Send + 'static, ProxyError> {
    let dir = tempfile::Builder::new()
        .prefix("grabkit-merge-")
        .tempdir()
        .map_err(|e| ProxyError::Merge(format!("creating a scratch folder: {e}")))?;
    let (vpath, apath) = (dir.path().join("video"), dir.path().join("audio"));
    for p in [&vpath, &apath] {
        mkfifo(p).map_err(|e| ProxyError::Merge(format!("creating a pipe: {e}")))?;
    }
    let mut child = Command::new(ffmpeg)
        .args(["-hide_banner", "-loglevel", "error", "-nostdin", "-i"])
        .arg(&vpath)
        .arg("-i")
        .arg(&apath)
        .args([
            "-map",
            "0:v:0",
            "-map",
            "1:a:0",
            "-c",
            "copy",
            "-f",
            "mp4",
            "-movflags",
            "frag_keyframe+empty_moov+default_base_moof",
            "pipe:1",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| ProxyError::Merge(format!("starting {ffmpeg}: {e}")))?;
    let mut stdout = child.stdout.take().expect("piped");
    let mut stderr = child.stderr.take().expect("piped");
    let feeders = vec![
        tokio::spawn(feed(vpath, video)),
        tokio::spawn(feed(apath, audio)),
    ];
    let running = Running {
        _child: child,
        feeders,
        _dir: dir,
    };

    let mut first = vec![0u8; 64 << 10];
    let n = match tokio::time::timeout(first_byte, stdout.read(&mut first)).await {
        Ok(Ok(n)) => n,
        Ok(Err(e)) => return Err(ProxyError::Merge(e.to_string())),
        Err(_) => {
            return Err(ProxyError::Merge(format!(
                "ffmpeg produced nothing in {}s",
                first_byte.as_secs()
            )));
        }
    };
    if n == 0 {
        let mut msg = String::new();
        let _ = tokio::time::timeout(Duration::from_secs(5), stderr.read_to_string(&mut msg)).await;
        let msg = msg.trim();
        return Err(ProxyError::Merge(if msg.is_empty() {
            "ffmpeg produced no output".into()
        } else {
            msg.chars().take(500).collect()
        }));
    }
    first.truncate(n);
    // Drain stderr so ffmpeg never blocks on it.
    tokio::spawn(async move { while stderr.read(&mut [0u8; 4096]).await.is_ok_and(|n| n > 0) {} });
    let rest = output(stdout, running);
    Ok(futures::stream::once(async move { Ok(Bytes::from(first)) }).chain(rest))
}

fn output(
    stdout: ChildStdout,
    running: Running,
) -> impl Stream<Item = std::io::Result<Bytes>> + Send + 'static {
    futures::stream::unfold(Some((stdout, running)), |state| async move {
        let (mut out, running) = state?;
        let mut buf = vec![0u8; 64 << 10];
        match out.read(&mut buf).await {
            Ok(0) => None,
            Ok(n) => {
                buf.truncate(n);
                Some((Ok(Bytes::from(buf)), Some((out, running))))
            }
            Err(e) => Some((Err(e), None)),
        }
    })
}

/// Join `files` (ordered parts of one video, same codecs) into `out`, an
/// MP4, with ffmpeg's concat demuxer and no re-encoding.
pub async fn concat(ffmpeg: &str, files: &[PathBuf], out: &Path) -> Result<(), ProxyError> {
    let list = out.with_extension("txt");
    // The concat list quotes each path; a quote inside is written '\''.
    let text: String = files
        .iter()
        .map(|f| {
            format!(
                "file '{}'\n",
                f.display().to_string().replace('\'', "'\\''")
            )
        })
        .collect();
    tokio::fs::write(&list, text)
        .await
        .map_err(|e| ProxyError::Merge(format!("writing the part list: {e}")))?;
    let done = Command::new(ffmpeg)
        .args(["-hide_banner", "-loglevel", "error", "-nostdin", "-y"])
        .args(["-f", "concat", "-safe", "0", "-i"])
        .arg(&list)
        .args(["-c", "copy", "-movflags", "+faststart", "-f", "mp4"])
        .arg(out)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .output()
        .await
        .map_err(|e| ProxyError::Merge(format!("starting {ffmpeg}: {e}")))?;
    if !done.status.success() {
        let msg = String::from_utf8_lossy(&done.stderr);
        return Err(ProxyError::Merge(msg.trim().chars().take(500).collect()));
    }
    Ok(())
}

/// Write one input into its pipe once ffmpeg opens it for reading.
async fn feed(path: PathBuf, mut input: Input) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    let mut pipe = loop {
        // Opening the write end fails (ENXIO) until a reader is there.
        match tokio::net::unix::pipe::OpenOptions::new().open_sender(&path) {
            Ok(p) => break p,
            Err(_) if tokio::time::Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(20)).await
            }
            Err(e) => {
                tracing::warn!(error = %e, "ffmpeg never opened its input");
                return;
            }
        }
    };
    while let Some(chunk) = input.next().await {
        let Ok(chunk) = chunk else { return };
        if pipe.write_all(&chunk).await.is_err() {
            return;
        }
    }
}

fn mkfifo(path: &Path) -> std::io::Result<()> {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(path.as_os_str().as_bytes()).map_err(std::io::Error::other)?;
    // SAFETY: `c` is a valid NUL-terminated path for the duration of the call.
    if unsafe { libc::mkfifo(c.as_ptr(), 0o600) } == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}
